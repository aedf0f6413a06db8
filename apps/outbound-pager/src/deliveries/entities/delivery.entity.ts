import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AxioRankAlertRef, AxioRankIncidentRef, EventAction, Region } from '@app/pagerduty';

export const DELIVERY_STATUSES = [
  'pending',
  'delivered',
  'failed',
  'skipped',
  'suppressed',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What a job sends: the AxioRank incident or alert as consumed, built into an event at send time. */
export type DeliveryPayload =
  | { kind: 'incident'; workspaceId: string; incident: AxioRankIncidentRef }
  | { kind: 'alert'; workspaceId: string; alert: AxioRankAlertRef };

/** One consumed event for one channel: a queued job until delivered, then its history. */
@Entity({ name: 'deliveries' })
export class DeliveryEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'channel_id', type: 'uuid', nullable: true })
  channelId!: string | null;

  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @Column({ name: 'source_type', type: 'text' })
  sourceType!: string;

  @Column({ name: 'dedup_key', type: 'text' })
  dedupKey!: string;

  @Column({ type: 'text' })
  action!: EventAction;

  /** incident.updated re-triggers only while the PagerDuty incident is open. */
  @Column({ name: 'only_if_open', type: 'boolean', default: false })
  onlyIfOpen!: boolean;

  @Column({ type: 'text' })
  status!: DeliveryStatus;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** The channel's routing key (sealed as stored) when the job was recorded; used by triggers. */
  @Column({ name: 'routing_key', type: 'text', nullable: true })
  routingKey!: string | null;

  @Column({ type: 'text', nullable: true })
  region!: Region | null;

  @Column({ type: 'jsonb' })
  payload!: DeliveryPayload;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** Set while a worker has the job in flight; an expired lease makes it claimable again. */
  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken!: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  @Column({ name: 'last_status', type: 'integer', nullable: true })
  lastStatus!: number | null;

  @Column({ name: 'last_response', type: 'jsonb', nullable: true })
  lastResponse!: { message: string; errors?: string[] } | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
