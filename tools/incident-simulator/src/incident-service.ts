import { randomUUID } from 'node:crypto';
import type {
  IncidentEventType,
  IncidentSyncEventV1,
  MessageHeaders,
  Origin,
  ResolutionReason,
} from '@app/contracts';
import { IncidentCommandError } from './incident-command-error';
import { buildIncidentEvent } from './incident-event-factory';
import type { IncidentEventSink } from './incident-event-sink';
import type {
  CommandContext,
  LocalResolutionReason,
  OpenIncidentInput,
  SweepInput,
  SweepResult,
  UpdateIncidentInput,
} from './incident-inputs';
import {
  toView,
  type BlastRadius,
  type HistoryActor,
  type IncidentDetails,
  type IncidentRecord,
  type IncidentView,
} from './incident-record';
import {
  isActive,
  transition,
  type IncidentStatus,
  type LifecycleAction,
} from './incident-state-machine';
import { KeyedLock } from './keyed-lock';
import { errorText, silentLogger, type SimulatorLogger } from './simulator-logger';
import type { SyncEventLog, SyncEventRecord } from './sync-event-log';
import { decideSync } from './sync-policy';

export interface IncidentServiceOptions {
  sink: IncidentEventSink;
  syncLog: SyncEventLog;
  appBaseUrl: string;
  staleAfterMs: number;
  clock?: () => number;
  logger?: SimulatorLogger;
}

/** Where a sync event sat in its topic, for the record. */
export interface SyncPosition {
  partition: number;
  offset: string;
}

interface Change {
  type: IncidentEventType;
  status: IncidentStatus;
  details: IncidentDetails;
  origin: Origin;
  context: CommandContext;
  channelId?: string;
  resolutionReason?: ResolutionReason;
  actor?: HistoryActor;
  syncEventId?: string;
}

function summarise(radius: Omit<BlastRadius, 'summary'>): string {
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  return [
    count(radius.agents, 'agent'),
    count(radius.tools, 'tool'),
    count(radius.users, 'user'),
  ].join(', ');
}

function blastRadius(input: Partial<BlastRadius> = {}): BlastRadius {
  const counts = { agents: input.agents ?? 0, tools: input.tools ?? 0, users: input.users ?? 0 };
  return { ...counts, summary: input.summary ?? summarise(counts) };
}

/**
 * The simulated AxioRank incident service: every lifecycle change is decided
 * by the state machine, produced to Kafka (awaiting the broker) and only then
 * applied to the in-memory incident, one change at a time per incident.
 */
export class IncidentService {
  private readonly incidents = new Map<string, IncidentRecord>();
  private readonly lock = new KeyedLock();
  private readonly clock: () => number;
  private readonly logger: SimulatorLogger;

  constructor(private readonly options: IncidentServiceOptions) {
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? silentLogger;
  }

  get(id: string): IncidentView | undefined {
    const record = this.incidents.get(id);
    return record === undefined ? undefined : toView(record);
  }

  list(workspaceId?: string): IncidentView[] {
    return [...this.incidents.values()]
      .filter((record) => workspaceId === undefined || record.workspaceId === workspaceId)
      .map(toView);
  }

  async open(input: OpenIncidentInput, context: CommandContext = {}): Promise<IncidentView> {
    const id = input.id ?? `inc_${randomUUID()}`;
    return this.lock.run(id, async () => {
      if (this.incidents.has(id)) {
        throw new IncidentCommandError('conflict', `incident ${id} already exists`);
      }
      const now = this.clock();
      const details: IncidentDetails = {
        id,
        title: input.title,
        severity: input.severity,
        alertCount: input.alertCount ?? 1,
        blastRadius: blastRadius(input.blastRadius),
        recommendedActions: input.recommendedActions ?? [],
        url: input.url ?? this.defaultUrl(input.workspaceId, id),
      };
      const record: IncidentRecord = {
        workspaceId: input.workspaceId,
        details,
        status: 'open',
        lastActivityAtMs: now,
        history: [],
      };
      await this.apply(record, {
        type: 'incident.opened',
        status: 'open',
        details,
        origin: 'axiorank',
        context,
      });
      this.incidents.set(id, record);
      return toView(record);
    });
  }

  async update(
    id: string,
    changes: UpdateIncidentInput,
    context: CommandContext = {},
  ): Promise<IncidentView> {
    return this.command(id, 'update', context, (record) => ({
      ...record.details,
      ...definedOnly({
        title: changes.title,
        severity: changes.severity,
        alertCount: changes.alertCount,
        recommendedActions: changes.recommendedActions,
        url: changes.url,
      }),
      ...(changes.blastRadius === undefined
        ? {}
        : { blastRadius: blastRadius(changes.blastRadius) }),
    }));
  }

  async acknowledge(id: string, context: CommandContext = {}): Promise<IncidentView> {
    return this.command(id, 'acknowledge', context);
  }

  async resolve(
    id: string,
    reason: LocalResolutionReason = 'manual',
    context: CommandContext = {},
  ): Promise<IncidentView> {
    return this.command(id, 'resolve', context, undefined, reason);
  }

  async reopen(id: string, context: CommandContext = {}): Promise<IncidentView> {
    return this.command(id, 'reopen', context);
  }

