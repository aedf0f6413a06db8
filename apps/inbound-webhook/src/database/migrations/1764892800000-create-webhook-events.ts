import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTable, dropOutboxTable } from '@app/platform';

const SCHEMA = 'inbound_webhook';

export class CreateWebhookEvents1764892800000 implements MigrationInterface {
  name = 'CreateWebhookEvents1764892800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE "${SCHEMA}"."webhook_events" (
        "id" bigserial PRIMARY KEY,
        "channel_id" uuid NOT NULL,
        "workspace_id" text NOT NULL,
        "pagerduty_event_id" text NOT NULL,
        "webhook_id" text,
        "event_type" text NOT NULL,
        "occurred_at" timestamptz,
        "incident_key" text,
        "outcome" text NOT NULL CHECK ("outcome" IN ('synced', 'verified', 'ignored')),
        "ignored_reason" text,
        "message_event_id" uuid,
        "raw_body" bytea NOT NULL,
        "received_at" timestamptz NOT NULL DEFAULT now()
      )`);
    // Per channel: two workspaces subscribed to one PagerDuty account both receive its events.
    await runner.query(
      `CREATE UNIQUE INDEX "webhook_events_dedup_idx" ON "${SCHEMA}"."webhook_events" ("channel_id", "pagerduty_event_id")`,
    );
    await runner.query(
      `CREATE INDEX "webhook_events_received_idx" ON "${SCHEMA}"."webhook_events" ("received_at")`,
    );
    await createOutboxTable(runner, SCHEMA);
  }

  async down(runner: QueryRunner): Promise<void> {
    await dropOutboxTable(runner, SCHEMA);
    await runner.query(`DROP TABLE "${SCHEMA}"."webhook_events"`);
  }
}
