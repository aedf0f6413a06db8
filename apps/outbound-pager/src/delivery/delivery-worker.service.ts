import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import {
  buildAxioRankAlertEvent,
  buildAxioRankIncidentEvent,
  PagerDutyClient,
  type PagerDutyEvent,
  type PagerDutyResult,
  type Region,
} from '@app/pagerduty';
import { MetricsRegistry, SECRET_VAULT, SecretVault } from '@app/platform';
import { SCHEMA } from '../database/schema';
import type { DeliveryEntity } from '../deliveries/entities/delivery.entity';
import { PagerDutyIncidentEntity } from '../deliveries/entities/pagerduty-incident.entity';
import { retryDelayMs } from './backoff';
import { DELIVERY_SETTINGS, type DeliverySettings } from './delivery-settings';
import { TokenBuckets } from './token-bucket';

export const PAGERDUTY_CLIENT = Symbol('PAGERDUTY_CLIENT');

interface ClaimedJob {
  id: string;
  event_id: string;
  channel_id: string;
  workspace_id: string;
  dedup_key: string;
  action: DeliveryEntity['action'];
  only_if_open: boolean;
  routing_key: string | null;
  region: Region | null;
  payload: DeliveryEntity['payload'];
  attempts: number;
  /** The lease this worker holds; every update is fenced by it. */
  token: string;
}