  /** Auto-resolves (`auto_stale`) every active incident idle for at least `olderThanMs`. */
  async sweep(input: SweepInput = {}): Promise<SweepResult> {
    const olderThanMs = input.olderThanMs ?? this.options.staleAfterMs;
    const isStale = (record: IncidentRecord): boolean =>
      isActive(record.status) &&
      (input.workspaceId === undefined || record.workspaceId === input.workspaceId) &&
      this.clock() - record.lastActivityAtMs >= olderThanMs;
    const result: SweepResult = { olderThanMs, resolved: [], failed: [] };
    const candidates = [...this.incidents.values()].filter(isStale).map((r) => r.details.id);
    for (const id of candidates) {
      try {
        const resolved = await this.lock.run(id, async () => {
          const record = this.incidents.get(id);
          // Something may have touched it while earlier candidates were being resolved.
          if (record === undefined || !isStale(record)) return false;
          await this.apply(record, {
            type: 'incident.resolved',
            status: 'resolved',
            details: record.details,
            origin: 'axiorank',
            context: {},
            resolutionReason: 'auto_stale',
          });
          return true;
        });
        if (resolved) result.resolved.push(id);
      } catch (error) {
        this.logger.error('stale sweep could not resolve an incident', {
          incidentId: id,
          error: errorText(error),
        });
        result.failed.push({ id, error: errorText(error) });
      }
    }
    if (result.resolved.length > 0) {
      this.logger.info('stale sweep resolved incidents', { ids: result.resolved, olderThanMs });
    }
    return result;
  }

  /**
   * Applies an acknowledge or resolve reported by PagerDuty, or records why
   * not. Throws only when the resulting event could not be produced, so the
   * consumer retries the message (it is not yet marked as seen).
   */
  async applySync(
    event: IncidentSyncEventV1,
    headers: MessageHeaders,
    position: SyncPosition,
  ): Promise<SyncEventRecord> {
    return this.lock.run(event.incidentId, async () => {
      const decision = decideSync(
        event,
        this.incidents.get(event.incidentId),
        this.options.syncLog.hasSeen(event.eventId),
      );
      const entry: SyncEventRecord = {
        receivedAt: new Date(this.clock()).toISOString(),
        partition: position.partition,
        offset: position.offset,
        outcome: decision.outcome,
        eventId: event.eventId,
        type: event.type,
        workspaceId: event.workspaceId,
        incidentId: event.incidentId,
        channelId: event.channelId,
        occurredAt: event.occurredAt,
      };
      if (decision.outcome !== 'applied') {
        return this.options.syncLog.record({ ...entry, detail: decision.detail });
      }
      const actor = event.actor ?? undefined;
      const emitted = await this.apply(decision.record, {
        type: decision.eventType,
        status: decision.to,
        details: decision.record.details,
        // The change came from PagerDuty: saying so is what keeps outbound-pager from echoing it.
        origin: event.source,
        channelId: headers.channelId ?? event.channelId,
        context: { correlationId: headers.correlationId, traceparent: headers.traceparent },
        resolutionReason: decision.to === 'resolved' ? 'pagerduty' : undefined,
        actor:
          actor === undefined ? undefined : { id: actor.id, name: actor.name, type: actor.type },
        syncEventId: event.eventId,
      });
      this.logger.info('sync event applied', {
        incidentId: event.incidentId,
        syncEventId: event.eventId,
        status: decision.to,
      });
      return this.options.syncLog.record({ ...entry, emittedEventId: emitted });
    });
  }

  /** Resolves once every change already started has finished. */
  async idle(): Promise<void> {
    await this.lock.idle();
  }

  private async command(
    id: string,
    action: LifecycleAction,
    context: CommandContext,
    nextDetails?: (record: IncidentRecord) => IncidentDetails,
    resolutionReason?: LocalResolutionReason,
  ): Promise<IncidentView> {
    return this.lock.run(id, async () => {
      const record = this.incidents.get(id);
      if (record === undefined) {
        throw new IncidentCommandError('not_found', `incident ${id} not found`);
      }
      const next = transition(record.status, action);
      if (next.kind !== 'move') {
        throw new IncidentCommandError('conflict', `cannot ${action} ${id}: ${next.message}`);
      }
      await this.apply(record, {
        type: next.eventType,
        status: next.to,
        details: nextDetails?.(record) ?? record.details,
        origin: 'axiorank',
        context,
        resolutionReason: next.to === 'resolved' ? (resolutionReason ?? 'manual') : undefined,
      });
      return toView(record);
    });
  }

  /** Produces the change's event and, once the broker has it, applies the change. Returns the event id. */
  private async apply(record: IncidentRecord, change: Change): Promise<string> {
    const now = this.clock();
    const event = buildIncidentEvent({
      type: change.type,
      workspaceId: record.workspaceId,
      details: change.details,
      status: change.status,
      occurredAt: new Date(now),
      resolutionReason: change.resolutionReason,
    });
    await this.options.sink.publishIncidentEvent(event, {
      origin: change.origin,
      channelId: change.channelId,
      correlationId: change.context.correlationId ?? randomUUID(),
      traceparent: change.context.traceparent,
    });
    const reopened = record.status === 'resolved' && change.status === 'open';
    if (reopened) record.reopenedAtMs = now;
    record.details = change.details;
    record.status = change.status;
    record.lastActivityAtMs = now;
    record.history.push({
      type: change.type,
      origin: change.origin,
      occurredAt: event.occurredAt,
      eventId: event.eventId,
      ...definedOnly({
        resolutionReason: change.resolutionReason,
        actor: change.actor,
        syncEventId: change.syncEventId,
        channelId: change.channelId,
      }),
    });
    return event.eventId;
  }

  private defaultUrl(workspaceId: string, id: string): string {
    return `${this.options.appBaseUrl}/workspaces/${encodeURIComponent(workspaceId)}/incidents/${encodeURIComponent(id)}`;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined),
  ) as Partial<T>;
}
