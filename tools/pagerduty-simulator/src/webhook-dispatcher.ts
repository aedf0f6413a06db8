import { randomUUID } from 'node:crypto';
import { signPagerDutyPayload } from '@app/crypto';
import { PAGERDUTY_WEBHOOK_USER_AGENT, type PagerDutyWebhookEnvelope } from '@app/pagerduty';
import { Agent, request } from 'undici';
import { pagerDutyId } from './ids';
import { SleepPool } from './sleep-pool';
import type {
  DeliveryAttempt,
  DeliveryStatus,
  WebhookDelivery,
  WebhookSubscription,
} from './simulator.types';

export interface WebhookDispatcherOptions {
  timeoutMs: number;
  backoffMs: number;
  maxBackoffMs: number;
  maxAttempts: number;
  disableAfterDrops: number;
  maxRecords: number;
  clock: () => number;
  /** Current state of a subscription (secrets rotate, subscriptions get deleted mid-retry). */
  lookup: (subscriptionId: string) => WebhookSubscription | undefined;
  logger?: (entry: Record<string, unknown>) => void;
}

type AttemptVerdict = 'delivered' | 'retry' | 'drop';

const DISABLE_FOR_MS = 24 * 60 * 60 * 1000;

/**
 * Delivers V3 webhooks as PagerDuty does: signed with every secret of the
 * subscription, the same X-Webhook-Id on every retry, retries on timeouts,
 * 5xx and 429 with doubling backoff, other answers dropped, deliveries for
 * one incident in order.
 */
export class WebhookDispatcher {
  private readonly agent = new Agent({ keepAliveTimeout: 2_000 });
  private readonly sleeps = new SleepPool();
  private readonly inflight = new Set<AbortController>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly deliveries: WebhookDelivery[] = [];
  private idleWaiters: Array<() => void> = [];
  private active = 0;
  private generation = 0;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  /** Queues one delivery behind earlier ones with the same ordering key. */
  dispatch(
    subscription: WebhookSubscription,
    envelope: PagerDutyWebhookEnvelope,
    orderingKey: string,
  ): WebhookDelivery {
    const delivery: WebhookDelivery = {
      id: pagerDutyId('D', 10),
      subscriptionId: subscription.id,
      webhookId: randomUUID(),
      eventId: envelope.event.id,
      eventType: envelope.event.event_type,
      incidentId: envelope.event.resource_type === 'incident' ? envelope.event.data.id : null,
      status: 'pending',
      attempts: [],
      createdAt: new Date(this.options.clock()).toISOString(),
      body: JSON.stringify(envelope),
    };
    this.deliveries.push(delivery);
    if (this.deliveries.length > this.options.maxRecords) {
      this.deliveries.splice(0, this.deliveries.length - this.options.maxRecords);
    }
    const generation = this.generation;
    this.active += 1;
    const previous = this.chains.get(orderingKey) ?? Promise.resolve();
    const next = previous
      .then(() => this.run(delivery, generation))
      .catch((error: unknown) => {
        delivery.status = 'failed';
        this.log({
          msg: 'webhook delivery crashed',
          deliveryId: delivery.id,
          error: String(error),
        });
      })
      .finally(() => {
        if (this.chains.get(orderingKey) === next) {
          this.chains.delete(orderingKey);
        }
        this.active -= 1;
        if (this.active === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          waiters.forEach((wake) => wake());
        }
      });
    this.chains.set(orderingKey, next);
    return delivery;
  }

  list(
    filter: { subscriptionId?: string; status?: string; incidentId?: string } = {},
  ): WebhookDelivery[] {
    return this.deliveries.filter(
      (delivery) =>
        (filter.subscriptionId === undefined ||
          delivery.subscriptionId === filter.subscriptionId) &&
        (filter.status === undefined || delivery.status === filter.status) &&
        (filter.incidentId === undefined || delivery.incidentId === filter.incidentId),
    );
  }