/** What to do with a claimed job once its PagerDuty incident and routing are known. */
type Plan =
  | { kind: 'send'; event: PagerDutyEvent; routingKey: string; sealedKey: string; region: Region }
  | { kind: 'skip'; reason: string }
  | { kind: 'fail'; reason: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Delivers recorded jobs to PagerDuty. Workers claim due jobs with FOR UPDATE SKIP LOCKED, and a
 * job is due only when no earlier job for the same (channel, dedup key) is still pending: per
 * PagerDuty incident, trigger → acknowledge → resolve go strictly in order, across workers and
 * replicas. A claim is a lease (longer than the request timeout): each result is committed the
 * moment PagerDuty answers, fenced by the lease token, and the jobs of a crashed worker become
 * claimable again when their lease runs out, so a crash repeats at most the requests in flight.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private readonly buckets: TokenBuckets;
  private readonly leaseMs: number;
  private running = false;
  private loops: Promise<void>[] = [];
  private waiters: (() => void)[] = [];
  private pruneTimer?: NodeJS.Timeout;
  private readonly outcomes: Counter;
  private readonly rateLimited: Counter;
  private readonly requestSeconds: Histogram;
  private readonly backlog: Gauge;
  private readonly oldestPending: Gauge;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PAGERDUTY_CLIENT) private readonly client: PagerDutyClient,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
    metrics: MetricsRegistry,
  ) {
    this.leaseMs = settings.requestTimeoutMs * 2 + 5000;
    this.buckets = new TokenBuckets({
      ratePerMinute: settings.ratePerMinute,
      burst: settings.rateBurst,
    });
    this.outcomes = new Counter({
      name: 'deliveries_total',
      help: 'Delivery attempts and their outcome (delivered, retry, failed, skipped)',
      labelNames: ['action', 'outcome'],
      registers: [metrics],
    });
    this.rateLimited = new Counter({
      name: 'deliveries_rate_limited_total',
      help: 'Jobs held back by the per-routing-key token bucket',
      registers: [metrics],
    });
    this.requestSeconds = new Histogram({
      name: 'pagerduty_request_seconds',
      help: 'Time for one Events API request',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics],
    });
    const pendingStats = () =>
      this.dataSource.query<{ n: number; age: number }[]>(
        `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS age
           FROM "${SCHEMA}"."deliveries" WHERE status = 'pending'`,
      );
    this.backlog = new Gauge({
      name: 'delivery_backlog',
      help: 'Jobs waiting to be delivered (including those waiting for a retry)',
      registers: [metrics],
      collect: async () => {
        try {
          const [row] = await pendingStats();
          this.backlog.set(row.n);
          this.oldestPending.set(row.age);
        } catch {
          // Readiness reports the database; keep the last values.
        }
      },
    });
    this.oldestPending = new Gauge({
      name: 'delivery_oldest_pending_seconds',
      help: 'Age of the oldest job not yet delivered',
      registers: [metrics],
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.settings.workers }, (_, i) => this.loop(i));
    this.pruneTimer = setInterval(() => this.buckets.prune(), 60_000);
    this.pruneTimer.unref();
  }

  /** New work was recorded in this process: wake the workers instead of waiting for a poll. */
  nudge(): void {
    this.waiters.splice(0).forEach((wake) => wake());
  }

  private async loop(worker: number): Promise<void> {
    let failures = 0;
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.runBatch();
        failures = 0;
      } catch (error) {
        failures++;
        this.logger.warn(
          `delivery worker ${worker}: ${error instanceof Error ? error.message : String(error)} (${failures} in a row)`,
        );
      }
      if (claimed === 0 && this.running) {
        const delay =
          failures > 0 ? Math.min(5000, 200 * 2 ** Math.min(failures, 5)) : this.settings.pollMs;
        await new Promise<void>((resolve) => {
          const wake = () => resolve();
          this.waiters.push(wake);
          void sleep(delay).then(() => {
            this.waiters = this.waiters.filter((w) => w !== wake);
            resolve();
          });
        });
      }
    }
  }

  /**
   * Claims a batch of due jobs (no two for the same PagerDuty incident) under a lease and
   * delivers them concurrently, each result committed on its own as soon as PagerDuty answered.
   */
  private async runBatch(): Promise<number> {
    const token = randomUUID();
    const [jobs] = await this.dataSource.query<[ClaimedJob[], number]>(
      `UPDATE "${SCHEMA}"."deliveries" d
          SET lease_token = $2, lease_until = now() + ($3 || ' milliseconds')::interval
        WHERE d.id IN (
          SELECT c.id FROM "${SCHEMA}"."deliveries" c
           WHERE c.status = 'pending' AND c.next_attempt_at <= now()
             AND (c.lease_until IS NULL OR c.lease_until < now())
             AND NOT EXISTS (
               SELECT 1 FROM "${SCHEMA}"."deliveries" p
                WHERE p.status = 'pending' AND p.channel_id = c.channel_id
                  AND p.dedup_key = c.dedup_key AND p.id < c.id)
           ORDER BY c.next_attempt_at, c.id
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.event_id, d.channel_id, d.workspace_id, d.dedup_key, d.action, d.only_if_open,
                  d.routing_key, d.region, d.payload, d.attempts`,
      [this.settings.batchSize, token, String(this.leaseMs)],
    );
    await Promise.all(jobs.map((job) => this.deliver({ ...job, token })));
    return jobs.length;
  }

  private async deliver(job: ClaimedJob): Promise<void> {
    const known = await this.dataSource
      .getRepository(PagerDutyIncidentEntity)
      .findOneBy({ channelId: job.channel_id, dedupKey: job.dedup_key });
    const plan = this.plan(job, known);
    if (plan.kind !== 'send') {
      await this.finish(job, plan.kind === 'skip' ? 'skipped' : 'failed', plan.reason);
      this.outcomes.inc({
        action: job.action,
        outcome: plan.kind === 'skip' ? 'skipped' : 'failed',
      });
      return;
    }
    const wait = this.buckets.take(createHash('sha256').update(plan.routingKey).digest('base64'));
    if (wait > 0) {
      this.rateLimited.inc();
      await this.dataSource.query(
        `UPDATE "${SCHEMA}"."deliveries" SET next_attempt_at = now() + ($3 || ' milliseconds')::interval,
                lease_token = NULL, lease_until = NULL, updated_at = now()
          WHERE id = $1 AND lease_token = $2`,
        [job.id, job.token, String(wait)],
      );
      return;
    }
    const stopTimer = this.requestSeconds.startTimer();
    const result = await this.client.send(plan.event, plan.region);
    stopTimer({ outcome: result.outcome });
    await this.dataSource.transaction((manager) => this.record(manager, job, result, plan, known));
  }

  private plan(job: ClaimedJob, known: PagerDutyIncidentEntity | null): Plan {
    const open = known !== null && known.status !== 'resolved';
    if (job.action !== 'trigger' && !known)
      return { kind: 'skip', reason: 'no_pagerduty_incident' };
    if (job.action !== 'trigger' && !open)
      return { kind: 'skip', reason: 'pagerduty_incident_resolved' };
    if (job.only_if_open && !open) return { kind: 'skip', reason: 'pagerduty_incident_not_open' };
    // An open PagerDuty incident keeps the routing key and region that opened it.
    const sealedKey = open ? known.routingKey : job.routing_key;
    const region = open ? known.region : job.region;
    if (!sealedKey || !region) return { kind: 'fail', reason: 'no_routing_key' };
    let routingKey: string;
    try {
      routingKey = this.vault.reveal(sealedKey, job.workspace_id);
    } catch (error) {
      this.logger.error(
        { channelId: job.channel_id, reason: (error as { reason?: string }).reason },
        'routing key cannot be opened; nothing sent',
      );
      return { kind: 'fail', reason: 'routing_key_unusable' };
    }
    try {
      const event =
        job.payload.kind === 'incident'
          ? buildAxioRankIncidentEvent({
              action: job.action,
              routingKey,
              incident: job.payload.incident,
              workspaceId: job.workspace_id,
            })
          : buildAxioRankAlertEvent({
              action: job.action,
              routingKey,
              alert: job.payload.alert,
              workspaceId: job.workspace_id,
            });
      return { kind: 'send', event, routingKey, sealedKey, region };
    } catch (error) {
      return {
        kind: 'fail',
        reason: `invalid_event: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  private async record(
    manager: EntityManager,
    job: ClaimedJob,
    result: PagerDutyResult,
    plan: Extract<Plan, { kind: 'send' }>,
    known: PagerDutyIncidentEntity | null,
  ): Promise<void> {
    const attempts = job.attempts + 1;
    switch (result.outcome) {
      case 'accepted': {
        await manager.query(
          `UPDATE "${SCHEMA}"."deliveries" SET status = 'delivered', attempts = $2, last_attempt_at = now(),
                  last_status = $3, last_response = $4, delivered_at = now(), updated_at = now(),
                  lease_token = NULL, lease_until = NULL
            WHERE id = $1 AND lease_token = $5`,
          [job.id, attempts, result.status, JSON.stringify({ message: result.message }), job.token],
        );
        await this.track(manager, job, plan, known);
        this.outcomes.inc({ action: job.action, outcome: 'delivered' });
        return;
      }
      case 'permanent': {
        await manager.query(
          `UPDATE "${SCHEMA}"."deliveries" SET status = 'failed', reason = 'rejected_by_pagerduty', attempts = $2,
                  last_attempt_at = now(), last_status = $3, last_response = $4, updated_at = now(),
                  lease_token = NULL, lease_until = NULL
            WHERE id = $1 AND lease_token = $5`,
          [
            job.id,
            attempts,
            result.status ?? null,
            JSON.stringify({ message: result.message, errors: result.errors }),
            job.token,
          ],
        );
        this.logger.warn(
          {
            channelId: job.channel_id,
            dedupKey: job.dedup_key,
            status: result.status,
            errors: result.errors,
          },
          'PagerDuty rejected an event; not retried',
        );
        this.outcomes.inc({ action: job.action, outcome: 'failed' });
        return;
      }
      case 'transient': {
        const delay = retryDelayMs(attempts, {
          baseMs: this.settings.retryBaseMs,
          maxMs: this.settings.retryMaxMs,
          retryAfterMs: result.retryAfterMs,
        });
        // The lease ends with the answer: the retry is due after the backoff, not after the
        // lease (2 × timeout + 5 s), which would otherwise floor every wait.
        await manager.query(
          `UPDATE "${SCHEMA}"."deliveries" SET attempts = $2, last_attempt_at = now(), last_status = $3,
                  last_response = $4, next_attempt_at = now() + ($5 || ' milliseconds')::interval,
                  updated_at = now(), lease_token = NULL, lease_until = NULL
            WHERE id = $1 AND lease_token = $6`,
          [
            job.id,
            attempts,
            result.status ?? null,
            JSON.stringify({ message: result.message }),
            String(delay),
            job.token,
          ],
        );
        this.outcomes.inc({ action: job.action, outcome: 'retry' });
        return;
      }
    }
  }

  /** Remembers the PagerDuty incident's state and the routing key that opened it. */
  private async track(
    manager: EntityManager,
    job: ClaimedJob,
    plan: Extract<Plan, { kind: 'send' }>,
    known: PagerDutyIncidentEntity | null,
  ): Promise<void> {
    const repository = manager.getRepository(PagerDutyIncidentEntity);
    const now = new Date();
    if (job.action === 'trigger') {
      if (known && known.status !== 'resolved') {
        await repository.update(
          { channelId: job.channel_id, dedupKey: job.dedup_key },
          { payload: job.payload, updatedAt: now },
        );
        return;
      }
      await repository.upsert(
        {
          channelId: job.channel_id,
          dedupKey: job.dedup_key,
          workspaceId: job.workspace_id,
          routingKey: plan.sealedKey,
          region: plan.region,
          status: 'triggered',
          triggeredAt: now,
          payload: job.payload,
          updatedAt: now,
        },
        ['channelId', 'dedupKey'],
      );
      return;
    }
    await repository.update(
      { channelId: job.channel_id, dedupKey: job.dedup_key },
      {
        status: job.action === 'acknowledge' ? 'acknowledged' : 'resolved',
        payload: job.payload,
        updatedAt: now,
      },
    );
  }

  private async finish(
    job: ClaimedJob,
    status: 'skipped' | 'failed',
    reason: string,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE "${SCHEMA}"."deliveries" SET status = $2, reason = $3, updated_at = now(),
              lease_token = NULL, lease_until = NULL
        WHERE id = $1 AND lease_token = $4`,
      [job.id, status, reason, job.token],
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    clearInterval(this.pruneTimer);
    this.nudge();
    await Promise.all(this.loops);
    await this.client.close();
  }
}
