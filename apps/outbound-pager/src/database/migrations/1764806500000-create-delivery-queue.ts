import type { MigrationInterface, QueryRunner } from 'typeorm';

const SCHEMA = 'outbound_pager';

export class CreateDeliveryQueue1764806500000 implements MigrationInterface {
  name = 'CreateDeliveryQueue1764806500000';

  async up(runner: QueryRunner): Promise<void> {
    // One row per (consumed event, channel): the durable queue and the delivery history at once.
    await runner.query(`
      CREATE TABLE "${SCHEMA}"."deliveries" (
        "id" bigserial PRIMARY KEY,
        "event_id" uuid NOT NULL,
        "channel_id" uuid,
        "workspace_id" text NOT NULL,
        "source_type" text NOT NULL,
        "dedup_key" text NOT NULL,
        "action" text NOT NULL CHECK ("action" IN ('trigger', 'acknowledge', 'resolve')),
        "only_if_open" boolean NOT NULL DEFAULT false,
        "status" text NOT NULL CHECK ("status" IN ('pending', 'delivered', 'failed', 'skipped', 'suppressed')),
        "reason" text,
        "routing_key" text,
        "region" text,
        "payload" jsonb NOT NULL,
        "occurred_at" timestamptz NOT NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "next_attempt_at" timestamptz NOT NULL DEFAULT now(),
        "lease_token" uuid,
        "lease_until" timestamptz,
        "last_attempt_at" timestamptz,
        "last_status" integer,
        "last_response" jsonb,
        "delivered_at" timestamptz,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE UNIQUE INDEX "deliveries_event_channel_uq" ON "${SCHEMA}"."deliveries"
        ("event_id", COALESCE("channel_id", '00000000-0000-0000-0000-000000000000'::uuid))`);
    // What workers scan: due pending jobs, and per (channel, dedup key) the pending predecessors.
    await runner.query(`
      CREATE INDEX "deliveries_due_idx" ON "${SCHEMA}"."deliveries" ("next_attempt_at", "id")
        WHERE "status" = 'pending'`);
    await runner.query(`
      CREATE INDEX "deliveries_pending_key_idx" ON "${SCHEMA}"."deliveries" ("channel_id", "dedup_key", "id")
        WHERE "status" = 'pending'`);
    await runner.query(`
      CREATE INDEX "deliveries_history_idx" ON "${SCHEMA}"."deliveries" ("channel_id", "id" DESC)`);
    await runner.query(`
      CREATE INDEX "deliveries_alert_pages_idx" ON "${SCHEMA}"."deliveries" ("channel_id", "occurred_at")
        WHERE "source_type" = 'alert.raised' AND "status" IN ('pending', 'delivered')`);

    // The PagerDuty incident each (channel, dedup key) opened, with the routing key that opened it.
    await runner.query(`
      CREATE TABLE "${SCHEMA}"."pagerduty_incidents" (
        "channel_id" uuid NOT NULL,
        "dedup_key" text NOT NULL,
        "workspace_id" text NOT NULL,
        "routing_key" text NOT NULL,
        "region" text NOT NULL,
        "status" text NOT NULL CHECK ("status" IN ('triggered', 'acknowledged', 'resolved')),
        "triggered_at" timestamptz NOT NULL,
        "payload" jsonb NOT NULL,
        "updated_at" timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY ("channel_id", "dedup_key")
      )`);
    await runner.query(`
      CREATE INDEX "pagerduty_incidents_open_idx" ON "${SCHEMA}"."pagerduty_incidents" ("channel_id")
        WHERE "status" <> 'resolved'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${SCHEMA}"."pagerduty_incidents"`);
    await runner.query(`DROP TABLE "${SCHEMA}"."deliveries"`);
  }
}
