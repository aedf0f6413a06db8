import type { INestApplication } from '@nestjs/common';
import { ChannelReplicaService } from '@app/channel-replica';
import { bootstrapService, OutboxRelay } from '@app/platform';
import { AppModule } from './app.module';
import { type InboundWebhookEnv, SERVICE_NAME } from './config/inbound-webhook.env';
import { SCHEMA } from './database/schema';
import { mountWebhookBodyParser } from './webhooks/webhook-http';

/**
 * Starts inbound-webhook: HTTP first (webhooks answer 503 until the channel replica has caught
 * up), then the replica and the outbox relay once Kafka's topics exist.
 */
export function serveInboundWebhook(config: InboundWebhookEnv): Promise<INestApplication> {
  return bootstrapService({
    service: SERVICE_NAME,
    appModule: AppModule.forRoot(config),
    port: config.PORT,
    schema: SCHEMA,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    configure: mountWebhookBodyParser,
    afterKafkaReady: async (app) => {
      // The relay first: events stored while the replica catches up are published meanwhile.
      app.get(OutboxRelay).start();
      await app.get(ChannelReplicaService).start();
    },
  });
}
