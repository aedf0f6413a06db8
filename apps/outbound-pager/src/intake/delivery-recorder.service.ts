import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource, type EntityManager } from 'typeorm';
import { advisoryLockId, GroupCommit, MetricsRegistry } from '@app/platform';
import { SCHEMA } from '../database/schema';
import { DeliveryWorker } from '../delivery/delivery-worker.service';
import { SKIP_REASONS, type JobDraft } from '../policy/paging-planner';

const COLUMNS = [
  'event_id',
  'channel_id',
  'workspace_id',
  'source_type',
  'dedup_key',
  'action',
  'only_if_open',
  'status',
  'reason',
  'routing_key',
  'region',
  'payload',
  'occurred_at',
] as const;

/**
 * Writes the jobs for one consumed event, idempotent on (event id, channel id): a redelivered
 * Kafka message adds nothing. The consumer commits its offset only after this returns, so an
 * event is either recorded or will be consumed again. Events of the partitions consumed at once
 * are group-committed: one multi-row INSERT (and one worker wake-up) for all of them.
 */
@Injectable()
export class DeliveryRecorder {
  private readonly recorded: Counter;
  private readonly uncapped = new GroupCommit<JobDraft>(async (drafts) => {
    await this.insert(this.dataSource.manager, drafts);
    this.written(drafts);
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly worker: DeliveryWorker,
    metrics: MetricsRegistry,
  ) {
    this.recorded = new Counter({
      name: 'deliveries_recorded_total',
      help: 'Jobs recorded from consumed events, by status and reason',
      labelNames: ['status', 'reason'],
      registers: [metrics],
    });
  }

  async record(drafts: JobDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    const capped = drafts.some((d) => d.status === 'pending' && d.hourlyCap !== null);
    if (!capped) return this.uncapped.submit(drafts);
    this.written(
      await this.dataSource.transaction(async (manager) =>
        this.insert(manager, await this.applyHourlyCaps(manager, drafts)),
      ),
    );
  }

  private written(drafts: JobDraft[]): void {
    for (const d of drafts) this.recorded.inc({ status: d.status, reason: d.reason ?? '' });
    const pending = drafts.filter((d) => d.status === 'pending').length;
    if (pending > 0) this.worker.nudge(pending);
  }

  /**
   * Alerts mode: at most `hourlyCap` pages in any hour, judged on the alerts' own times. Alerts
   * from different partitions can arrive out of order, so an alert at t is capped when the
   * pages within an hour on either side of t already reach the cap: no hour-long window then
   * ever holds more than the cap. With alerts arriving in order this is the plain "pages in
   * the hour before t" rule.
   */
  private async applyHourlyCaps(manager: EntityManager, drafts: JobDraft[]): Promise<JobDraft[]> {
    const result: JobDraft[] = [];
    for (const draft of drafts) {
      if (draft.status !== 'pending' || draft.hourlyCap === null || draft.channelId === null) {
        result.push(draft);
        continue;
      }
      // Serialises cap decisions per channel across partitions and replicas.
      await manager.query('SELECT pg_advisory_xact_lock($1)', [
        advisoryLockId(`cap:${draft.channelId}`),
      ]);
      const [{ pages }] = await manager.query<{ pages: number }[]>(
        `SELECT count(*)::int AS pages FROM "${SCHEMA}"."deliveries"
          WHERE channel_id = $1 AND source_type = 'alert.raised' AND status IN ('pending', 'delivered')
            AND occurred_at > $2::timestamptz - interval '1 hour'
            AND occurred_at < $2::timestamptz + interval '1 hour'
            AND event_id <> $3`,
        [draft.channelId, draft.occurredAt.toISOString(), draft.eventId],
      );
      result.push(
        pages >= draft.hourlyCap
          ? { ...draft, status: 'suppressed', reason: SKIP_REASONS.hourlyCap }
          : draft,
      );
    }
    return result;
  }

  private async insert(manager: EntityManager, drafts: JobDraft[]): Promise<JobDraft[]> {
    const values: unknown[] = [];
    const rows = drafts.map((d) => {
      const row = [
        d.eventId,
        d.channelId,
        d.workspaceId,
        d.sourceType,
        d.dedupKey,
        d.action,
        d.onlyIfOpen,
        d.status,
        d.reason,
        d.routingKey,
        d.region,
        JSON.stringify(d.payload),
        d.occurredAt.toISOString(),
      ];
      const placeholders = row.map((_, i) => `$${values.length + i + 1}`);
      values.push(...row);
      return `(${placeholders.join(', ')})`;
    });
    await manager.query(
      `INSERT INTO "${SCHEMA}"."deliveries" (${COLUMNS.join(', ')}) VALUES ${rows.join(', ')}
        ON CONFLICT (event_id, COALESCE(channel_id, '00000000-0000-0000-0000-000000000000'::uuid)) DO NOTHING`,
      values,
    );
    return drafts;
  }
}

/** A stable event id for work this service originates (e.g. resolves on channel deletion). */
export function derivedEventId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
