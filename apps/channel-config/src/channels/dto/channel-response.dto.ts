import { ApiProperty } from '@nestjs/swagger';
import {
  CHANNEL_MODES,
  CHANNEL_REGIONS,
  type ChannelMode,
  type ChannelRegion,
} from '@app/contracts';
import { SEVERITIES, type Severity } from '@app/severity';
import { QuietHoursDto } from './quiet-hours.dto';

export class TwoWaySyncResponseDto {
  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Paste into a PagerDuty V3 webhook subscription.',
  })
  webhookUrl!: string | null;

  @ApiProperty()
  signingSecretSet!: boolean;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  verifiedAt!: string | null;
}

/** A channel as the API shows it: never the routing key or the signing secret. */
export class ChannelResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  workspaceId!: string;

  @ApiProperty({ enum: ['pagerduty'] })
  type!: 'pagerduty';

  @ApiProperty()
  name!: string;

  @ApiProperty({ example: '…abcd' })
  routingKeyHint!: string;

  @ApiProperty({ enum: CHANNEL_REGIONS })
  region!: ChannelRegion;

  @ApiProperty({ enum: CHANNEL_MODES })
  mode!: ChannelMode;

  @ApiProperty({ enum: SEVERITIES })
  severityFloor!: Severity;

  @ApiProperty({ type: QuietHoursDto, nullable: true })
  quietHours!: QuietHoursDto | null;

  @ApiProperty({ nullable: true, type: Number })
  hourlyCap!: number | null;

  @ApiProperty({ type: TwoWaySyncResponseDto })
  twoWaySync!: TwoWaySyncResponseDto;

  @ApiProperty({
    description:
      'Whether the routing key and the signing secret (if saved) are sealed with AES-256-GCM at rest.',
  })
  encryptedAtRest!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
