import type { RequestOutcome } from './webhook.metrics';

/** The HTTP answer to a webhook request: small JSON, never an echo of what was sent. */
export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

type Rejection = Exclude<RequestOutcome, 'verified'>;

const REJECTIONS: Readonly<Record<Rejection, { status: number; error: string; message: string }>> =
  {
    // Unknown and disabled look the same from outside, so the URL space reveals nothing.
    unknown_channel: { status: 404, error: 'Not Found', message: 'no webhook is configured here' },
    sync_disabled: { status: 404, error: 'Not Found', message: 'no webhook is configured here' },
    // Likewise "no secret yet" and "wrong signature".
    no_secret: { status: 401, error: 'Unauthorized', message: 'signature verification failed' },
    bad_signature: { status: 401, error: 'Unauthorized', message: 'signature verification failed' },
    too_large: { status: 413, error: 'Payload Too Large', message: 'body exceeds 262144 bytes' },
    malformed: { status: 400, error: 'Bad Request', message: 'malformed webhook body' },
    rate_limited: {
      status: 429,
      error: 'Too Many Requests',
      message: 'too many webhooks for this channel',
    },
    db_unavailable: {
      status: 503,
      error: 'Service Unavailable',
      message: 'the event was not stored; retry later',
    },
    not_ready: {
      status: 503,
      error: 'Service Unavailable',
      message: 'starting up; retry later',
    },
  };

export const accepted = (): WebhookAnswer => ({ status: 202, body: { status: 'accepted' } });

export function rejected(
  outcome: Rejection,
  retryAfterSeconds?: number,
  detail?: string,
): WebhookAnswer {
  const { status, error, message } = REJECTIONS[outcome];
  return {
    status,
    body: { statusCode: status, error, message: detail ?? message },
    ...(retryAfterSeconds === undefined
      ? {}
      : { headers: { 'Retry-After': String(retryAfterSeconds) } }),
  };
}
