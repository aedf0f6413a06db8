import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Region } from '@app/pagerduty';
import type { DeliveryPayload } from './delivery.entity';

export type PagerDutyIncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

/**
 * The PagerDuty incident a (channel, dedup key) opened, and the routing key and region that
 * opened it: acknowledge and resolve must go with those, even after the channel's key changed.
 */
@Entity({ name: 'pagerduty_incidents' })
export class PagerDutyIncidentEntity {
  @PrimaryColumn({ name: 'channel_id', type: 'uuid' })
  channelId!: string;

  @PrimaryColumn({ name: 'dedup_key', type: 'text' })
  dedupKey!: string;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'routing_key', type: 'text' })
  routingKey!: string;

  @Column({ type: 'text' })
  region!: Region;

  @Column({ type: 'text' })
  status!: PagerDutyIncidentStatus;

  @Column({ name: 'triggered_at', type: 'timestamptz' })
  triggeredAt!: Date;

  /** The last payload sent, so a resolve on channel deletion carries the same context. */
  @Column({ type: 'jsonb' })
  payload!: DeliveryPayload;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
