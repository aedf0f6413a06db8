/**
 * PagerDuty's documented limits for Events API v2. Lengths are counted in
 * UTF-16 code units, which is never fewer than the characters PagerDuty
 * counts, so staying within them is always safe.
 */
export const PAGERDUTY_LIMITS = Object.freeze({
  summaryMaxLength: 1024,
  dedupKeyMaxLength: 255,
  routingKeyLength: 32,
  /** The serialized event must be strictly smaller than this many UTF-8 bytes (512 KB). */
  eventMaxBytes: 524_288,
});

export const DEFAULT_PAGERDUTY_EVENTS_URLS = Object.freeze({
  us: 'https://events.pagerduty.com/v2/enqueue',
  eu: 'https://events.eu.pagerduty.com/v2/enqueue',
});

/** Letters and digits only, as AxioRank stores integration keys. */
export const ROUTING_KEY_PATTERN = /^[A-Za-z0-9]{32}$/;
