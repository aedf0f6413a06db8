// What test/global-setup.ts hands to test/global-teardown.ts (both run in
// jest's main process, so a globalThis slot carries it across).
import type { KafkaHandle } from '../../tools/kafka-local/kafka-local.mjs';
import type { PostgresServer } from '../../tools/pg-local/pg-local.mjs';

export const INFRA_STATE_KEY = '__axiorankIntegrationInfra';

export interface InfraState {
  /** The broker global setup started; undefined when KAFKA_BROKERS was given. */
  kafka: KafkaHandle | undefined;
  pg: PostgresServer;
  databaseName: string;
}
