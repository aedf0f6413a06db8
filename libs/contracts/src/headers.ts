import { truncate } from './common/truncate';

export const HEADERS = {
  origin: 'x-axiorank-origin',
  channelId: 'x-axiorank-channel-id',
  correlationId: 'x-correlation-id',
  traceparent: 'traceparent',
  dlqReason: 'x-dlq-reason',
  dlqSourceTopic: 'x-dlq-source-topic',
  dlqSourcePartition: 'x-dlq-source-partition',
  dlqSourceOffset: 'x-dlq-source-offset',
  dlqFailedAt: 'x-dlq-failed-at',
  /** On a dead letter whose value had to be cut to fit the broker: the original size in bytes. */
  dlqValueTruncated: 'x-dlq-value-truncated',
} as const;

/**
 * Where a lifecycle change started. Outbound-pager never sends an event whose
 * origin is `pagerduty` back to PagerDuty: that is what stops sync loops.
 */
export const ORIGINS = ['axiorank', 'pagerduty'] as const;
export type Origin = (typeof ORIGINS)[number];

export function isOrigin(value: unknown): value is Origin {
  return typeof value === 'string' && (ORIGINS as readonly string[]).includes(value);
}

/** Header values as kafkajs delivers them (Buffers, or arrays when a header repeats). */
export type RawHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type RawHeaders = Record<string, RawHeaderValue>;

export interface MessageHeaders {
  origin?: Origin;
  channelId?: string;
  correlationId?: string;
  traceparent?: string;
}

export interface DlqHeaderValues {
  reason: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  failedAt?: Date;
}

/** Longest `x-dlq-reason` written; `parseMessage` reasons already fit. */
export const MAX_DLQ_REASON_LENGTH = 1000;

// W3C Trace Context: version-traceid-parentid-flags; later versions may append fields.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/;

function isTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  if (match === null) return false;
  const [, version, traceId, parentId, rest] = match;
  if (version === 'ff') return false;
  if (version === '00' && rest !== undefined) return false;
  return !/^0+$/.test(traceId) && !/^0+$/.test(parentId);
}

function texts(value: RawHeaderValue): string[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values
    .map((single) => (typeof single === 'string' ? single : single.toString('utf8')))
    .filter((text) => text.length > 0);
}

function lookupAll(raw: RawHeaders, name: string): string[] {
  const exact = texts(raw[name]);
  if (exact.length > 0) return exact;
  // Kafka header names are case-sensitive; tolerate producers that capitalise them.
  const key = Object.keys(raw).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? [] : texts(raw[key]);
}

/** A repeated header keeps its first value, the one the producer set. */
function lookup(raw: RawHeaders, name: string): string | undefined {
  return lookupAll(raw, name)[0];
}

/**
 * Leaning towards `pagerduty` is the safe side: a change PagerDuty made must
 * never be sent back to it, so any origin value naming it wins.
 */
function readOrigin(raw: RawHeaders): Origin | undefined {
  const origins = lookupAll(raw, HEADERS.origin)
    .map((text) => text.trim().toLowerCase())
    .filter(isOrigin);
  return origins.includes('pagerduty') ? 'pagerduty' : origins[0];
}

/**
 * Reads the AxioRank headers of a consumed message. Values that are absent,
 * empty or malformed (an unknown origin, an invalid traceparent) come back
 * undefined rather than failing the message. The origin is read case-insensitively.
 */
export function readHeaders(raw: RawHeaders | undefined): MessageHeaders {
  if (!raw) return {};
  const result: MessageHeaders = {};
  const origin = readOrigin(raw);
  if (origin !== undefined) result.origin = origin;
  const channelId = lookup(raw, HEADERS.channelId);
  if (channelId !== undefined) result.channelId = channelId;
  const correlationId = lookup(raw, HEADERS.correlationId);
  if (correlationId !== undefined) result.correlationId = correlationId;
  const traceparent = lookup(raw, HEADERS.traceparent);
  if (traceparent !== undefined && isTraceparent(traceparent)) result.traceparent = traceparent;
  return result;
}

/** Headers for a produced message; undefined values are left out. */
export function buildHeaders(values: MessageHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  if (values.origin !== undefined) headers[HEADERS.origin] = values.origin;
  if (values.channelId !== undefined) headers[HEADERS.channelId] = values.channelId;
  if (values.correlationId !== undefined) headers[HEADERS.correlationId] = values.correlationId;
  if (values.traceparent !== undefined) headers[HEADERS.traceparent] = values.traceparent;
  return headers;
}

/** The headers a dead letter carries besides the original message's own. */
export function buildDlqHeaders(values: DlqHeaderValues): Record<string, string> {
  return {
    [HEADERS.dlqReason]: truncate(values.reason, MAX_DLQ_REASON_LENGTH),
    [HEADERS.dlqSourceTopic]: values.sourceTopic,
    [HEADERS.dlqSourcePartition]: String(values.sourcePartition),
    [HEADERS.dlqSourceOffset]: values.sourceOffset,
    [HEADERS.dlqFailedAt]: (values.failedAt ?? new Date()).toISOString(),
  };
}
