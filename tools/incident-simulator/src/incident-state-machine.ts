import type { IncidentEventType } from '@app/contracts';

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export type LifecycleAction = 'update' | 'acknowledge' | 'resolve' | 'reopen';

/**
 * What an action does to an incident in a given status:
 * - `move`: the incident goes to `to` and `eventType` is emitted;
 * - `unchanged`: it is already where the action would take it;
 * - `backwards`: the action would undo a later state (an acknowledge after a resolve);
 * - `illegal`: the action makes no sense in this status (reopening an open incident).
 */
export type Transition =
  | { kind: 'move'; to: IncidentStatus; eventType: IncidentEventType }
  | { kind: 'unchanged' | 'backwards' | 'illegal'; message: string };

function acknowledgeFrom(from: IncidentStatus): Transition {
  switch (from) {
    case 'open':
      return { kind: 'move', to: 'acknowledged', eventType: 'incident.acknowledged' };
    case 'acknowledged':
      return { kind: 'unchanged', message: 'incident is already acknowledged' };
    case 'resolved':
      return { kind: 'backwards', message: 'incident is resolved; it cannot be acknowledged' };
  }
}

/**
 * The incident lifecycle: open → acknowledged → resolved, with resolve allowed
 * straight from open and reopen the only way back from resolved. Nothing else
 * moves an incident backwards.
 */
export function transition(from: IncidentStatus, action: LifecycleAction): Transition {
  switch (action) {
    case 'update':
      return from === 'resolved'
        ? { kind: 'illegal', message: 'incident is resolved; reopen it before updating it' }
        : { kind: 'move', to: from, eventType: 'incident.updated' };
    case 'acknowledge':
      return acknowledgeFrom(from);
    case 'resolve':
      return from === 'resolved'
        ? { kind: 'unchanged', message: 'incident is already resolved' }
        : { kind: 'move', to: 'resolved', eventType: 'incident.resolved' };
    case 'reopen':
      return from === 'resolved'
        ? { kind: 'move', to: 'open', eventType: 'incident.opened' }
        : { kind: 'illegal', message: `incident is ${from}; only a resolved incident can reopen` };
  }
}

export function isActive(status: IncidentStatus): boolean {
  return status !== 'resolved';
}
