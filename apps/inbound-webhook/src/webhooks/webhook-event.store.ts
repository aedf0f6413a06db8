import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type OutboxEntry, outboxInsertFrom } from '@app/platform';
import { SCHEMA } from '../database/schema';
import type { WebhookEventOutcome } from './entities/webhook-event.entity';

export interface NewWebhookEvent {
  channelId: string;
  workspaceId: string;
  pagerdutyEventId: string;
  webhookId: string | null;
  eventType: string;
  occurredAt: Date | null;
  incidentKey: string | null;
  outcome: WebhookEventOutcome;
  ignoredReason: string | null;
  messageEventId: string | null;
  rawBody: Buffer;
}

export type StoreResult = 'stored' | 'duplicate';

const OUTBOX = outboxInsertFrom(SCHEMA, '"stored"', 12);

/**
 * One statement: the event row, and its outbox entries only when the row is new. A single
 * statement is atomic on its own, so the webhook costs one round trip instead of four
 * (BEGIN, two INSERTs, COMMIT) with the same guarantee.
 */
const RECORD_SQL = `
  WITH "stored" AS (
    INSERT INTO "${SCHEMA}"."webhook_events"
      ("channel_id", "workspace_id", "pagerduty_event_id", "webhook_id", "event_type",
       "occurred_at", "incident_key", "outcome", "ignored_reason", "message_event_id", "raw_body")
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
    ON CONFLICT ("channel_id", "pagerduty_event_id") DO NOTHING
    RETURNING "id"
  ), "queued" AS (${OUTBOX.sql})
  SELECT count(*)::int AS "stored" FROM "stored"`;

/** Stores verified events once per channel and PagerDuty event id, with their outbox message. */
@Injectable()
export class WebhookEventStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts the event and its outbox entries atomically. A repeat of a stored event inserts
   * nothing (and waits for a concurrent first delivery to commit or roll back).
   */
  async record(event: NewWebhookEvent, outbox: OutboxEntry[]): Promise<StoreResult> {
    const rows = await this.dataSource.query<{ stored: number }[]>(RECORD_SQL, [
      event.channelId,
      event.workspaceId,
      event.pagerdutyEventId,
      event.webhookId,
      event.eventType,
      event.occurredAt,
      event.incidentKey,
      event.outcome,
      event.ignoredReason,
      event.messageEventId,
      event.rawBody,
      ...OUTBOX.params(outbox),
    ]);
    return rows[0]?.stored === 1 ? 'stored' : 'duplicate';
  }
}