  pendingCount(): number {
    return this.active;
  }

  /** Resolves once every queued delivery has finished (retries included). */
  whenIdle(): Promise<void> {
    if (this.active === 0) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels everything queued or in flight and forgets the delivery log. */
  reset(): void {
    this.generation += 1;
    this.inflight.forEach((controller) => controller.abort());
    this.sleeps.wakeAll();
    this.deliveries.length = 0;
  }

  async close(): Promise<void> {
    this.reset();
    await this.whenIdle();
    await this.agent.close();
  }

  private async run(delivery: WebhookDelivery, generation: number): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const subscription = this.options.lookup(delivery.subscriptionId);
      if (generation !== this.generation || subscription === undefined) {
        return this.finish(delivery, 'cancelled');
      }
      if (this.isDisabled(subscription)) {
        return this.finish(delivery, 'skipped');
      }
      const { verdict, record } = await this.attempt(delivery, subscription);
      delivery.attempts.push(record);
      if (generation !== this.generation) {
        return this.finish(delivery, 'cancelled');
      }
      if (verdict === 'delivered') {
        subscription.consecutiveDrops = 0;
        return this.finish(delivery, 'delivered');
      }
      if (verdict === 'drop') {
        subscription.consecutiveDrops += 1;
        const limit = this.options.disableAfterDrops;
        if (limit > 0 && subscription.consecutiveDrops >= limit) {
          subscription.disabledUntil = new Date(
            this.options.clock() + DISABLE_FOR_MS,
          ).toISOString();
        }
        return this.finish(delivery, 'dropped');
      }
      if (attempt >= this.options.maxAttempts) {
        return this.finish(delivery, 'failed');
      }
      const delay = Math.min(
        this.options.maxBackoffMs,
        this.options.backoffMs * 2 ** (attempt - 1),
      );
      await this.sleeps.sleep(delay);
    }
  }

  private async attempt(
    delivery: WebhookDelivery,
    subscription: WebhookSubscription,
  ): Promise<{ verdict: AttemptVerdict; record: DeliveryAttempt }> {
    const started = Date.now();
    const at = new Date(this.options.clock()).toISOString();
    const controller = new AbortController();
    this.inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      const response = await request(subscription.url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: {
          ...subscription.headers,
          'content-type': 'application/json',
          'user-agent': PAGERDUTY_WEBHOOK_USER_AGENT,
          'x-webhook-id': delivery.webhookId,
          'x-webhook-subscription': subscription.id,
          'x-pagerduty-signature': subscription.secrets
            .map((secret) => signPagerDutyPayload(delivery.body, secret))
            .join(','),
        },
        body: delivery.body,
        signal: controller.signal,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      await response.body.dump();
      const status = response.statusCode;
      const verdict: AttemptVerdict =
        status >= 200 && status < 300
          ? 'delivered'
          : status === 429 || status >= 500
            ? 'retry'
            : 'drop';
      this.log({ msg: 'webhook attempt', deliveryId: delivery.id, status, verdict });
      return { verdict, record: { at, status, durationMs: Date.now() - started } };
    } catch (error: unknown) {
      const message = controller.signal.aborted
        ? `no answer within ${this.options.timeoutMs} ms`
        : error instanceof Error
          ? error.message
          : String(error);
      this.log({ msg: 'webhook attempt failed', deliveryId: delivery.id, error: message });
      return { verdict: 'retry', record: { at, error: message, durationMs: Date.now() - started } };
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }

  private isDisabled(subscription: WebhookSubscription): boolean {
    return (
      subscription.disabledUntil !== null &&
      Date.parse(subscription.disabledUntil) > this.options.clock()
    );
  }

  private finish(delivery: WebhookDelivery, status: DeliveryStatus): void {
    delivery.status = status;
  }

  private log(entry: Record<string, unknown>): void {
    this.options.logger?.(entry);
  }
}
