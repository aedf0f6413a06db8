/**
 * PagerDuty V3 webhook payloads (one event per request). Only the fields
 * AxioRank reads or the simulator emits are typed; PagerDuty may add more.
 */

export const PAGERDUTY_WEBHOOK_HEADERS = Object.freeze({
  signature: 'x-pagerduty-signature',
  webhookId: 'x-webhook-id',
  subscription: 'x-webhook-subscription',
});

export const PAGERDUTY_WEBHOOK_USER_AGENT = 'PagerDuty-Webhook/V3.0';

export type PagerDutyReferenceType =
  | 'user_reference'
  | 'service_reference'
  | 'escalation_policy_reference'
  | 'team_reference'
  | 'priority_reference';

export interface PagerDutyReference {
  id: string;
  type: PagerDutyReferenceType | (string & {});
  summary?: string;
  self?: string | null;
  html_url?: string | null;
}

export type PagerDutyIncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface PagerDutyWebhookIncidentData {
  id: string;
  type: 'incident';
  self: string;
  html_url: string;
  number: number;
  status: PagerDutyIncidentStatus;
  /** The Events API `dedup_key`; absent when alert grouping merged the alert into another incident. */
  incident_key?: string | null;
  created_at: string;
  title: string;
  service: PagerDutyReference;
  assignees: PagerDutyReference[];
  escalation_policy: PagerDutyReference;
  teams: PagerDutyReference[];
  priority: PagerDutyReference | null;
  urgency: 'high' | 'low';
  conference_bridge: Record<string, unknown> | null;
  resolve_reason: Record<string, unknown> | null;
}

export interface PagerDutyWebhookPingData {
  message: string;
  type: 'ping';
}

export type PagerDutyIncidentEventType =
  'incident.triggered' | 'incident.acknowledged' | 'incident.resolved';

interface PagerDutyWebhookEventBase {
  /** Unique per event; the de-duplication key (retries of one delivery repeat it). */
  id: string;
  occurred_at: string;
  agent: PagerDutyReference | null;
  client: { name?: string; url?: string } | null;
}

export interface PagerDutyIncidentWebhookEvent extends PagerDutyWebhookEventBase {
  event_type: PagerDutyIncidentEventType;
  resource_type: 'incident';
  data: PagerDutyWebhookIncidentData;
}

export interface PagerDutyPingWebhookEvent extends PagerDutyWebhookEventBase {
  event_type: 'pagey.ping';
  resource_type: 'pagey';
  data: PagerDutyWebhookPingData;
}

export type PagerDutyWebhookEvent = PagerDutyIncidentWebhookEvent | PagerDutyPingWebhookEvent;

export interface PagerDutyWebhookEnvelope {
  event: PagerDutyWebhookEvent;
}

export const PAGERDUTY_PING_MESSAGE = 'Hello from your friend Pagey!';
