import { ApiProperty } from '@nestjs/swagger';

export class PagerDutyAnswerDto {
  @ApiProperty({ nullable: true, type: Number, example: 202 })
  status!: number | null;

  @ApiProperty({ example: 'Event processed' })
  message!: string;

  @ApiProperty({ type: [String], required: false })
  errors?: string[];
}

/** One recorded job: sent, waiting for a retry, failed for good, skipped or suppressed. */
export class DeliveryResponseDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty({ example: 'incident.opened' })
  sourceType!: string;

  @ApiProperty({ enum: ['trigger', 'acknowledge', 'resolve'] })
  action!: string;

  @ApiProperty({ example: 'inc_1' })
  dedupKey!: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed', 'skipped', 'suppressed'] })
  outcome!: string;

  @ApiProperty({ nullable: true, type: String, example: 'quiet_hours' })
  reason!: string | null;

  @ApiProperty()
  attempts!: number;

  @ApiProperty({ type: PagerDutyAnswerDto, nullable: true })
  pagerduty!: PagerDutyAnswerDto | null;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  nextAttemptAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  deliveredAt!: string | null;
}
