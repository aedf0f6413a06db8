import { ApiProperty } from '@nestjs/swagger';

export class PagerDutyStepDto {
  @ApiProperty({
    description: "PagerDuty's HTTP status",
    example: 202,
    nullable: true,
    type: Number,
  })
  status!: number | null;

  @ApiProperty({ description: "PagerDuty's own message", example: 'Event processed' })
  message!: string;

  @ApiProperty({ type: [String], required: false })
  errors?: string[];
}

export class SendTestResponseDto {
  @ApiProperty({ example: true })
  ok!: boolean;

  @ApiProperty({ example: 'axiorank-test-6f1c…' })
  dedupKey!: string;

  @ApiProperty({ type: PagerDutyStepDto })
  trigger!: PagerDutyStepDto;

  @ApiProperty({
    type: PagerDutyStepDto,
    nullable: true,
    description:
      'null when PagerDuty refused the trigger; after a trigger whose answer was lost (timeout, 5xx) the resolve is still sent, so nothing stays open',
  })
  resolve!: PagerDutyStepDto | null;
}
