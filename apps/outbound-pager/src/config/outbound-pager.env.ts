import {
  AuthJwtSecretVariable,
  CommonEnv,
  ConfigValidationError,
  CredentialKeysVariable,
  IntVariable,
  loadConfig,
  PortVariable,
  UrlVariable,
} from '@app/platform';

export const SERVICE_NAME = 'outbound-pager';

/** Every variable outbound-pager reads, validated once at boot. */
export class OutboundPagerEnv extends CommonEnv {
  @PortVariable()
  PORT: number = 3003;

  @AuthJwtSecretVariable()
  AUTH_JWT_SECRET!: string;

  @CredentialKeysVariable()
  CREDENTIAL_KEYS?: string;

  @UrlVariable('APP_BASE_URL')
  APP_BASE_URL: string = 'http://localhost:3000';

  @UrlVariable('PAGERDUTY_EVENTS_URL')
  PAGERDUTY_EVENTS_URL: string = 'https://events.pagerduty.com/v2/enqueue';

  @UrlVariable('PAGERDUTY_EVENTS_URL_EU')
  PAGERDUTY_EVENTS_URL_EU: string = 'https://events.eu.pagerduty.com/v2/enqueue';

  @IntVariable('PAGERDUTY_TIMEOUT_MS', 100, 60000)
  PAGERDUTY_TIMEOUT_MS: number = 10000;

  @IntVariable('PAGERDUTY_RATE_PER_MINUTE', 1, 100000)
  PAGERDUTY_RATE_PER_MINUTE: number = 120;

  @IntVariable('PAGERDUTY_RATE_BURST', 1, 100000)
  PAGERDUTY_RATE_BURST: number = 60;

  @IntVariable('DELIVERY_WORKERS', 1, 256)
  DELIVERY_WORKERS: number = 8;

  @IntVariable('DELIVERY_BATCH_SIZE', 1, 500)
  DELIVERY_BATCH_SIZE: number = 20;

  @IntVariable('KAFKA_PARTITIONS_CONCURRENCY', 1, 64)
  KAFKA_PARTITIONS_CONCURRENCY: number = 6;

  @IntVariable('DELIVERY_POLL_MS', 10, 60000)
  DELIVERY_POLL_MS: number = 100;

  @IntVariable('RETRY_BASE_MS', 10, 600000)
  RETRY_BASE_MS: number = 1000;

  @IntVariable('RETRY_MAX_MS', 100, 3600000)
  RETRY_MAX_MS: number = 300000;
}

export function loadOutboundPagerEnv(
  env: Record<string, string | undefined> = process.env,
): OutboundPagerEnv {
  const config = loadConfig(SERVICE_NAME, OutboundPagerEnv, env);
  if (config.PAGERDUTY_RATE_BURST >= config.PAGERDUTY_RATE_PER_MINUTE) {
    throw new ConfigValidationError(SERVICE_NAME, [
      'PAGERDUTY_RATE_BURST must be below PAGERDUTY_RATE_PER_MINUTE (the bucket refills at their difference per minute)',
    ]);
  }
  return config;
}
