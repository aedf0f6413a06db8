import { ApiProperty } from '@nestjs/swagger';
import {
  CHANNEL_MODES,
  CHANNEL_REGIONS,
  type ChannelMode,
  type ChannelRegion,
} from '@app/contracts';
import { SEVERITIES, type Severity } from '@app/severity';
import {
  CHANNEL_SECRETS,
  CREDENTIAL_PROBLEMS,
  type ChannelSecret,
  type CredentialProblem,
} from '../channel-credentials';
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

export class CredentialIssueDto {
  @ApiProperty({ enum: CHANNEL_SECRETS, description: 'Which stored secret cannot be used' })
  secret!: ChannelSecret;

  @ApiProperty({
    enum: CREDENTIAL_PROBLEMS,
    description:
      '`sealed_under_unknown_key`: sealed under a key no longer in CREDENTIAL_KEYS; `tampered_or_wrong_workspace`: fails authentication (altered, copied from another channel, or the key changed); `malformed`: unreadable (e.g. truncated). Save the secret again to repair it.',
  })
  problem!: CredentialProblem;
}

export class ChannelCredentialsDto {
  @ApiProperty({
    description:
      'False when a stored secret cannot be opened: nothing is sent to PagerDuty for this channel (Send test answers 409, pages fail with routing_key_unusable) and, for the signing secret, webhooks are rejected',
  })
  usable!: boolean;

  @ApiProperty({ type: [CredentialIssueDto], description: 'Empty when usable' })
  problems!: CredentialIssueDto[];
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

  @ApiProperty({
    type: ChannelCredentialsDto,
    description:
      'Whether the stored routing key and signing secret can be opened with the configured keys; never the secrets or the keys',
  })
  credentials!: ChannelCredentialsDto;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
