import type { IncidentSyncEventType, IncidentEventType } from '@app/contracts';
import type { IncidentRecord } from './incident-record';
import { transition, type IncidentStatus, type LifecycleAction } from './incident-state-machine';

export const SYNC_OUTCOMES = [
  'applied',
  'ignored_other_workspace',
  'ignored_backwards',
  'ignored_duplicate',
  'ignored_unknown_incident',
  'dead_lettered',
] as const;
export type SyncOutcome = (typeof SYNC_OUTCOMES)[number];

export interface SyncFacts {
  eventId: string;
  type: IncidentSyncEventType;
  workspaceId: string;
  occurredAt: string;
}

export type SyncDecision =
  | { outcome: 'applied'; record: IncidentRecord; to: IncidentStatus; eventType: IncidentEventType }
  | { outcome: Exclude<SyncOutcome, 'applied' | 'dead_lettered'>; detail: string };

const ACTION: Readonly<Record<IncidentSyncEventType, LifecycleAction>> = {
  'incident.acknowledged': 'acknowledge',
  'incident.resolved': 'resolve',
};

/**
 * Decides what a valid sync event does to the incident it names. The
 * event's workspace is the PagerDuty channel's, so an incident of any other
 * workspace is never touched; a repeated event id, a state the incident is
 * already in, or a change older than the incident's latest reopen changes nothing.
 */
export function decideSync(
  sync: SyncFacts,
  record: IncidentRecord | undefined,
  alreadySeen: boolean,
): SyncDecision {
  if (alreadySeen) {
    return { outcome: 'ignored_duplicate', detail: `sync event ${sync.eventId} already processed` };
  }
  if (record === undefined) {
    return { outcome: 'ignored_unknown_incident', detail: 'no such incident' };
  }
  if (record.workspaceId !== sync.workspaceId) {
    return {
      outcome: 'ignored_other_workspace',
      detail: `incident belongs to another workspace than ${sync.workspaceId}`,
    };
  }
  // Only a reopened incident can receive news about an earlier incarnation; PagerDuty's
  // clock and ours are compared nowhere else, so skew cannot drop a first acknowledge.
  if (record.reopenedAtMs !== undefined && Date.parse(sync.occurredAt) < record.reopenedAtMs) {
    return {
      outcome: 'ignored_backwards',
      detail: `occurred at ${sync.occurredAt}, before the incident reopened at ${new Date(record.reopenedAtMs).toISOString()}`,
    };
  }
  const next = transition(record.status, ACTION[sync.type]);
  switch (next.kind) {
    case 'move':
      return { outcome: 'applied', record, to: next.to, eventType: next.eventType };
    case 'unchanged':
      return { outcome: 'ignored_duplicate', detail: next.message };
    case 'backwards':
    case 'illegal':
      return { outcome: 'ignored_backwards', detail: next.message };
  }
}
