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

  @CredentialKeysVariable()
  CREDENTIAL_KEYS?: string;

  @IntVariable('WEBHOOK_MAX_AGE_HOURS', 1, 24 * 30)
  WEBHOOK_MAX_AGE_HOURS: number = 72;

  @IntVariable('WEBHOOK_RATE_PER_MINUTE', 1, 1000000)
  WEBHOOK_RATE_PER_MINUTE: number = 600;

  @IntVariable('OUTBOX_POLL_MS', 10, 60000)
  OUTBOX_POLL_MS: number = 100;
}

export const loadInboundWebhookEnv = (
  env: Record<string, string | undefined> = process.env,
): InboundWebhookEnv => loadConfig(SERVICE_NAME, InboundWebhookEnv, env);
