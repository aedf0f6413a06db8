import {
  AuthJwtSecretVariable,
  CommonEnv,
  CredentialKeysVariable,
  IntVariable,
  loadConfig,
  PortVariable,
  UrlVariable,
} from '@app/platform';

export const SERVICE_NAME = 'channel-config';

/** Every variable channel-config reads, validated once at boot. */
export class ChannelConfigEnv extends CommonEnv {
  @PortVariable()
  PORT: number = 3001;

  @AuthJwtSecretVariable()
  AUTH_JWT_SECRET!: string;

  @CredentialKeysVariable()
  CREDENTIAL_KEYS?: string;

  @UrlVariable('PUBLIC_WEBHOOK_BASE_URL')
  PUBLIC_WEBHOOK_BASE_URL: string = 'http://localhost:3002';

  @UrlVariable('APP_BASE_URL')
  APP_BASE_URL: string = 'http://localhost:3000';

  @UrlVariable('PAGERDUTY_EVENTS_URL')
  PAGERDUTY_EVENTS_URL: string = 'https://events.pagerduty.com/v2/enqueue';

  @UrlVariable('PAGERDUTY_EVENTS_URL_EU')
  PAGERDUTY_EVENTS_URL_EU: string = 'https://events.eu.pagerduty.com/v2/enqueue';

  @IntVariable('PAGERDUTY_TIMEOUT_MS', 100, 60000)
  PAGERDUTY_TIMEOUT_MS: number = 10000;

  @IntVariable('OUTBOX_POLL_MS', 10, 60000)
  OUTBOX_POLL_MS: number = 200;
}

export const loadChannelConfigEnv = (
  env: Record<string, string | undefined> = process.env,
): ChannelConfigEnv => loadConfig(SERVICE_NAME, ChannelConfigEnv, env);
