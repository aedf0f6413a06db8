import 'reflect-metadata';
import { SEVERITIES, type Severity } from '@app/severity';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  IsUUID,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsNonEmptyString, IsWorkspaceId } from '../common/field.decorators';
import { IsIsoTimestamp } from '../common/is-iso-timestamp.decorator';
import { oneOf } from '../common/one-of';
import {
  CHANNEL_MODES,
  CHANNEL_REGIONS,
  CHANNEL_TYPES,
  type ChannelMode,
  type ChannelRegion,
  type ChannelType,
} from './channel.constants';
import { QuietHoursV1 } from './quiet-hours.v1';
import { TwoWaySyncV1 } from './two-way-sync.v1';

/** A channel's full state as channel-config publishes it; secrets travel sealed. */
export class ChannelV1 {
  @IsUUID()
  id!: string;

  @IsWorkspaceId()
  workspaceId!: string;

  @IsIn(CHANNEL_TYPES, oneOf(CHANNEL_TYPES))
  type!: ChannelType;

  @IsNonEmptyString()
  name!: string;

  @IsIn(CHANNEL_REGIONS, oneOf(CHANNEL_REGIONS))
  region!: ChannelRegion;

  @IsIn(CHANNEL_MODES, oneOf(CHANNEL_MODES))
  mode!: ChannelMode;

  @IsIn(SEVERITIES, oneOf(SEVERITIES))
  severityFloor!: Severity;

  /** Present in every snapshot: an object, or null for none. */
  @ValidateIf((channel: ChannelV1) => channel.quietHours !== null)
  @IsDefined({ message: '$property is required (an object or null)' })
  @IsObject()
  @ValidateNested()
  @Type(() => QuietHoursV1)
  quietHours!: QuietHoursV1 | null;

  /** Pages per hour in alerts mode; null for no cap. */
  @ValidateIf((channel: ChannelV1) => channel.hourlyCap !== null)
  @IsDefined({ message: '$property is required (an integer or null)' })
  @IsInt()
  @Min(1)
  hourlyCap!: number | null;

  /** Sealed by `@app/crypto`, or legacy plaintext written before sealing was configured. */
  @IsNonEmptyString()
  routingKey!: string;

  /** e.g. `…abcd`, safe to show and log. */
  @IsString()
  routingKeyHint!: string;

  @IsDefined({ message: '$property is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => TwoWaySyncV1)
  twoWaySync!: TwoWaySyncV1;

  @IsIsoTimestamp()
  createdAt!: string;

  @IsIsoTimestamp()
  updatedAt!: string;
}
