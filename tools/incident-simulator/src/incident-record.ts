import type { IncidentEventType, Origin, ResolutionReason } from '@app/contracts';
import type { Severity } from '@app/severity';
import type { IncidentStatus } from './incident-state-machine';

export interface BlastRadius {
  agents: number;
  tools: number;
  users: number;
  summary: string;
}

/** The incident as it travels in lifecycle events, less its status. */
export interface IncidentDetails {
  id: string;
  title: string;
  severity: Severity;
  alertCount: number;
  blastRadius: BlastRadius;
  recommendedActions: string[];
  url: string;
}

export interface HistoryActor {
  id: string;
  name: string;
  type: string;
}

/** One lifecycle event this simulator produced for the incident. */
export interface HistoryEntry {
  type: IncidentEventType;
  origin: Origin;
  occurredAt: string;
  eventId: string;
  resolutionReason?: ResolutionReason;
  actor?: HistoryActor;
  /** The sync event that caused it, when PagerDuty did. */
  syncEventId?: string;
  channelId?: string;
}

export interface IncidentRecord {
  workspaceId: string;
  details: IncidentDetails;
  status: IncidentStatus;
  /** When the incident last reopened (ms since epoch); sync events from before it are stale. */
  reopenedAtMs?: number;
  /** Last change of any kind; the stale sweep compares against it. */
  lastActivityAtMs: number;
  history: HistoryEntry[];
}

/** What `GET /incidents/:id` answers. */
export interface IncidentView {
  workspaceId: string;
  incident: IncidentDetails & { status: IncidentStatus };
  status: IncidentStatus;
  history: HistoryEntry[];
}

export function toView(record: IncidentRecord): IncidentView {
  return {
    workspaceId: record.workspaceId,
    incident: { ...record.details, status: record.status },
    status: record.status,
    history: record.history.map((entry) => ({ ...entry })),
  };
}
