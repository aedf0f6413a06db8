import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from '@app/platform';
import { IGNORE_REASONS, type IgnoreReason } from './webhook-event.classifier';
import { ACCEPTED_KINDS, type AcceptedKind } from './webhook-message.planner';

/** How a webhook request ended; every value but `verified` is a rejection. */
export const REQUEST_OUTCOMES = [
  'verified',
  'unknown_channel',
  'sync_disabled',
  'no_secret',
  'bad_signature',
  'too_large',
  'malformed',
  'rate_limited',
  'db_unavailable',
  'not_ready',
] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

/** What an operator alerts on for the webhook endpoint. */
@Injectable()
export class WebhookMetrics {
  private readonly requests: Counter<'outcome'>;
  private readonly ignored: Counter<'reason'>;
  private readonly accepted: Counter<'kind'>;
  private readonly duplicates: Counter;
  private readonly secretFailures: Counter<'reason'>;
  private readonly responseSeconds: Histogram<'status'>;

  constructor(metrics: MetricsRegistry) {
    this.requests = new Counter({
      name: 'webhook_requests_total',
      help: 'PagerDuty webhook requests by outcome (verified, or the reason for rejecting them)',
      labelNames: ['outcome'],
      registers: [metrics],
    });
    this.ignored = new Counter({
      name: 'webhook_events_ignored_total',
      help: 'Verified webhook events stored but not acted on, by reason',
      labelNames: ['reason'],
      registers: [metrics],
    });
    this.accepted = new Counter({
      name: 'webhook_events_accepted_total',
      help: 'New verified webhook events stored, by what they produced',
      labelNames: ['kind'],
      registers: [metrics],
    });
    this.duplicates = new Counter({
      name: 'webhook_duplicates_total',
      help: 'Verified deliveries of an event already stored (answered 202, nothing published)',
      registers: [metrics],
    });
    this.secretFailures = new Counter({
      name: 'webhook_signing_secret_unusable_total',
      help: 'Requests for a channel whose sealed signing secret could not be opened, by reason',
      labelNames: ['reason'],
      registers: [metrics],
    });
    this.responseSeconds = new Histogram({
      name: 'webhook_response_seconds',
      help: 'Time from receiving a webhook request to finishing the answer, by HTTP status',
      labelNames: ['status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metrics],
    });
    // Zero series exist from the start, so rate() and alerts work before the first rejection.
    REQUEST_OUTCOMES.forEach((outcome) => this.requests.inc({ outcome }, 0));
    IGNORE_REASONS.forEach((reason) => this.ignored.inc({ reason }, 0));
    ACCEPTED_KINDS.forEach((kind) => this.accepted.inc({ kind }, 0));
  }

  request(outcome: RequestOutcome): void {
    this.requests.inc({ outcome });
  }

  accept(kind: AcceptedKind, ignoredReason?: IgnoreReason): void {
    this.accepted.inc({ kind });
    if (ignoredReason !== undefined) this.ignored.inc({ reason: ignoredReason });
  }

  duplicate(): void {
    this.duplicates.inc();
  }

  secretUnusable(reason: string): void {
    this.secretFailures.inc({ reason });
  }

  observeResponse(status: number, seconds: number): void {
    this.responseSeconds.observe({ status: String(status) }, seconds);
  }
}
