import { Inject, Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { ChannelV1 } from '@app/contracts';
import { ChannelReplicaService } from '@app/channel-replica';
import { SecretOpenError, verifyPagerDutySignature } from '@app/crypto';
import { OutboxRelay, SECRET_VAULT, SecretVault } from '@app/platform';
import { WEBHOOK_SETTINGS, type WebhookSettings } from '../config/webhook.settings';
import { ChannelRateLimiter } from './channel-rate-limiter';
import { accepted, rejected, type WebhookAnswer } from './webhook-answer';
import { classifyWebhookEvent } from './webhook-event.classifier';
import { type StoreResult, WebhookEventStore } from './webhook-event.store';
import { planRecord } from './webhook-message.planner';
import { type RequestOutcome, WebhookMetrics } from './webhook.metrics';

export interface ReceiveWebhookCommand {
  channelId: string;
  /** The request body exactly as received. */
  rawBody: Buffer;
  /** `X-PagerDuty-Signature`; never logged. */
  signature: string | undefined;
  /** `X-Webhook-Id`, when present and usable. */
  webhookId: string | null;
  /** Carried into the published message's `x-correlation-id`. */
  correlationId: string;
}

class StoreDeadlineError extends Error {
  override readonly name = 'StoreDeadlineError';
}

/**
 * Receives one PagerDuty V3 webhook delivery for a channel: cheap rejections first (unknown
 * channel, rate limit), then the signature over the raw bytes, then one atomic statement that stores
 * the event (once per channel and PagerDuty event id) with the message it announces. Kafka is
 * never on this path: the outbox relay publishes afterwards, so a Kafka outage delays messages
 * while the answer stays 202 and fast.
 */
@Injectable()
export class ReceivePagerDutyWebhook {
  private readonly logger = new Logger(ReceivePagerDutyWebhook.name);
  private readonly limiter: ChannelRateLimiter;

  constructor(
    private readonly channels: ChannelReplicaService,
    private readonly store: WebhookEventStore,
    private readonly relay: OutboxRelay,
    private readonly metrics: WebhookMetrics,
    @Inject(SECRET_VAULT) private readonly vault: SecretVault,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
  ) {
    this.limiter = new ChannelRateLimiter(settings.ratePerMinute);
  }

  async execute(command: ReceiveWebhookCommand): Promise<WebhookAnswer> {
    // Until the replica has read every channel "unknown" may be wrong: a 404 would make
    // PagerDuty drop the delivery, a 503 makes it retry.
    if (!this.channels.isCaughtUp()) return this.reject('not_ready', 5);

    const channel = isUUID(command.channelId) ? this.channels.get(command.channelId) : undefined;
    if (channel === undefined) return this.reject('unknown_channel');
    if (!channel.twoWaySync.enabled) return this.reject('sync_disabled');

    const rate = this.limiter.take(channel.id);
    if (!rate.allowed) return this.reject('rate_limited', rate.retryAfterSeconds);

    const secret = this.signingSecretOf(channel);
    if (secret === undefined) return this.reject('no_secret');
    if (!verifyPagerDutySignature(command.rawBody, command.signature, [secret])) {
      return this.reject('bad_signature');
    }

    const receivedAt = new Date();
    const classification = classifyWebhookEvent(command.rawBody, {
      now: receivedAt,
      maxAgeMs: this.settings.maxAgeMs,
    });
    if (classification.kind === 'malformed') {
      this.logger.warn(
        { channelId: channel.id, reason: classification.reason },
        'verified webhook with a malformed body',
      );
      return this.reject('malformed', undefined, classification.reason);
    }

    const { event } = classification;
    const plan = planRecord(classification, {
      channelId: channel.id,
      workspaceId: channel.workspaceId,
      webhookId: command.webhookId,
      correlationId: command.correlationId,
      receivedAt,
    });
    if (plan.invalidReason !== undefined) {
      this.logger.warn(
        { channelId: channel.id, pagerdutyEventId: event.id, reason: plan.invalidReason },
        'verified webhook event cannot become a valid message; ignored',
      );
    }

    let result: StoreResult;
    try {
      result = await this.withDeadline(
        this.store.record(
          {
            channelId: channel.id,
            workspaceId: channel.workspaceId,
            pagerdutyEventId: event.id,
            webhookId: command.webhookId,
            eventType: event.type,
            occurredAt: event.occurredAt,
            incidentKey: event.incidentKey,
            outcome: plan.outcome,
            ignoredReason: plan.ignoredReason ?? null,
            messageEventId: plan.messageEventId,
            rawBody: command.rawBody,
          },
          plan.outbox,
        ),
      );
    } catch (error) {
      this.logger.error(
        {
          channelId: channel.id,
          pagerdutyEventId: event.id,
          err: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        },
        'could not store a verified webhook event; answering 503 so PagerDuty retries',
      );
      return this.reject('db_unavailable', 5);
    }

    this.metrics.request('verified');
    if (result === 'duplicate') {
      this.metrics.duplicate();
      this.logger.log(
        { channelId: channel.id, pagerdutyEventId: event.id, webhookId: command.webhookId },
        'repeated webhook delivery acknowledged; nothing published',
      );
      return accepted();
    }
    this.metrics.accept(plan.kind, plan.ignoredReason);
    if (plan.outbox.length > 0) this.relay.nudge();
    // Debug: at webhook rates an info line per event costs more than storing it; the outcome
    // counters on /metrics and the stored row tell the same story.
    this.logger.debug(
      {
        channelId: channel.id,
        workspaceId: channel.workspaceId,
        pagerdutyEventId: event.id,
        webhookId: command.webhookId,
        eventType: event.type,
        incidentKey: event.incidentKey,
        outcome: plan.outcome,
        ignoredReason: plan.ignoredReason,
        messageEventId: plan.messageEventId,
      },
      'webhook event stored',
    );
    return accepted();
  }

  /** The channel's signing secret in the clear, or undefined when there is none to use. */
  private signingSecretOf(channel: ChannelV1): string | undefined {
    const stored = channel.twoWaySync.signingSecret;
    if (stored === null) return undefined;
    try {
      const secret = this.vault.reveal(stored, channel.workspaceId);
      return secret.length > 0 ? secret : undefined;
    } catch (error) {
      // Treated as "no secret": a wrong CREDENTIAL_KEYS must not become a 5xx storm that
      // PagerDuty retries for two days. The operator learns it here and from the metric.
      const reason = error instanceof SecretOpenError ? error.reason : 'unexpected';
      this.metrics.secretUnusable(reason);
      this.logger.error(
        {
          channelId: channel.id,
          workspaceId: channel.workspaceId,
          reason,
          keyId: error instanceof SecretOpenError ? error.keyId : undefined,
        },
        'the channel signing secret cannot be opened (check CREDENTIAL_KEYS); webhooks are rejected as unsigned',
      );
      return undefined;
    }
  }

  /** Bounds the wait for PostgreSQL so PagerDuty hears back within its 5 seconds. */
  private async withDeadline<T>(work: Promise<T>): Promise<T> {
    const ms = this.settings.storeTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new StoreDeadlineError(`storing the event took longer than ${ms} ms`)),
            ms,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private reject(
    outcome: Exclude<RequestOutcome, 'verified'>,
    retryAfterSeconds?: number,
    detail?: string,
  ): WebhookAnswer {
    this.metrics.request(outcome);
    return rejected(outcome, retryAfterSeconds, detail);
  }
}
