// Global setup of the jest "integration" project: a real Kafka broker and a
// fresh PostgreSQL database for this run. Workers inherit process.env, so specs
// read KAFKA_BROKERS, DATABASE_URL and TEST_PG_SERVER_URL (see
// test/support/infra.ts). Runs in jest's main process, where Node (>= 20.19)
// can require the .mjs tools directly.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  KAFKA_VERSION,
  ensureKafkaJars,
  startKafka,
  type KafkaHandle,
} from '../tools/kafka-local/kafka-local.mjs';
import {
  createDatabase,
  ensurePostgres,
  type PostgresServer,
} from '../tools/pg-local/pg-local.mjs';
import { INFRA_STATE_KEY, type InfraState } from './support/infra-state';

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function log(line: string): void {
  process.stderr.write(`[integration setup] ${line}\n`);
}

async function kafkaForRun(): Promise<KafkaHandle | undefined> {
  if (process.env.KAFKA_BROKERS) {
    log(`using Kafka at ${process.env.KAFKA_BROKERS} (KAFKA_BROKERS)`);
    return undefined;
  }
  await ensureKafkaJars(); // prints progress only when it has to download
  const started = performance.now();
  const kafka = await startKafka({ quiet: true });
  log(
    `started Kafka ${KAFKA_VERSION} on ${kafka.brokers} in ${seconds(started)} (log: ${kafka.logFile})`,
  );
  return kafka;
}

async function databaseForRun(): Promise<{ server: PostgresServer; name: string; url: string }> {
  const started = performance.now();
  const server = await ensurePostgres({ quiet: true });
  const name = `axiorank_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const url = await createDatabase(server.url, name);
  const where = new URL(server.url);
  log(
    `created database ${name} on ${server.embedded ? 'embedded' : 'existing'} PostgreSQL ` +
      `${where.hostname}:${where.port || 5432} in ${seconds(started)}`,
  );
  return { server, name, url };
}

export default async function globalSetup(): Promise<void> {
  process.stderr.write('\n');
  const [kafka, database] = await Promise.allSettled([kafkaForRun(), databaseForRun()]);
  if (kafka.status === 'rejected' || database.status === 'rejected') {
    if (kafka.status === 'fulfilled') await kafka.value?.stop();
    if (database.status === 'fulfilled') await database.value.server.stop();
    throw kafka.status === 'rejected' ? kafka.reason : (database as PromiseRejectedResult).reason;
  }

  if (kafka.value) process.env.KAFKA_BROKERS = kafka.value.brokers;
  process.env.DATABASE_URL = database.value.url;
  process.env.TEST_PG_SERVER_URL = database.value.server.url;

  const state: InfraState = {
    kafka: kafka.value,
    pg: database.value.server,
    databaseName: database.value.name,
  };
  (globalThis as Record<string, unknown>)[INFRA_STATE_KEY] = state;
}
