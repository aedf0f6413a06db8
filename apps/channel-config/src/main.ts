import 'reflect-metadata';
import {
  bootstrapService,
  commandContext,
  configOrExit,
  migrateUnderLock,
  OutboxRelay,
  runMigrateCommand,
  SecretVault,
} from '@app/platform';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { loadChannelConfigEnv, SERVICE_NAME } from './config/channel-config.env';
import { SCHEMA } from './database/schema';
import { runReseal } from './reseal/reseal.command';

async function main(command: string | undefined): Promise<void> {
  const config = configOrExit(SERVICE_NAME, () => loadChannelConfigEnv());
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
        },
        afterKafkaReady: (app) => {
          app.get(OutboxRelay).start();
          return Promise.resolve();
        },
        openApi: {
          title: 'AxioRank PagerDuty channels',
          description: 'Add, change and test PagerDuty channels of a workspace.',
          version: '1',
        },
      });
      return;
    case 'migrate':
      await runMigrateCommand(AppModule.forRoot(config), SCHEMA);
      return;
    case 'reseal': {
      if (!SecretVault.fromSpec(config.CREDENTIAL_KEYS).sealingEnabled) {
        // Without a key every row "needs nothing" and the report would read as a success.
        process.stderr.write(
          `${SERVICE_NAME} reseal: CREDENTIAL_KEYS is not set, so there is no key to seal with; set it to the key ring the service runs with (new key first)\n`,
        );
        process.exit(2);
      }
      const app = await commandContext(AppModule.forRoot(config));
      await migrateUnderLock(app.get(DataSource), SCHEMA);
      const report = await runReseal(app);
      process.stdout.write(`${JSON.stringify(report)}\n`);
      await app.close();
      process.exitCode = report.failed.length > 0 ? 1 : 0;
      return;
    }
    default:
      process.stderr.write(
        `${SERVICE_NAME}: unknown command "${command}" (use serve, migrate or reseal)\n`,
      );
      process.exit(2);
  }
}

void main(process.argv[2]);
