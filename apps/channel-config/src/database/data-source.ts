import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { serviceDataSourceOptions } from '@app/platform';
import { loadChannelConfigEnv, SERVICE_NAME } from '../config/channel-config.env';
import { MIGRATIONS } from './migrations';
import { ENTITIES, SCHEMA } from './schema';

/** For the TypeORM CLI only (generating and inspecting migrations); services migrate at boot. */
export default new DataSource(
  serviceDataSourceOptions({
    url: loadChannelConfigEnv().DATABASE_URL,
    schema: SCHEMA,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    applicationName: `${SERVICE_NAME}-cli`,
  }),
);
