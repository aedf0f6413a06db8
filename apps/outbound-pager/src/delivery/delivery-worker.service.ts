import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  buildAxioRankAlertEvent,
  buildAxioRankIncidentEvent,
  PagerDutyClient,
  type PagerDutyEvent,
  type PagerDutyResult,
  type Region,
} from '@app/pagerduty';
import { GroupCommit, MetricsRegistry, SECRET_VAULT, SecretVault } from '@app/platform';
import { SCHEMA } from '../database/schema';
import type { DeliveryEntity } from '../deliveries/entities/delivery.entity';
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
  /** `rate_limited` while the job holds a token reserved for its `next_attempt_at`. */
  reason: string | null;
  /** The PagerDuty incident this (channel, dedup key) opened, read with the claim. */
  known_status: KnownIncident['status'] | null;
  known_routing_key: string | null;
  known_region: Region | null;
  /** The lease this worker holds; every update is fenced by it. */
  token: string;
}

/** The PagerDuty incident a (channel, dedup key) opened, and the routing that opened it. */
interface KnownIncident {
  status: 'triggered' | 'acknowledged' | 'resolved';
  routingKey: string;
  region: Region;
}

/** An accepted answer waiting to be recorded (see `recordAccepted`). */
interface AcceptedResult {
  id: string;
  token: string;
  attempts: number;
  status: number;
  response: string;
  payload: string;
  /** A new PagerDuty incident: remember the routing key and region that opened it. */
  opens: boolean;
  workspaceId: string;
  sealedKey: string;
  region: Region;
  newStatus: 'acknowledged' | 'resolved' | null;
}

