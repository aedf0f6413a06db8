import { randomUUID } from 'node:crypto';
import { signPagerDutyPayload } from '@app/crypto';

export interface WebhookResponse {
  status: number;
  headers: Headers;
  body: unknown;
  /** Milliseconds from sending the request to reading the whole answer. */
  ms: number;
}

export interface SendOptions {
  /** Signs the body with this secret (an `X-PagerDuty-Signature` of one `v1=` value). */
  secret?: string;
  /** The exact `X-PagerDuty-Signature` header; wins over `secret`. Null sends none. */
  signature?: string | null;
  webhookId?: string | null;
  headers?: Record<string, string>;
}

/**
 * Sends webhooks to one running inbound-webhook as PagerDuty would, and keeps every answer time
 * so a suite can report the endpoint's p50/p99.
 */
export class WebhookClient {
  readonly timings: number[] = [];

  constructor(private readonly baseUrl: string) {}

  url(channelId: string): string {
    return `${this.baseUrl}/v1/webhooks/pagerduty/${encodeURIComponent(channelId)}`;
  }

  async send(
    channelId: string,
    body: Buffer | string | object,
    options: SendOptions = {},
  ): Promise<WebhookResponse> {
    const bytes = Buffer.isBuffer(body)
      ? body
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'PagerDuty-Webhook/V3.0',
      ...options.headers,
    };
    const signature =
      options.signature !== undefined
        ? options.signature
        : options.secret !== undefined
          ? signPagerDutyPayload(bytes, options.secret)
          : null;
    if (signature !== null) headers['x-pagerduty-signature'] = signature;
    const webhookId = options.webhookId === undefined ? randomUUID() : options.webhookId;
    if (webhookId !== null) headers['x-webhook-id'] = webhookId;

    const started = performance.now();
    const res = await fetch(this.url(channelId), {
      method: 'POST',
      headers,
      body: bytes,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    this.timings.push(ms);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // Not JSON: the test asserting on it will say so.
    }
    return { status: res.status, headers: res.headers, body: parsed, ms };
  }
}

/** p50/p99 (nearest rank) and the count of a list of durations. */
export function percentiles(samples: readonly number[]): {
  n: number;
  p50: number;
  p99: number;
  max: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { n: sorted.length, p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1] ?? NaN };
}
