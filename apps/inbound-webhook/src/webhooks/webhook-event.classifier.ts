import { isURL } from 'class-validator';
import { isIsoTimestamp, MAX_ID_LENGTH } from '@app/contracts';

/** Why a verified event was stored but produced no message. */
export const IGNORE_REASONS = [
  /** An event type AxioRank does not act on (e.g. `incident.priority_updated`). */
  'event_type',
  /** An acknowledge/resolve of an incident with no `incident_key`: not one AxioRank opened. */
  'no_incident_key',
  /** `occurred_at` older than `WEBHOOK_MAX_AGE_HOURS`. */
  'stale',
  /** An acknowledge/resolve missing what a sync event needs (incident id, a usable time). */
  'invalid_payload',
] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];

export type SyncEventType = 'incident.acknowledged' | 'incident.resolved';

/** What every verified, well-formed event has; enough to store and de-duplicate it. */
export interface EventFacts {
  /** PagerDuty's `event.id`. */
  id: string;
  type: string;
  /** `occurred_at` when it is a usable ISO 8601 date-time, else null. */
  occurredAt: Date | null;
  /** `data.incident_key` when it is a usable id, else null. */
  incidentKey: string | null;
}

export interface IncidentFacts {
  /** The AxioRank incident id (PagerDuty's `incident_key`). */
  key: string;
  /** PagerDuty's `occurred_at`, as sent. */
  occurredAt: string;
  pagerdutyIncidentId: string;
  number?: number;
  htmlUrl?: string;
  actor: { id: string; name: string; type: string } | null;
}

export type WebhookClassification =
  | { kind: 'malformed'; reason: string }
  | { kind: 'ping'; event: EventFacts }
  | { kind: 'sync'; event: EventFacts; type: SyncEventType; incident: IncidentFacts }
  | { kind: 'ignored'; event: EventFacts; reason: IgnoreReason };

export interface ClassifyOptions {
  now: Date;
  maxAgeMs: number;
}

const MAX_EVENT_TYPE_LENGTH = 128;
const MAX_URL_LENGTH = 2048;
const MAX_NAME_LENGTH = 1024;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A non-empty string PostgreSQL text and Kafka headers can carry: NUL is the one character a
 * JSON string may hold (as `\u0000`) that PostgreSQL text refuses.
 */
function text(value: unknown, maxLength: number): string | undefined {
  return typeof value === 'string' &&
    value.length > 0 &&
    value.length <= maxLength &&
    !value.includes('\u0000')
    ? value
    : undefined;
}

const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An ISO 8601 date-time with a zone, within the years PostgreSQL and every consumer accept. */
function occurredAtOf(value: unknown): Date | null {
  if (!isIsoTimestamp(value)) return null;
  const time = Date.parse(value);
  return time >= EARLIEST && time <= LATEST ? new Date(time) : null;
}

// The same rule as the contract's `IsHttpUrl`, so an odd URL is left out rather than failing the event.
const URL_RULE = { require_protocol: true, protocols: ['http', 'https'], require_tld: false };

function httpUrl(value: unknown): string | undefined {
  const candidate = text(value, MAX_URL_LENGTH);
  return candidate !== undefined && isURL(candidate, URL_RULE) ? candidate : undefined;
}

function actorOf(agent: unknown): IncidentFacts['actor'] {
  if (!isObject(agent)) return null;
  const id = text(agent.id, MAX_ID_LENGTH);
  if (id === undefined) return null;
  // Kept as PagerDuty says: `service_reference` marks a change made through the API, e.g. by
  // outbound-pager itself; consumers apply it idempotently either way.
  return {
    id,
    name: text(agent.summary, MAX_NAME_LENGTH) ?? '',
    type: text(agent.type, MAX_EVENT_TYPE_LENGTH) ?? 'unknown',
  };
}

function parseBody(rawBody: Buffer): { ok: true; json: unknown } | { ok: false; reason: string } {
  let source: string;
  try {
    source = UTF8.decode(rawBody);
  } catch {
    return { ok: false, reason: 'body is not UTF-8' };
  }
  try {
    return { ok: true, json: JSON.parse(source) as unknown };
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
}

/**
 * Decides what a verified PagerDuty V3 webhook body means for AxioRank. Pure: the caller has
 * checked the signature and acts on the result. Never throws, whatever the bytes.
 */
export function classifyWebhookEvent(
  rawBody: Buffer,
  options: ClassifyOptions,
): WebhookClassification {
  const parsed = parseBody(rawBody);
  if (!parsed.ok) return { kind: 'malformed', reason: parsed.reason };
  if (!isObject(parsed.json) || !isObject(parsed.json.event)) {
    return { kind: 'malformed', reason: 'body has no event object' };
  }
  const event = parsed.json.event;
  const id = text(event.id, MAX_ID_LENGTH);
  if (id === undefined) return { kind: 'malformed', reason: 'event.id is missing or invalid' };
  const type = text(event.event_type, MAX_EVENT_TYPE_LENGTH);
  if (type === undefined) {
    return { kind: 'malformed', reason: 'event.event_type is missing or invalid' };
  }

  const data = isObject(event.data) ? event.data : {};
  const occurredAt = occurredAtOf(event.occurred_at);
  const facts: EventFacts = {
    id,
    type,
    occurredAt,
    incidentKey: text(data.incident_key, MAX_ID_LENGTH) ?? null,
  };
  const ignored = (reason: IgnoreReason): WebhookClassification => ({
    kind: 'ignored',
    event: facts,
    reason,
  });
  const stale =
    occurredAt !== null && options.now.getTime() - occurredAt.getTime() > options.maxAgeMs;

  switch (type) {
    case 'pagey.ping':
      return stale ? ignored('stale') : { kind: 'ping', event: facts };
    case 'incident.acknowledged':
    case 'incident.resolved': {
      if (
        data.incident_key === undefined ||
        data.incident_key === null ||
        data.incident_key === ''
      ) {
        return ignored('no_incident_key');
      }
      const pagerdutyIncidentId = text(data.id, MAX_ID_LENGTH);
      if (facts.incidentKey === null || pagerdutyIncidentId === undefined || occurredAt === null) {
        return ignored('invalid_payload');
      }
      if (stale) return ignored('stale');
      const number = data.number;
      return {
        kind: 'sync',
        event: facts,
        type,
        incident: {
          key: facts.incidentKey,
          occurredAt: event.occurred_at as string,
          pagerdutyIncidentId,
          number:
            typeof number === 'number' && Number.isSafeInteger(number) && number >= 0
              ? number
              : undefined,
          htmlUrl: httpUrl(data.html_url),
          actor: actorOf(event.agent),
        },
      };
    }
    default:
      return ignored('event_type');
  }
}