const RATE_LIMITED = 'rate_limited';
/** Idle workers poll at `pollMs`, doubling while nothing is due, up to this. */
const MAX_IDLE_POLL_MS = 1000;

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
  private readonly accepted = new GroupCommit<AcceptedResult>((results) =>
    this.recordAccepted(results),
  );

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

  /**
   * `jobs` new jobs were recorded in this process: wake that many idle workers (one claim
   * takes up to a batch) instead of waiting for a poll, and no more: every woken worker runs
   * a claim, and waking them all for one job makes the rest claim nothing.
   */
  nudge(jobs = Number.POSITIVE_INFINITY): void {
    const wanted = Math.ceil(jobs / this.settings.batchSize);
    this.waiters.splice(0, wanted).forEach((wake) => wake());
  }

  private async loop(worker: number): Promise<void> {
    let failures = 0;
    let idlePollMs = this.settings.pollMs;
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
      if (claimed > 0) idlePollMs = this.settings.pollMs;
      if (claimed === 0 && this.running) {
        // New work in this process wakes a worker at once (nudge); the poll finds retries that
        // became due and work recorded by other replicas, so it can slow down while idle.
        const delay = failures > 0 ? Math.min(5000, 200 * 2 ** Math.min(failures, 5)) : idlePollMs;
        idlePollMs = Math.min(Math.max(MAX_IDLE_POLL_MS, this.settings.pollMs), idlePollMs * 2);
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
    // The PagerDuty incident comes with the claim: the claim's snapshot already shows every
    // earlier job of the same (channel, dedup key) finished, and each finish committed the
    // incident's state with it.
    const jobs = await this.dataSource.query<Omit<ClaimedJob, 'token'>[]>(
      `WITH "claimed" AS (
       UPDATE "${SCHEMA}"."deliveries" d
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
                  d.routing_key, d.region, d.payload, d.attempts, d.reason)
       SELECT c.*, i.status AS known_status, i.routing_key AS known_routing_key, i.region AS known_region
         FROM "claimed" c
         LEFT JOIN "${SCHEMA}"."pagerduty_incidents" i
           ON i.channel_id = c.channel_id AND i.dedup_key = c.dedup_key`,
      [this.settings.batchSize, token, String(this.leaseMs)],
    );
    await Promise.all(jobs.map((job) => this.deliver({ ...job, token })));
    return jobs.length;
  }

  private async deliver(job: ClaimedJob): Promise<void> {
    const known: KnownIncident | null =
      job.known_status === null || job.known_routing_key === null || job.known_region === null
        ? null
        : { status: job.known_status, routingKey: job.known_routing_key, region: job.known_region };
    const plan = this.plan(job, known);
    if (plan.kind !== 'send') {
      await this.finish(job, plan.kind === 'skip' ? 'skipped' : 'failed', plan.reason);
      this.outcomes.inc({
        action: job.action,
        outcome: plan.kind === 'skip' ? 'skipped' : 'failed',
      });
      return;
    }
    // A job deferred for want of a token already holds the token of its slot.
    const wait =
      job.reason === RATE_LIMITED
        ? 0
        : this.buckets.take(createHash('sha256').update(plan.routingKey).digest('base64'));
    if (wait > 0) {
      this.rateLimited.inc();
      await this.dataSource.query(
        `UPDATE "${SCHEMA}"."deliveries" SET next_attempt_at = now() + ($3 || ' milliseconds')::interval,
                reason = '${RATE_LIMITED}', lease_token = NULL, lease_until = NULL, updated_at = now()
          WHERE id = $1 AND lease_token = $2`,
        [job.id, job.token, String(wait)],
      );
      return;
    }
    const stopTimer = this.requestSeconds.startTimer();
    const result = await this.client.send(plan.event, plan.region);
    stopTimer({ outcome: result.outcome });
    await this.record(job, result, plan, known);
  }

  private plan(job: ClaimedJob, known: KnownIncident | null): Plan {
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
      // Kept with the PagerDuty incident until its resolve, possibly across a key rotation, so
      // kept sealed under the first key of CREDENTIAL_KEYS.
      const kept = this.vault.needsReseal(sealedKey)
        ? this.vault.protect(routingKey, job.workspace_id)
        : sealedKey;
      return { kind: 'send', event, routingKey, sealedKey: kept, region };
    } catch (error) {
      return {
        kind: 'fail',
        reason: `invalid_event: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  /**
   * Commits PagerDuty's answer as soon as it came, fenced by the lease: a worker whose lease
   * ran out records nothing. Accepted answers also carry the PagerDuty incident's state and are
   * group-committed (see `recordAccepted`); a retry or a rejection is one UPDATE.
   */
  private async record(
    job: ClaimedJob,
    result: PagerDutyResult,
    plan: Extract<Plan, { kind: 'send' }>,
    known: KnownIncident | null,
  ): Promise<void> {
    const attempts = job.attempts + 1;
    switch (result.outcome) {
      case 'accepted': {
        const opens = job.action === 'trigger' && !(known && known.status !== 'resolved');
        await this.accepted.submit([
          {
            id: job.id,
            token: job.token,
            attempts,
            status: result.status,
            response: JSON.stringify({ message: result.message }),
            payload: JSON.stringify(job.payload),
            opens,
            workspaceId: job.workspace_id,
            sealedKey: plan.sealedKey,
            region: plan.region,
            // A re-trigger of an open incident refreshes its details and keeps its status.
            newStatus:
              job.action === 'acknowledge'
                ? 'acknowledged'
                : job.action === 'resolve'
                  ? 'resolved'
                  : null,
          },
        ]);
        this.outcomes.inc({ action: job.action, outcome: 'delivered' });
        return;
      }
      case 'permanent': {
        await this.dataSource.query(
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
        // The lease ends with the answer, so the retry is due at its backoff, not at the lease.
        await this.dataSource.query(
          `UPDATE "${SCHEMA}"."deliveries" SET attempts = $2, reason = NULL, last_attempt_at = now(),
                  last_status = $3, last_response = $4,
                  next_attempt_at = now() + ($5 || ' milliseconds')::interval,
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

  /**
   * Commits accepted answers, those of concurrent workers together (group commit), in one
   * statement: each job marked delivered, fenced by its lease, and only for those the PagerDuty
   * incident's state with it: a new incident with the routing key and region that opened it,
   * or the new status and details of a known one. Atomic without BEGIN/COMMIT. No two results
   * of a group share a (channel, dedup key): the next job of an incident is not claimable
   * before this one is recorded.
   */
  private async recordAccepted(results: AcceptedResult[]): Promise<void> {
    const column = <K extends keyof AcceptedResult>(key: K) => results.map((r) => r[key]);
    const incidents = `"${SCHEMA}"."pagerduty_incidents"`;
    await this.dataSource.query(
      `WITH "r" AS (
         SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::int[], $4::int[], $5::jsonb[], $6::jsonb[],
                              $7::boolean[], $8::text[], $9::text[], $10::text[], $11::text[])
           AS r(id, token, attempts, last_status, response, payload, opens, workspace_id,
                routing_key, region, new_status)
       ), "done" AS (
         UPDATE "${SCHEMA}"."deliveries" d SET status = 'delivered', reason = NULL,
                attempts = r.attempts, last_attempt_at = now(), last_status = r.last_status,
                last_response = r.response, delivered_at = now(), updated_at = now(),
                lease_token = NULL, lease_until = NULL
           FROM "r" WHERE d.id = r.id AND d.lease_token = r.token
         RETURNING d.channel_id, d.dedup_key, r.payload, r.opens, r.workspace_id, r.routing_key,
                   r.region, r.new_status
       ), "opened" AS (
         INSERT INTO ${incidents}
           (channel_id, dedup_key, workspace_id, routing_key, region, status, triggered_at, payload, updated_at)
         SELECT channel_id, dedup_key, workspace_id, routing_key, region, 'triggered', now(), payload, now()
           FROM "done" WHERE opens
         ON CONFLICT (channel_id, dedup_key) DO UPDATE SET
           workspace_id = EXCLUDED.workspace_id, routing_key = EXCLUDED.routing_key,
           region = EXCLUDED.region, status = 'triggered', triggered_at = EXCLUDED.triggered_at,
           payload = EXCLUDED.payload, updated_at = EXCLUDED.updated_at
       )
       UPDATE ${incidents} i SET status = COALESCE("done".new_status, i.status),
              payload = "done".payload, updated_at = now()
         FROM "done"
        WHERE NOT "done".opens AND i.channel_id = "done".channel_id AND i.dedup_key = "done".dedup_key`,
      [
        column('id'),
        column('token'),
        column('attempts'),
        column('status'),
        column('response'),
        column('payload'),
        column('opens'),
        column('workspaceId'),
        column('sealedKey'),
        column('region'),
        column('newStatus'),
      ],
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
