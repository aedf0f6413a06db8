import type { EventAction, PagerDutyIncidentStatus, Region } from '@app/pagerduty';

export interface PagerDutySimulatorOptions {
  /** Routing keys registered at start (and again after every reset), one service each. */
  routingKeys?: readonly string[];
  /** Accept any well-formed (32 letters/digits) key, registering a service for it on first use. */
  acceptAnyKey?: boolean;
  /** Events per routing key per rolling 60 s before 429. Default 120. */
  ratePerMinute?: number;
  /** Default true. */
  enforceRate?: boolean;
  /** Accept everything with 202 at once, recording only counters and arrivals. Default false. */
  fastMode?: boolean;
  /** PagerDuty waits 5 s for a webhook answer. */
  webhookTimeoutMs?: number;
  /** First retry delay; doubles per attempt. Default 1000. */
  webhookBackoffMs?: number;
  /** Ceiling for one retry delay. Default 60 000. */
  webhookMaxBackoffMs?: number;
  /** Attempts per delivery, the first included. Default 8. */
  webhookMaxAttempts?: number;
  /** Consecutive dropped deliveries (non-retryable 4xx) that disable a subscription for 24 h; 0 never. Default 3. */
  disableAfterDrops?: number;
  /** Base for `html_url` links; default the simulator's own URL. */
  publicUrl?: string;
  /** Records kept in the request and delivery logs (oldest dropped first). Default 10 000. */
  maxRecords?: number;
  /** Clock, for rate-limit tests. */
  now?: () => number;
  /** Structured log sink; silent when absent. */
  logger?: (entry: Record<string, unknown>) => void;
}

export interface SimulatorService {
  id: string;
  name: string;
  routingKey: string;
  createdAt: string;
  /** Registered implicitly by acceptAnyKey. */
  autoRegistered: boolean;
}

export type IncidentLogOutcome =
  'created' | 'updated' | 'acknowledged' | 'resolved' | 'unchanged' | 'dropped';

export interface IncidentLogEntry {
  at: string;
  action: EventAction;
  via: 'events_api' | 'responder';
  outcome: IncidentLogOutcome;
  region?: Region;
  payload?: unknown;
  user?: SimulatorUser;
}

export interface SimulatorIncident {
  id: string;
  number: number;
  serviceId: string;
  routingKey: string;
  dedupKey: string;
  status: PagerDutyIncidentStatus;
  title: string;
  severity: string;
  urgency: 'high' | 'low';
  createdAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  htmlUrl: string;
  log: IncidentLogEntry[];
}

export interface DroppedEvent {
  at: string;
  region: Region;
  routingKey: string;
  dedupKey: string;
  action: EventAction;
  reason: string;
  /** The resolved incident the key last belonged to, if any. */
  incidentId: string | null;
}

export type RequestOutcome = 'accepted' | 'invalid' | 'throttled' | 'fault' | 'hung';

export interface EnqueueRecord {
  seq: number;
  receivedAt: string;
  region: Region;
  path: string;
  bytes: number;
  /** Status answered; null while (or because) the request hangs. */
  status: number | null;
  outcome: RequestOutcome;
  routingKey?: string;
  eventAction?: string;
  dedupKey?: string;
  /** What an accepted event did to its incident. */
  effect?: IncidentLogOutcome;
  incidentId?: string;
  errors?: string[];
  warnings?: string[];
  /** The parsed body; omitted over 64 KB to bound memory. */
  body?: unknown;
  bodyOmitted?: boolean;
  response?: unknown;
}

export interface SimulatorUser {
  id: string;
  name: string;
}

export type WebhookEventType =
  'incident.triggered' | 'incident.acknowledged' | 'incident.resolved' | 'pagey.ping';

export interface WebhookSubscription {
  id: string;
  serviceId: string;
  url: string;
  secrets: string[];
  events: WebhookEventType[];
  /** Also deliver acknowledge/resolve done through the Events API (agent = service reference). */
  includeIntegrationActions: boolean;
  headers: Record<string, string>;
  createdAt: string;
  consecutiveDrops: number;
  disabledUntil: string | null;
}

export type DeliveryStatus =
  'pending' | 'delivered' | 'dropped' | 'failed' | 'skipped' | 'cancelled';

export interface DeliveryAttempt {
  at: string;
  status?: number;
  error?: string;
  durationMs: number;
}

export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  webhookId: string;
  eventId: string;
  eventType: WebhookEventType;
  incidentId: string | null;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: string;
  /** The exact bytes sent (and signed). */
  body: string;
}

export interface FaultSettings {
  failNext: number;
  status: number;
  latencyMs: number;
  hangNext: number;
  retryAfterSeconds: number | null;
}
