import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const WEBHOOK_EVENT_OUTCOMES = ['synced', 'verified', 'ignored'] as const;
export type WebhookEventOutcome = (typeof WEBHOOK_EVENT_OUTCOMES)[number];

/**
 * One verified PagerDuty webhook event, stored once per channel and PagerDuty `event.id`: the
 * unique index is what turns PagerDuty's at-least-once deliveries into one sync event.
 */
@Entity({ name: 'webhook_events' })
@Index('webhook_events_dedup_idx', ['channelId', 'pagerdutyEventId'], { unique: true })
@Index('webhook_events_received_idx', ['receivedAt'])
export class WebhookEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId!: string;

  /** The channel's workspace at the time of receipt (never the payload's). */
  @Column({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  /** PagerDuty's `event.id`, the same on every retry of the event. */
  @Column({ name: 'pagerduty_event_id', type: 'text' })
  pagerdutyEventId!: string;

  /** The `X-Webhook-Id` header of the first delivery stored. */
  @Column({ name: 'webhook_id', type: 'text', nullable: true })
  webhookId!: string | null;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', nullable: true })
  occurredAt!: Date | null;

  @Column({ name: 'incident_key', type: 'text', nullable: true })
  incidentKey!: string | null;

  @Column({ type: 'text' })
  outcome!: WebhookEventOutcome;

  @Column({ name: 'ignored_reason', type: 'text', nullable: true })
  ignoredReason!: string | null;

  /** `eventId` of the message written to the outbox; a republish repeats it. */
  @Column({ name: 'message_event_id', type: 'uuid', nullable: true })
  messageEventId!: string | null;

  /** The request body byte for byte, as it was signed. */
  @Column({ name: 'raw_body', type: 'bytea' })
  rawBody!: Buffer;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
