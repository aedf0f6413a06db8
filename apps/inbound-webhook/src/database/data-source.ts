import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { serviceDataSourceOptions } from '@app/platform';
import { loadInboundWebhookEnv, SERVICE_NAME } from '../config/inbound-webhook.env';
import { MIGRATIONS } from './migrations';
import { ENTITIES, SCHEMA } from './schema';

/** For the TypeORM CLI only (generating and inspecting migrations); the service migrates at boot. */
export default new DataSource(
  serviceDataSourceOptions({
    url: loadInboundWebhookEnv().DATABASE_URL,
    schema: SCHEMA,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    applicationName: `${SERVICE_NAME}-cli`,
  }),
);
