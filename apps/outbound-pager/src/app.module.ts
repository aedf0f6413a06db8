import { DynamicModule, Global, Module } from '@nestjs/common';
import { topicSpecsFor, TOPICS } from '@app/contracts';
import { PagerDutyClient } from '@app/pagerduty';
import { SECRET_VAULT, SecretVault, ServiceCoreModule, WorkspaceAuthModule } from '@app/platform';
import { type OutboundPagerEnv, SERVICE_NAME } from './config/outbound-pager.env';
import { ENTITIES, SCHEMA } from './database/schema';
import { MIGRATIONS } from './database/migrations';
import { DeliveryModule } from './delivery/delivery.module';
import { DELIVERY_SETTINGS, type DeliverySettings } from './delivery/delivery-settings';
import { PAGERDUTY_CLIENT } from './delivery/delivery-worker.service';

@Global()
@Module({})
class OutboundPagerProvidersModule {
  static forRoot(config: OutboundPagerEnv): DynamicModule {
    const settings: DeliverySettings = {
      workers: config.DELIVERY_WORKERS,
      batchSize: config.DELIVERY_BATCH_SIZE,
      pollMs: config.DELIVERY_POLL_MS,
      retryBaseMs: config.RETRY_BASE_MS,
      retryMaxMs: config.RETRY_MAX_MS,
      ratePerMinute: config.PAGERDUTY_RATE_PER_MINUTE,
      rateBurst: config.PAGERDUTY_RATE_BURST,
      requestTimeoutMs: config.PAGERDUTY_TIMEOUT_MS,
      appBaseUrl: config.APP_BASE_URL,
    };
    return {
      module: OutboundPagerProvidersModule,
      providers: [
        { provide: SECRET_VAULT, useValue: SecretVault.fromSpec(config.CREDENTIAL_KEYS) },
        { provide: DELIVERY_SETTINGS, useValue: settings },
        {
          provide: PAGERDUTY_CLIENT,
          useFactory: () =>
            new PagerDutyClient({
              usUrl: config.PAGERDUTY_EVENTS_URL,
              euUrl: config.PAGERDUTY_EVENTS_URL_EU,
              timeoutMs: config.PAGERDUTY_TIMEOUT_MS,
              userAgent: 'AxioRank-outbound-pager/1.0',
              connections: Math.max(16, config.DELIVERY_WORKERS * config.DELIVERY_BATCH_SIZE),
            }),
        },
      ],
      exports: [SECRET_VAULT, DELIVERY_SETTINGS, PAGERDUTY_CLIENT],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: OutboundPagerEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceCoreModule.forRoot({
          service: SERVICE_NAME,
          config,
          schema: SCHEMA,
          entities: ENTITIES,
          migrations: MIGRATIONS,
          topics: topicSpecsFor([TOPICS.incidents, TOPICS.alerts, TOPICS.channels]),
          poolSize: config.DELIVERY_WORKERS + 8,
        }),
        WorkspaceAuthModule.forRoot({ jwtSecret: config.AUTH_JWT_SECRET }),
        OutboundPagerProvidersModule.forRoot(config),
        DeliveryModule,
      ],
    };
  }
}
