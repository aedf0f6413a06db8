import { DynamicModule, Global, Module } from '@nestjs/common';
import { topicSpecsFor, TOPICS } from '@app/contracts';
import { OutboxModule, SECRET_VAULT, SecretVault, ServiceCoreModule } from '@app/platform';
import { type InboundWebhookEnv, SERVICE_NAME } from './config/inbound-webhook.env';
import { WEBHOOK_SETTINGS, type WebhookSettings } from './config/webhook.settings';
import { MIGRATIONS } from './database/migrations';
import { ENTITIES, SCHEMA } from './database/schema';
import { WebhooksModule } from './webhooks/webhooks.module';

const HOUR_MS = 3_600_000;

@Global()
@Module({})
class InboundWebhookProvidersModule {
  static forRoot(config: InboundWebhookEnv): DynamicModule {
    const settings: WebhookSettings = {
      maxAgeMs: config.WEBHOOK_MAX_AGE_HOURS * HOUR_MS,
      ratePerMinute: config.WEBHOOK_RATE_PER_MINUTE,
      storeTimeoutMs: config.WEBHOOK_STORE_TIMEOUT_MS,
    };
    return {
      module: InboundWebhookProvidersModule,
      imports: [OutboxModule.forRoot({ schema: SCHEMA, pollMs: config.OUTBOX_POLL_MS })],
      providers: [
        { provide: SECRET_VAULT, useValue: SecretVault.fromSpec(config.CREDENTIAL_KEYS) },
        { provide: WEBHOOK_SETTINGS, useValue: settings },
      ],
      exports: [SECRET_VAULT, WEBHOOK_SETTINGS, OutboxModule],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: InboundWebhookEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({
          service: SERVICE_NAME,
          config,
          schema: SCHEMA,
          entities: ENTITIES,
          migrations: MIGRATIONS,
          topics: topicSpecsFor([
            TOPICS.channels,
            TOPICS.incidentSync,
            TOPICS.webhookVerifications,
          ]),
          routinePaths: /^\/v1\/webhooks\/pagerduty\//,
        }),
        InboundWebhookProvidersModule.forRoot(config),
        WebhooksModule,
      ],
    };
  }
}
