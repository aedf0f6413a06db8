import { toPagerDutySeverity, type Severity } from '@app/severity';
import type { EventAction, PagerDutyEvent, PagerDutyLink } from './events-v2.types';
import { buildIncidentEvent, DEFAULT_EVENT_SOURCE } from './incident-event.builder';

export const AXIORANK_CLIENT = 'AxioRank';
export const AXIORANK_LINK_TEXT = 'Open in AxioRank';

export interface AxioRankBlastRadius {
  agents?: number;
  tools?: number;
  users?: number;
  summary?: string;
}

export interface AxioRankIncidentRef {
  /** Becomes the dedup_key. */
  id: string;
  title: string;
  severity: Severity;
  alertCount: number;
  blastRadius?: AxioRankBlastRadius | null;
  recommendedActions?: readonly string[] | null;
  /** Deep link to the incident in AxioRank (the caller resolves the APP_BASE_URL default). */
  url: string;
}

export interface AxioRankIncidentEventInput {
  action: EventAction;
  routingKey: string;
  incident: AxioRankIncidentRef;
  workspaceId: string;
  /** Defaults to "AxioRank". */
  source?: string;
  timestamp?: string | Date;
}

export interface AxioRankAlertRef {
  /** Becomes the dedup_key. */
  id: string;
  title: string;
  severity: Severity;
  riskScore: number;
  agent: { id: string; name: string };
  tool: string;
  incidentId?: string | null;
  url?: string | null;
}

export interface AxioRankAlertEventInput {
  action: EventAction;
  routingKey: string;
  alert: AxioRankAlertRef;
  workspaceId: string;
  source?: string;
  timestamp?: string | Date;
}

/**
 * "What lands in PagerDuty" for a correlated incident: summary = title,
 * severity mapped, source AxioRank, details (alert count, blast radius,
 * recommended actions, workspace, deep link), a top-level link back,
 * client AxioRank, dedup_key = incident id. Identical payload on every action.
 */
export function buildAxioRankIncidentEvent(input: AxioRankIncidentEventInput): PagerDutyEvent {
  const { incident } = input;
  const customDetails: Record<string, unknown> = {
    correlated_alert_count: incident.alertCount,
  };
  if (incident.blastRadius !== undefined && incident.blastRadius !== null) {
    customDetails.blast_radius = incident.blastRadius;
  }
  if (incident.recommendedActions !== undefined && incident.recommendedActions !== null) {
    customDetails.recommended_actions = incident.recommendedActions;
  }
  customDetails.workspace_id = input.workspaceId;
  customDetails.axiorank_incident_url = incident.url;

  return buildIncidentEvent({
    action: input.action,
    routingKey: input.routingKey,
    dedupKey: incident.id,
    summary: incident.title,
    severity: toPagerDutySeverity(incident.severity),
    source: input.source ?? DEFAULT_EVENT_SOURCE,
    timestamp: input.timestamp,
    class: 'ai_agent_incident',
    customDetails,
    links: deepLinks(incident.url),
    client: AXIORANK_CLIENT,
    clientUrl: incident.url,
  });
}

/** Alerts mode: one PagerDuty incident per high-risk alert, dedup_key = alert id. */
export function buildAxioRankAlertEvent(input: AxioRankAlertEventInput): PagerDutyEvent {
  const { alert } = input;
  const url = alert.url ?? undefined;
  const customDetails: Record<string, unknown> = {
    risk_score: alert.riskScore,
    agent: { id: alert.agent.id, name: alert.agent.name },
    tool: alert.tool,
  };
  if (alert.incidentId !== undefined && alert.incidentId !== null) {
    customDetails.incident_id = alert.incidentId;
  }
  customDetails.workspace_id = input.workspaceId;
  if (url !== undefined) {
    customDetails.axiorank_alert_url = url;
  }

  return buildIncidentEvent({
    action: input.action,
    routingKey: input.routingKey,
    dedupKey: alert.id,
    summary: alert.title,
    severity: toPagerDutySeverity(alert.severity),
    source: input.source ?? DEFAULT_EVENT_SOURCE,
    timestamp: input.timestamp,
    component: alert.tool,
    group: alert.agent.name,
    class: 'ai_agent_alert',
    customDetails,
    links: deepLinks(url),
    client: AXIORANK_CLIENT,
    clientUrl: url,
  });
}

function deepLinks(url: string | undefined): PagerDutyLink[] {
  return url !== undefined && url.trim().length > 0
    ? [{ href: url, text: AXIORANK_LINK_TEXT }]
    : [];
}
