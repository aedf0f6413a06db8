import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type OutboxEntry, writeToOutbox } from '@app/platform';
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

/** Stores verified events once per channel and PagerDuty event id, with their outbox message. */
@Injectable()
export class WebhookEventStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inserts the event and its outbox entries in one transaction. A repeat of a stored event
   * inserts nothing (and waits for a concurrent first delivery to commit or roll back).
   */
  record(event: NewWebhookEvent, outbox: OutboxEntry[]): Promise<StoreResult> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager.query<{ id: string }[]>(
        `INSERT INTO "${SCHEMA}"."webhook_events"
           ("channel_id", "workspace_id", "pagerduty_event_id", "webhook_id", "event_type",
            "occurred_at", "incident_key", "outcome", "ignored_reason", "message_event_id", "raw_body")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT ("channel_id", "pagerduty_event_id") DO NOTHING
         RETURNING "id"`,
        [
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
        ],
      );
      if (inserted.length === 0) return 'duplicate';
      await writeToOutbox(manager, outbox);
      return 'stored';
    });
  }
}
