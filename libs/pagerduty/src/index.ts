export {
  EVENT_ACTIONS,
  REGIONS,
  type EventAction,
  type PagerDutyEvent,
  type PagerDutyImage,
  type PagerDutyLink,
  type PagerDutyPayload,
  type PagerDutyResponseBody,
  type Region,
} from './events-v2.types';
export {
  DEFAULT_PAGERDUTY_EVENTS_URLS,
  PAGERDUTY_LIMITS,
  ROUTING_KEY_PATTERN,
} from './pagerduty-limits';
export {
  DEFAULT_EVENT_SOURCE,
  buildIncidentEvent,
  normalizeSummary,
  pagerDutyEventByteLength,
  serializePagerDutyEvent,
  type IncidentEventInput,
} from './incident-event.builder';
export {
  AXIORANK_CLIENT,
  AXIORANK_LINK_TEXT,
  buildAxioRankAlertEvent,
  buildAxioRankIncidentEvent,
  type AxioRankAlertEventInput,
  type AxioRankAlertRef,
  type AxioRankBlastRadius,
  type AxioRankIncidentEventInput,
  type AxioRankIncidentRef,
} from './axiorank-event.builder';
export { TRUNCATED_MARKER_KEY, type JsonObject, type JsonValue } from './custom-details-shrinker';
export { TRUNCATION_MARKER, truncateWithMarker } from './text-limits';
export { InvalidEventInputError, type InvalidEventInputCode } from './invalid-event-input.error';
export { DedupKeyTooLongError } from './dedup-key-too-long.error';
export { EventTooLargeError } from './event-too-large.error';
export { validatePagerDutyEvent } from './event.validator';
export { parseRetryAfter } from './retry-after';
export { PagerDutyClient, type PagerDutyClientOptions } from './pagerduty-client';
export type {
  PagerDutyAccepted,
  PagerDutyPermanentFailure,
  PagerDutyResult,
  PagerDutyTransientFailure,
  TransientCause,
} from './pagerduty-result.types';
export {
  PAGERDUTY_PING_MESSAGE,
  PAGERDUTY_WEBHOOK_HEADERS,
  PAGERDUTY_WEBHOOK_USER_AGENT,
  type PagerDutyIncidentEventType,
  type PagerDutyIncidentStatus,
  type PagerDutyIncidentWebhookEvent,
  type PagerDutyPingWebhookEvent,
  type PagerDutyReference,
  type PagerDutyReferenceType,
  type PagerDutyWebhookEnvelope,
  type PagerDutyWebhookEvent,
  type PagerDutyWebhookIncidentData,
  type PagerDutyWebhookPingData,
} from './webhook-v3.types';
