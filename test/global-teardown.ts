// Global teardown of the jest "integration" project: drops this run's database
// (kept with KEEP_TEST_DB=1) and stops what global setup started.
import { performance } from 'node:perf_hooks';
import { dropDatabase } from '../tools/pg-local/pg-local.mjs';
import { INFRA_STATE_KEY, type InfraState } from './support/infra-state';

function log(line: string): void {
  process.stderr.write(`[integration teardown] ${line}\n`);
}

export default async function globalTeardown(): Promise<void> {
  const slot = globalThis as Record<string, unknown>;
  const state = slot[INFRA_STATE_KEY] as InfraState | undefined;
  if (!state) return;
  delete slot[INFRA_STATE_KEY];
  const started = performance.now();
  const done: string[] = [];
  const failures: unknown[] = [];

  if (process.env.KEEP_TEST_DB === '1') {
    log(`kept database ${state.databaseName} (KEEP_TEST_DB=1): ${process.env.DATABASE_URL}`);
  } else {
    await dropDatabase(state.pg.url, state.databaseName).then(
      () => done.push(`dropped ${state.databaseName}`),
      (err: unknown) => failures.push(err),
    );
  }
  if (state.kafka) {
    await state.kafka.stop().then(
      () => done.push(`stopped Kafka on ${state.kafka?.brokers}`),
      (err: unknown) => failures.push(err),
    );
  }
  if (state.pg.embedded) {
    await state.pg.stop().then(
      () => done.push('stopped embedded PostgreSQL'),
      (err: unknown) => failures.push(err),
    );
  }
  if (done.length > 0) {
    log(`${done.join(', ')} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  if (failures.length > 0) throw failures[0];
}
