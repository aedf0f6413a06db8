import type { PagerDutySeverity } from '@app/severity';

/** `event_action` values of PagerDuty Events API v2. */
export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;

export type EventAction = (typeof EVENT_ACTIONS)[number];

/** Which PagerDuty service region receives the event (`events.pagerduty.com` or `events.eu.pagerduty.com`). */
export const REGIONS = ['us', 'eu'] as const;

export type Region = (typeof REGIONS)[number];

export interface PagerDutyLink {
  href: string;
  text?: string;
}

export interface PagerDutyImage {
  /** Must be served over HTTPS for PagerDuty to display it. */
  src: string;
  href?: string;
  alt?: string;
}

export interface PagerDutyPayload {
  summary: string;
  source: string;
  severity: PagerDutySeverity;
  /** ISO 8601. */
  timestamp?: string;
  component?: string;
  group?: string;
  class?: string;
  custom_details?: Record<string, unknown>;
}

/** The body of `POST /v2/enqueue`, field names exactly as PagerDuty spells them. */
export interface PagerDutyEvent {
  routing_key: string;
  event_action: EventAction;
  dedup_key: string;
  payload?: PagerDutyPayload;
  /** Top level, never inside `payload`. */
  links?: PagerDutyLink[];
  /** Top level, never inside `payload`. */
  images?: PagerDutyImage[];
  /** Only meaningful on `trigger`. */
  client?: string;
  /** Only meaningful on `trigger`. */
  client_url?: string;
}

/** The JSON body PagerDuty answers with (202 and 4xx alike; every field optional in practice). */
export interface PagerDutyResponseBody {
  status?: string;
  message?: string;
  dedup_key?: string;
  errors?: string[];
}
