import { DynamicModule, Global, Module } from '@nestjs/common';
import { topicSpecsFor, TOPICS } from '@app/contracts';
import { PagerDutyClient } from '@app/pagerduty';
import {
  OutboxModule,
  SECRET_VAULT,
  SecretVault,
  ServiceCoreModule,
  WorkspaceAuthModule,
} from '@app/platform';
import { ChannelsModule } from './channels/channels.module';
import { type ChannelConfigEnv, SERVICE_NAME } from './config/channel-config.env';
import { CHANNEL_CONFIG_SETTINGS } from './config/channel-config.settings';
import { ENTITIES, SCHEMA } from './database/schema';
import { MIGRATIONS } from './database/migrations';
import { SEND_TEST_CLIENT } from './send-test/send-test.service';

@Global()
@Module({})
class ChannelConfigProvidersModule {
  static forRoot(config: ChannelConfigEnv): DynamicModule {
    return {
      module: ChannelConfigProvidersModule,
      imports: [OutboxModule.forRoot({ schema: SCHEMA, pollMs: config.OUTBOX_POLL_MS })],
      providers: [
        { provide: SECRET_VAULT, useValue: SecretVault.fromSpec(config.CREDENTIAL_KEYS) },
        {
          provide: CHANNEL_CONFIG_SETTINGS,
          useValue: {
            publicWebhookBaseUrl: config.PUBLIC_WEBHOOK_BASE_URL,
            appBaseUrl: config.APP_BASE_URL,
          },
        },
        {
          provide: SEND_TEST_CLIENT,
          useFactory: () =>
            new PagerDutyClient({
              usUrl: config.PAGERDUTY_EVENTS_URL,
              euUrl: config.PAGERDUTY_EVENTS_URL_EU,
              timeoutMs: config.PAGERDUTY_TIMEOUT_MS,
              userAgent: 'AxioRank-channel-config/1.0',
            }),
        },
      ],
      exports: [SECRET_VAULT, CHANNEL_CONFIG_SETTINGS, SEND_TEST_CLIENT, OutboxModule],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: ChannelConfigEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({
          service: SERVICE_NAME,
          config,
          schema: SCHEMA,
          entities: ENTITIES,
          migrations: MIGRATIONS,
          topics: topicSpecsFor([TOPICS.channels, TOPICS.webhookVerifications]),
        }),
        WorkspaceAuthModule.forRoot({ jwtSecret: config.AUTH_JWT_SECRET }),
        ChannelConfigProvidersModule.forRoot(config),
        ChannelsModule,
      ],
    };
  }
}
