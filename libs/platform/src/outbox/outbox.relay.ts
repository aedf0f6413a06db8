import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { advisoryLockId } from '../database/advisory-lock';
import { KafkaProducerService } from '../kafka/kafka-producer.service';
import { MetricsRegistry } from '../metrics/metrics.registry';

export const OUTBOX_OPTIONS = Symbol('OUTBOX_OPTIONS');

export interface OutboxOptions {
  schema: string;
  pollMs: number;
  batchSize?: number;
}

interface Row {
  id: string;
  topic: string;
  message_key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Publishes outbox rows to Kafka in insertion order, at least once. One relay per schema runs
 * at a time (a PostgreSQL advisory lock held on its own connection), which keeps the order per
 * key across replicas. A crash between publishing and marking repeats the message with the same
 * content, so consumers de-duplicate on `eventId`.
 */
@Injectable()
export class OutboxRelay implements OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly published: Counter;
  private readonly backlog: Gauge;
  private readonly failures: Counter;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: KafkaProducerService,
    @Inject(OUTBOX_OPTIONS) private readonly options: OutboxOptions,
    metrics: MetricsRegistry,
  ) {
    this.published = new Counter({
      name: 'outbox_published_total',
      help: 'Outbox messages published to Kafka, by topic',
      labelNames: ['topic'],
      registers: [metrics],
    });
    this.failures = new Counter({
      name: 'outbox_publish_failures_total',
      help: 'Failed attempts to publish outbox messages (Kafka unavailable)',
      registers: [metrics],
    });
    this.backlog = new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox messages not yet published',
      registers: [metrics],
      collect: async () => {
        try {
          const [row] = await this.dataSource.query<{ n: string }[]>(
            `SELECT count(*) AS n FROM "${this.options.schema}"."outbox" WHERE published_at IS NULL`,
          );
          this.backlog.set(Number(row?.n ?? 0));
        } catch {
          // The database being down is reported by readiness; keep the last value.
        }
      },
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks the relay to look now instead of at its next poll (after a local commit). */
  nudge(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    const lockId = advisoryLockId(`axiorank:outbox:${this.options.schema}`);
    let failures = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch(lockId);
        failures = 0;
      } catch (error) {
        failures++;
        this.failures.inc();
        this.logger.warn(
          `outbox publish failed (${failures} in a row): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (published === 0 && this.running) {
        const delay =
          failures > 0 ? Math.min(5000, 250 * 2 ** Math.min(failures, 5)) : this.options.pollMs;
        await new Promise<void>((resolve) => {
          this.wake = () => resolve();
          void sleep(delay).then(() => resolve());
        });
        this.wake = undefined;
      }
    }
  }

  private async publishBatch(lockId: string): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        lockId,
      ])) as { locked: boolean }[];
      if (!locked) return 0;
      try {
        const rows = (await runner.query(
          `SELECT id, topic, message_key, value, headers FROM "${this.options.schema}"."outbox"
            WHERE published_at IS NULL ORDER BY id LIMIT $1`,
          [this.options.batchSize ?? 200],
        )) as Row[];
        if (rows.length === 0) return 0;
        const byTopic = new Map<string, Row[]>();
        for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
        for (const [topic, batch] of byTopic) {
          await this.producer.send(
            topic,
            batch.map((r) => ({ key: r.message_key, value: r.value, headers: r.headers })),
          );
          this.published.inc({ topic }, batch.length);
        }
        await runner.query(
          `UPDATE "${this.options.schema}"."outbox" SET published_at = now(), attempts = attempts + 1
            WHERE id = ANY($1::bigint[])`,
          [rows.map((r) => r.id)],
        );
        return rows.length;
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [lockId]);
      }
    } finally {
      await runner.release();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }
}
