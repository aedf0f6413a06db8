import { PAGERDUTY_SEVERITIES, type PagerDutySeverity } from '@app/severity';
import { fitCustomDetails } from './custom-details-shrinker';
import { DedupKeyTooLongError } from './dedup-key-too-long.error';
import { EventTooLargeError } from './event-too-large.error';
import {
  EVENT_ACTIONS,
  type EventAction,
  type PagerDutyEvent,
  type PagerDutyImage,
  type PagerDutyLink,
  type PagerDutyPayload,
} from './events-v2.types';
import { InvalidEventInputError } from './invalid-event-input.error';
import { PAGERDUTY_LIMITS } from './pagerduty-limits';
import { truncateWithMarker, utf8ByteLength } from './text-limits';

export const DEFAULT_EVENT_SOURCE = 'AxioRank';

export interface IncidentEventInput {
  action: EventAction;
  routingKey: string;
  /** At most 255 characters; longer keys are rejected, never truncated. */
  dedupKey: string;
  /** Trimmed; empty becomes "AxioRank incident <dedupKey>"; over 1024 characters ends in "…". */
  summary: string;
  severity: PagerDutySeverity;
  /** Defaults to "AxioRank". */
  source?: string;
  /** ISO 8601 string or Date; an unparseable value is left out (PagerDuty then uses the receive time). */
  timestamp?: string | Date;
  component?: string;
  group?: string;
  class?: string;
  /** Shrunk (and marked under `_truncated`) when the event would reach 512 KB. */
  customDetails?: Readonly<Record<string, unknown>>;
  links?: readonly PagerDutyLink[];
  images?: readonly PagerDutyImage[];
  /** Sent on trigger only. */
  client?: string;
  /** Sent on trigger only. */
  clientUrl?: string;
}

/**
 * Builds an Events API v2 event that PagerDuty will accept. The payload goes
 * with every action (event orchestration routes acknowledge and resolve by
 * it); `client`/`client_url` only with trigger. Throws
 * {@link InvalidEventInputError} (or its subclasses {@link DedupKeyTooLongError}
 * and {@link EventTooLargeError}) for input that cannot be made valid.
 */
export function buildIncidentEvent(input: IncidentEventInput): PagerDutyEvent {
  const action = checkAction(input.action);
  const dedupKey = checkDedupKey(input.dedupKey);
  const severity = checkSeverity(input.severity);

  const payload: PagerDutyPayload = {
    summary: normalizeSummary(input.summary, dedupKey),
    source: nonBlank(input.source) ?? DEFAULT_EVENT_SOURCE,
    severity,
  };
  const timestamp = normalizeTimestamp(input.timestamp);
  if (timestamp !== undefined) {
    payload.timestamp = timestamp;
  }
  assignIfPresent(payload, 'component', nonBlank(input.component));
  assignIfPresent(payload, 'group', nonBlank(input.group));
  assignIfPresent(payload, 'class', nonBlank(input.class));

  const event: PagerDutyEvent = {
    routing_key: input.routingKey,
    event_action: action,
    dedup_key: dedupKey,
    payload,
  };
  const links = (input.links ?? []).filter((link) => nonBlank(link.href) !== undefined);
  if (links.length > 0) {
    event.links = links.map((link) =>
      link.text === undefined ? { href: link.href } : { href: link.href, text: link.text },
    );
  }
  const images = (input.images ?? []).filter((image) => nonBlank(image.src) !== undefined);
  if (images.length > 0) {
    event.images = images.map((image) => ({ ...image }));
  }
  if (action === 'trigger') {
    assignIfPresent(event, 'client', nonBlank(input.client));
    assignIfPresent(event, 'client_url', nonBlank(input.clientUrl));
  }

  return fitUnderSizeLimit(event, input.customDetails);
}

/** The exact bytes the client sends; the size limit is measured on this. */
export function serializePagerDutyEvent(event: PagerDutyEvent): string {
  return JSON.stringify(event);
}

export function pagerDutyEventByteLength(event: PagerDutyEvent): number {
  return utf8ByteLength(serializePagerDutyEvent(event));
}

export function normalizeSummary(summary: string | undefined | null, dedupKey: string): string {
  const trimmed = typeof summary === 'string' ? summary.trim() : '';
  const text = trimmed.length > 0 ? trimmed : `AxioRank incident ${dedupKey}`;
  return truncateWithMarker(text, PAGERDUTY_LIMITS.summaryMaxLength);
}

function fitUnderSizeLimit(
  event: PagerDutyEvent,
  customDetails: Readonly<Record<string, unknown>> | undefined,
): PagerDutyEvent {
  const payload = event.payload as PagerDutyPayload;
  const fits = (): boolean => pagerDutyEventByteLength(event) < PAGERDUTY_LIMITS.eventMaxBytes;
  if (customDetails !== undefined && customDetails !== null) {
    const fitted = fitCustomDetails(customDetails, (candidate) => {
      payload.custom_details = candidate;
      return fits();
    });
    if (fitted !== undefined) {
      payload.custom_details = fitted;
      return event;
    }
    delete payload.custom_details;
  }
  if (!fits()) {
    throw new EventTooLargeError(pagerDutyEventByteLength(event));
  }
  return event;
}

function checkAction(action: unknown): EventAction {
  if (!(EVENT_ACTIONS as readonly unknown[]).includes(action)) {
    throw new InvalidEventInputError(
      'event_action_invalid',
      `event_action must be one of ${EVENT_ACTIONS.join(', ')}`,
    );
  }
  return action as EventAction;
}

function checkDedupKey(dedupKey: unknown): string {
  if (typeof dedupKey !== 'string' || dedupKey.trim().length === 0) {
    throw new InvalidEventInputError(
      'dedup_key_missing',
      'dedup_key is required: without it every trigger opens a new PagerDuty incident',
    );
  }
  if (dedupKey.length > PAGERDUTY_LIMITS.dedupKeyMaxLength) {
    throw new DedupKeyTooLongError(dedupKey.length);
  }
  return dedupKey;
}

function checkSeverity(severity: unknown): PagerDutySeverity {
  if (!(PAGERDUTY_SEVERITIES as readonly unknown[]).includes(severity)) {
    throw new InvalidEventInputError(
      'severity_invalid',
      `severity must be one of ${PAGERDUTY_SEVERITIES.join(', ')}`,
    );
  }
  return severity as PagerDutySeverity;
}

function normalizeTimestamp(timestamp: string | Date | undefined): string | undefined {
  if (timestamp === undefined || timestamp === null) {
    return undefined;
  }
  const date = timestamp instanceof Date ? timestamp : new Date(timestamp);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function nonBlank(value: string | undefined | null): string | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

function assignIfPresent<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) {
    target[key] = value;
  }
}
