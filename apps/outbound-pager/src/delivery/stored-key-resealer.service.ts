import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsRegistry, SECRET_VAULT, SecretVault } from '@app/platform';
import { SCHEMA } from '../database/schema';

const SWEEP_EVERY_MS = 60_000;

/** Where this service keeps routing keys it will still send with. */
const STORES = [
  // Acknowledge and resolve go with the key that opened the PagerDuty incident.
  { table: 'pagerduty_incidents', live: `status <> 'resolved'` },
  { table: 'deliveries', live: `status = 'pending' AND routing_key IS NOT NULL` },
] as const;

/**
 * Key rotation for the routing keys outbound-pager keeps of its own (open PagerDuty incidents,
 * pending jobs): channel-config's `reseal` moves the channels to the new first key, but these
 * copies were sealed under the old one and would become unusable the moment the old key is
 * removed, failing the acknowledge or resolve of every incident opened before the rotation.
 * Re-sealed at startup (before the workers start) and every minute; a value that cannot be
 * opened is left alone, and its delivery records `routing_key_unusable` as before.
 */
@Injectable()
export class StoredKeyResealer implements OnApplicationShutdown {
  private readonly logger = new Logger(StoredKeyResealer.name);
  private readonly resealed: Counter;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    metrics: MetricsRegistry,
  ) {
    this.resealed = new Counter({
      name: 'stored_routing_keys_resealed_total',
      help: 'Routing keys kept for open incidents and pending jobs, re-sealed under the first key of CREDENTIAL_KEYS',
      registers: [metrics],
    });
  }

  async start(): Promise<void> {
    if (!this.vault.sealingEnabled) return;
    await this.sweepSafely();
    this.timer = setInterval(() => {
      this.running ??= this.sweepSafely().finally(() => (this.running = undefined));
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  /** Re-seals every kept routing key that is not under the first key; returns the rows changed. */
  async sweep(): Promise<number> {
    let changed = 0;
    for (const { table, live } of STORES) {
      const kept = await this.dataSource.query<{ routing_key: string; workspace_id: string }[]>(
        `SELECT DISTINCT routing_key, workspace_id FROM "${SCHEMA}"."${table}" WHERE ${live}`,
      );
      for (const { routing_key: stored, workspace_id: workspaceId } of kept) {
        if (!this.vault.needsReseal(stored)) continue;
        let resealed: string;
        try {
          resealed = this.vault.protect(this.vault.reveal(stored, workspaceId), workspaceId);
        } catch {
          continue;
        }
        const [, rows] = await this.dataSource.query<[unknown, number]>(
          `UPDATE "${SCHEMA}"."${table}" SET routing_key = $1
            WHERE routing_key = $2 AND workspace_id = $3 AND ${live}`,
          [resealed, stored, workspaceId],
        );
        changed += rows;
      }
    }
    if (changed > 0) {
      this.resealed.inc(changed);
      this.logger.log(`re-sealed ${changed} kept routing key(s) under the first credential key`);
    }
    return changed;
  }

  private async sweepSafely(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      this.logger.warn(
        `re-sealing kept routing keys failed, retried in a minute: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
