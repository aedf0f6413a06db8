import { type INestApplication, Logger } from '@nestjs/common';
import { ChannelReplicaService } from '@app/channel-replica';
import { TOPICS } from '@app/contracts';
import { bootstrapService, KafkaAdminService, OutboxRelay } from '@app/platform';
import { AppModule } from './app.module';
import { type InboundWebhookEnv, SERVICE_NAME } from './config/inbound-webhook.env';
import { SCHEMA } from './database/schema';
import { mountWebhookBodyParser } from './webhooks/webhook-http';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Right after a topic is created the broker may still answer "not the leader" for its offsets
 * for a moment; the replica reads them once at start, so wait until they can be read.
 */
async function channelTopicOffsetsReadable(app: INestApplication): Promise<void> {
  const admin = app.get(KafkaAdminService);
  const logger = new Logger('InboundWebhookStartup');
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.partitionOffsets(TOPICS.channels);
      return;
    } catch (error) {
      const delay = Math.min(5000, 200 * 2 ** Math.min(attempt, 5));
      logger.warn(
        `offsets of ${TOPICS.channels} not readable yet (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}; retrying in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}

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
      await channelTopicOffsetsReadable(app);
      await app.get(ChannelReplicaService).start();
    },
  });
}
