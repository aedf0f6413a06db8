import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configOrExit, migrateUnderLock } from '@app/platform';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { loadInboundWebhookEnv, SERVICE_NAME } from './config/inbound-webhook.env';
import { SCHEMA } from './database/schema';
import { serveInboundWebhook } from './serve';

async function main(command: string | undefined): Promise<void> {
  const config = configOrExit(SERVICE_NAME, () => loadInboundWebhookEnv());
  switch (command) {
    case undefined:
    case 'serve':
      await serveInboundWebhook(config);
      return;
    case 'migrate': {
      const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
        logger: ['error', 'warn', 'log'],
      });
      const report = await migrateUnderLock(app.get(DataSource), SCHEMA);
      process.stdout.write(
        `${SCHEMA}: ${report.applied.length} migration(s) applied ${report.applied.join(', ')}\n`,
      );
      await app.close();
      return;
    }
    default:
      process.stderr.write(
        `${SERVICE_NAME}: unknown command "${command}" (use serve or migrate)\n`,
      );
      process.exit(2);
  }
}

void main(process.argv[2]);
