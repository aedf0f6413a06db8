import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsIsoTimestamp } from '../common/is-iso-timestamp.decorator';
import { oneOf } from '../common/one-of';
import { CHANNEL_SNAPSHOT_TYPES, type ChannelSnapshotType } from './channel.constants';
import { ChannelV1 } from './channel.v1';

/**
 * Value on the compacted `axiorank.channels.v1`, keyed by channel id. A delete
 * is a tombstone (null value), which `parseMessage` reports as such.
 */
export class ChannelSnapshotV1 {
  @IsUUID()
  eventId!: string;

  @IsIn(CHANNEL_SNAPSHOT_TYPES, oneOf(CHANNEL_SNAPSHOT_TYPES))
  type!: ChannelSnapshotType;

  @IsIsoTimestamp()
  occurredAt!: string;

  /** Grows with every change of the channel; consumers ignore a snapshot older than the one they hold. */
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  version!: number;

  @IsDefined({ message: '$property is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => ChannelV1)
  channel!: ChannelV1;
}
