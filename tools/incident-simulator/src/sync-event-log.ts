import type { IncidentSyncEventType } from '@app/contracts';
import type { SyncOutcome } from './sync-policy';

/** One consumed sync event and what the simulator did with it (`GET /sync-events`). */
export interface SyncEventRecord {
  receivedAt: string;
  partition: number;
  offset: string;
  outcome: SyncOutcome;
  detail?: string;
  /** Absent when the message could not be parsed. */
  eventId?: string;
  type?: IncidentSyncEventType;
  workspaceId?: string;
  incidentId?: string;
  channelId?: string;
  occurredAt?: string;
  /** The Kafka key of a dead-lettered message. */
  key?: string;
  /** The lifecycle event produced when the sync event applied. */
  emittedEventId?: string;
}

export interface SyncEventFilter {
  incidentId?: string;
  workspaceId?: string;
  outcome?: SyncOutcome;
}

// A simulator runs for hours at most; these bounds only stop a runaway test from eating memory.
const MAX_RECORDS = 10_000;
const MAX_SEEN_IDS = 100_000;

/** Every sync event consumed, and the event ids already processed (for de-duplication). */
export class SyncEventLog {
  private readonly records: SyncEventRecord[] = [];
  private readonly seen = new Set<string>();

  hasSeen(eventId: string): boolean {
    return this.seen.has(eventId);
  }

  record(entry: SyncEventRecord): SyncEventRecord {
    this.records.push(entry);
    if (this.records.length > MAX_RECORDS) this.records.shift();
    if (entry.eventId !== undefined && entry.outcome !== 'dead_lettered') {
      this.seen.add(entry.eventId);
      if (this.seen.size > MAX_SEEN_IDS) {
        const oldest = this.seen.values().next();
        if (oldest.done !== true) this.seen.delete(oldest.value);
      }
    }
    return entry;
  }

  list(filter: SyncEventFilter = {}): SyncEventRecord[] {
    return this.records
      .filter(
        (entry) =>
          (filter.incidentId === undefined || entry.incidentId === filter.incidentId) &&
          (filter.workspaceId === undefined || entry.workspaceId === filter.workspaceId) &&
          (filter.outcome === undefined || entry.outcome === filter.outcome),
      )
      .map((entry) => ({ ...entry }));
  }
}
