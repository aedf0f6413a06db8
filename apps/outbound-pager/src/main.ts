import 'reflect-metadata';
import { ChannelReplicaService } from '@app/channel-replica';
import { bootstrapService, configOrExit, runMigrateCommand } from '@app/platform';
import { AppModule } from './app.module';
import { loadOutboundPagerEnv, SERVICE_NAME } from './config/outbound-pager.env';
import { SCHEMA } from './database/schema';
import { DeliveryWorker } from './delivery/delivery-worker.service';
import { StoredKeyResealer } from './delivery/stored-key-resealer.service';
import { ChannelDeletionListener } from './intake/channel-deletion.listener';

async function main(command: string | undefined): Promise<void> {
  const config = configOrExit(SERVICE_NAME, () => loadOutboundPagerEnv());
  switch (command) {
    case undefined:
    case 'serve':
      await bootstrapService({
        service: SERVICE_NAME,
        appModule: AppModule.forRoot(config),
        port: config.PORT,
        schema: SCHEMA,
        shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
        consumer: {
          clientId: SERVICE_NAME,
          brokers: config.kafkaBrokers,
          groupId: config.KAFKA_GROUP_ID ?? SERVICE_NAME,
          partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENCY,
        },
        // The channel replica comes first: incidents and alerts are consumed only once it has
        // read the channel topic to its end, so no event is judged against a half-built replica.
        afterKafkaReady: async (app) => {
          const replica = app.get(ChannelReplicaService);
          const deletions = app.get(ChannelDeletionListener);
          replica.onDeleted((channel) => deletions.onDeleted(channel));
          await replica.start();
          // Kept keys under an older credential key move to the first one before any is used.
          await app.get(StoredKeyResealer).start();
          app.get(DeliveryWorker).start();
        },
        openApi: {
          title: 'AxioRank PagerDuty deliveries',
          description: 'What was sent to PagerDuty for a channel, with PagerDuty’s answers.',
          version: '1',
        },
      });
      return;
    case 'migrate':
      await runMigrateCommand(AppModule.forRoot(config), SCHEMA);
      return;
    default:
      process.stderr.write(
        `${SERVICE_NAME}: unknown command "${command}" (use serve or migrate)\n`,
      );
      process.exit(2);
  }
}

void main(process.argv[2]);
