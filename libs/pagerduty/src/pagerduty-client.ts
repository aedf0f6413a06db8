import { Agent, request, type Dispatcher } from 'undici';
import type { PagerDutyEvent, PagerDutyResponseBody, Region } from './events-v2.types';
import { validatePagerDutyEvent } from './event.validator';
import { DEFAULT_PAGERDUTY_EVENTS_URLS } from './pagerduty-limits';
import type {
  PagerDutyPermanentFailure,
  PagerDutyResult,
  PagerDutyTransientFailure,
} from './pagerduty-result.types';
import { parseRetryAfter } from './retry-after';

export interface PagerDutyClientOptions {
  /** Full enqueue URL, default `https://events.pagerduty.com/v2/enqueue`. */
  usUrl?: string;
  /** Full enqueue URL, default `https://events.eu.pagerduty.com/v2/enqueue`. */
  euUrl?: string;
  /** Deadline for one send, connect to last body byte. Default 10 000. */
  timeoutMs?: number;
  userAgent: string;
  /** Sockets per origin kept in the pool. Default 16. */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_ERRORS = 50;
const MAX_TEXT_LENGTH = 1_000;
const REDACTED = '[redacted]';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/**
 * Events API v2 client. Never throws from `send`: every outcome is a
 * {@link PagerDutyResult} telling the caller whether to retry. The routing key
 * is redacted from every message it returns, including text PagerDuty (or a
 * proxy) might echo back.
 */
export class PagerDutyClient {
  private readonly urls: Readonly<Record<Region, URL>>;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly agent: Agent;
  private closed = false;

  constructor(options: PagerDutyClientOptions) {
    this.urls = {
      us: parseUrl(options.usUrl ?? DEFAULT_PAGERDUTY_EVENTS_URLS.us, 'usUrl'),
      eu: parseUrl(options.euUrl ?? DEFAULT_PAGERDUTY_EVENTS_URLS.eu, 'euUrl'),
    };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) {
      throw new RangeError('PagerDutyClient timeoutMs must be a positive number');
    }
    this.userAgent = options.userAgent;
    this.agent = new Agent({
      connections: options.connections ?? 16,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      connect: { timeout: this.timeoutMs },
    });
  }

  async send(event: PagerDutyEvent, region: Region): Promise<PagerDutyResult> {
    const routingKey = typeof event?.routing_key === 'string' ? event.routing_key : '';
    const redact = (text: string): string => redactSecret(text, routingKey);
    const url = this.urlFor(region);
    if (url === undefined) {
      return notSent(`Unknown PagerDuty region "${String(region)}"`, []);
    }
    let body: string;
    try {
      body = JSON.stringify(event);
    } catch {
      return notSent('The event cannot be serialized to JSON', []);
    }
    const errors = validatePagerDutyEvent(event, body);
    if (errors.length > 0) {
      return notSent('The event is invalid and was not sent to PagerDuty', errors);
    }
    if (this.closed) {
      return { outcome: 'transient', cause: 'network', message: 'PagerDuty client is closed' };
    }

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    try {
      const response = await request(url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'user-agent': this.userAgent,
        },
        body,
        signal: controller.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await readCapped(response.body);
      return classify(response.statusCode, response.headers, text, event, redact);
    } catch (error: unknown) {
      return networkFailure(error, timedOut, this.timeoutMs, redact);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes pooled sockets after in-flight requests finish. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.agent.close();
  }

  private urlFor(region: Region): URL | undefined {
    switch (region) {
      case 'us':
        return this.urls.us;
      case 'eu':
        return this.urls.eu;
      default:
        return undefined;
    }
  }
}

function classify(
  status: number,
  headers: Dispatcher.ResponseData['headers'],
  text: string,
  event: PagerDutyEvent,
  redact: (text: string) => string,
): PagerDutyResult {
  const parsed = parseBody(text);
  const message = redact(
    clipText(
      parsed?.message ?? (text.trim() === '' ? `PagerDuty answered ${status}` : text.trim()),
    ),
  );
  if (status >= 200 && status < 300) {
    return {
      outcome: 'accepted',
      status,
      dedupKey: parsed?.dedup_key ?? event.dedup_key ?? '',
      message: parsed?.message ?? 'Event processed',
    };
  }
  if (status === 408 || status === 429 || status >= 500) {
    const failure: PagerDutyTransientFailure = {
      outcome: 'transient',
      status,
      cause: 'http',
      message,
    };
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    if (retryAfterMs !== undefined) {
      failure.retryAfterMs = retryAfterMs;
    }
    return failure;
  }
  return {
    outcome: 'permanent',
    status,
    sent: true,
    message,
    errors: (parsed?.errors ?? []).slice(0, MAX_ERRORS).map((error) => redact(clipText(error))),
  };
}

function networkFailure(
  error: unknown,
  timedOut: boolean,
  timeoutMs: number,
  redact: (text: string) => string,
): PagerDutyTransientFailure {
  const code = errorCode(error);
  if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return {
      outcome: 'transient',
      cause: 'timeout',
      message: `No answer from PagerDuty within ${timeoutMs} ms`,
    };
  }
  const detail = errorMessage(error);
  return {
    outcome: 'transient',
    cause: 'network',
    message: redact(clipText(`Network error talking to PagerDuty: ${detail}`)),
  };
}

function notSent(message: string, errors: string[]): PagerDutyPermanentFailure {
  return { outcome: 'permanent', sent: false, message, errors };
}

function parseBody(text: string): PagerDutyResponseBody | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return undefined;
    }
    const record = value as Record<string, unknown>;
    const body: PagerDutyResponseBody = {};
    if (typeof record.status === 'string') body.status = record.status;
    if (typeof record.message === 'string') body.message = record.message;
    if (typeof record.dedup_key === 'string') body.dedup_key = record.dedup_key;
    if (Array.isArray(record.errors)) {
      body.errors = record.errors.filter((item): item is string => typeof item === 'string');
    }
    return body;
  } catch {
    return undefined;
  }
}

/** Reads at most MAX_RESPONSE_BYTES and drains the rest so the socket can be reused. */
async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (size < MAX_RESPONSE_BYTES) {
        chunks.push(chunk);
      }
      size += chunk.length;
    }
  } catch {
    // The status line already decides the outcome; a broken body only loses detail.
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
}

function parseUrl(value: string, name: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError('not http(s)');
    }
    return url;
  } catch {
    throw new TypeError(`PagerDutyClient ${name} is not a valid http(s) URL`);
  }
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  const code = errorCode(error);
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(errorMessage).join('; ');
  }
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && !message.includes(code)) {
    return message === '' ? code : `${code}: ${message}`;
  }
  return message === '' ? 'unknown error' : message;
}

function clipText(text: string): string {
  return text.length > MAX_TEXT_LENGTH ? `${text.slice(0, MAX_TEXT_LENGTH)}…` : text;
}

function redactSecret(text: string, secret: string): string {
  return secret.length === 0 ? text : text.split(secret).join(REDACTED);
}
