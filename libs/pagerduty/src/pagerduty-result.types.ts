/** PagerDuty queued the event (202). Not proof that anyone was paged. */
export interface PagerDutyAccepted {
  outcome: 'accepted';
  status: number;
  dedupKey: string;
  message: string;
}

/**
 * Do not retry: PagerDuty answered 400 (or another 4xx except 408/429), or the
 * event failed local validation and was never sent (`status` then absent and
 * `sent` false). `errors` are PagerDuty's own, to be recorded and shown.
 */
export interface PagerDutyPermanentFailure {
  outcome: 'permanent';
  status?: number;
  sent: boolean;
  message: string;
  errors: string[];
}

export type TransientCause = 'http' | 'timeout' | 'network';

/** Retry with backoff: 408, 429, 5xx, timeouts and network errors. */
export interface PagerDutyTransientFailure {
  outcome: 'transient';
  status?: number;
  cause: TransientCause;
  message: string;
  /** From a `Retry-After` header, when PagerDuty sent one. */
  retryAfterMs?: number;
}

export type PagerDutyResult =
  PagerDutyAccepted | PagerDutyPermanentFailure | PagerDutyTransientFailure;
