import {
  CommonEnv,
  CredentialKeysVariable,
  IntVariable,
  loadConfig,
  PortVariable,
} from '@app/platform';

export const SERVICE_NAME = 'inbound-webhook';

/** Every variable inbound-webhook reads, validated once at boot. */
export class InboundWebhookEnv extends CommonEnv {
  @PortVariable()
  PORT: number = 3002;

  /** Opens the channels' sealed signing secrets; unset reads legacy plaintext secrets only. */
  @CredentialKeysVariable()
  CREDENTIAL_KEYS?: string;

  /**
   * Events whose `occurred_at` is older are answered 202 and ignored. Keep it above PagerDuty's
   * 48-hour retry window, so a delivery retried through an outage of ours is still applied.
   */
  @IntVariable('WEBHOOK_MAX_AGE_HOURS', 1, 24 * 30)
  WEBHOOK_MAX_AGE_HOURS: number = 72;

  /** Per-channel token bucket: refilled at this rate, holding at most one minute's worth. */
  @IntVariable('WEBHOOK_RATE_PER_MINUTE', 1, 1000000)
  WEBHOOK_RATE_PER_MINUTE: number = 600;

  /** Longest wait for PostgreSQL to store an event before answering 503 (PagerDuty allows 5 s). */
  @IntVariable('WEBHOOK_STORE_TIMEOUT_MS', 100, 4500)
  WEBHOOK_STORE_TIMEOUT_MS: number = 3000;

  @IntVariable('OUTBOX_POLL_MS', 10, 60000)
  OUTBOX_POLL_MS: number = 100;
}

export const loadInboundWebhookEnv = (
  env: Record<string, string | undefined> = process.env,
): InboundWebhookEnv => loadConfig(SERVICE_NAME, InboundWebhookEnv, env);
