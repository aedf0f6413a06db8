import 'reflect-metadata';
import { configOrExit, runMigrateCommand } from '@app/platform';
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
