import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTable, dropOutboxTable } from '@app/platform';

const SCHEMA = 'channel_config';

export class CreateChannels1764806400000 implements MigrationInterface {
  name = 'CreateChannels1764806400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE "${SCHEMA}"."channels" (
        "id" uuid PRIMARY KEY,
        "workspace_id" text NOT NULL,
        "name" text NOT NULL,
        "routing_key" text NOT NULL,
        "routing_key_hint" text NOT NULL,
        "region" text NOT NULL CHECK ("region" IN ('us', 'eu')),
        "mode" text NOT NULL CHECK ("mode" IN ('incidents', 'alerts')),
        "severity_floor" text NOT NULL CHECK ("severity_floor" IN ('low', 'medium', 'high', 'critical')),
        "quiet_hours" jsonb,
        "hourly_cap" integer CHECK ("hourly_cap" IS NULL OR "hourly_cap" > 0),
        "two_way_sync" boolean NOT NULL DEFAULT false,
        "signing_secret" text,
        "webhook_verified_at" timestamptz,
        "version" integer NOT NULL DEFAULT 1,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(
      `CREATE INDEX "channels_workspace_idx" ON "${SCHEMA}"."channels" ("workspace_id", "created_at")`,
    );
    await createOutboxTable(runner, SCHEMA);
  }

  async down(runner: QueryRunner): Promise<void> {
    await dropOutboxTable(runner, SCHEMA);
    await runner.query(`DROP TABLE "${SCHEMA}"."channels"`);
  }
}
