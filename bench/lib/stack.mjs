// The infrastructure of one bench run, started the way the integration tests start it: a
// private Kafka broker (tools/kafka-local, in a temp dir) and fresh PostgreSQL databases
// (tools/pg-local). Services run from dist/ as separate processes configured by env alone.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startKafka } from '../../tools/kafka-local/kafka-local.mjs';
import { createDatabase, dropDatabase, ensurePostgres } from '../../tools/pg-local/pg-local.mjs';
import YAML from 'yaml';
import { ensureTopics, kafkaClient } from './kafka.mjs';
import { ROOT, startProcess } from './procs.mjs';

export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
export const LOG_DIR = path.join(RESULTS_DIR, 'logs');
export const PROFILE_DIR = path.join(RESULTS_DIR, 'profiles');

const DIST = {
  'outbound-pager': path.join(ROOT, 'dist', 'apps', 'outbound-pager', 'main.js'),
  'inbound-webhook': path.join(ROOT, 'dist', 'apps', 'inbound-webhook', 'main.js'),
  'pagerduty-simulator': path.join(ROOT, 'dist', 'tools', 'pagerduty-simulator', 'main.js'),
};

/**
 * The NODE_OPTIONS a service's container runs with (k8s/base/<service>.yaml), so the benches
 * measure memory with the same heap settings as a deployment.
 */
export function deployedNodeOptions(service) {
  const file = path.join(ROOT, 'k8s', 'base', `${service}.yaml`);
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    const spec = doc.toJS();
    if (spec?.kind !== 'Deployment') continue;
    const container = spec.spec.template.spec.containers.find((c) => c.name === service);
    const option = container?.env?.find((e) => e.name === 'NODE_OPTIONS');
    if (option?.value !== undefined) return String(option.value);
  }
  throw new Error(`${file}: no NODE_OPTIONS on the ${service} container`);
}

export class Stack {
  constructor({ log, profile = [], serviceEnv = {} }) {
    this.log = log;
    this.serviceEnv = serviceEnv; // --env=KEY=VALUE experiments, applied to both services
    this.profile = profile; // service names to run under --cpu-prof
    this.databases = [];
    this.runId = `${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  }

  async start() {
    // Logs and profiles of the previous run make way for this one's.
    fs.rmSync(LOG_DIR, { recursive: true, force: true });
    if (this.profile.length > 0) fs.rmSync(PROFILE_DIR, { recursive: true, force: true });
    fs.mkdirSync(LOG_DIR, { recursive: true });
    this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-files-'));
    this.kafkaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-kafka-'));
    const [kafka, pg] = await Promise.allSettled([
      startKafka({ dataDir: this.kafkaDir, quiet: true }),
      ensurePostgres({ quiet: true }),
    ]);
    if (kafka.status === 'fulfilled') this.kafka = kafka.value;
    if (pg.status === 'fulfilled') this.pg = pg.value;
    if (kafka.status === 'rejected') throw kafka.reason;
    if (pg.status === 'rejected') throw pg.reason;
    this.brokers = this.kafka.brokers;
    this.client = kafkaClient(this.brokers);
    await ensureTopics(this.client);
    this.log(
      `services run with the NODE_OPTIONS of k8s/base: inbound-webhook "${deployedNodeOptions('inbound-webhook')}", outbound-pager "${deployedNodeOptions('outbound-pager')}"`,
    );
    this.log(
      `Kafka on ${this.brokers} (pid ${this.kafka.pid}), PostgreSQL ${this.pg.embedded ? 'embedded' : 'on the machine'} at ${new URL(this.pg.url).host}`,
    );
  }

  /** A fresh database for one bench (dropped at the end of the run). */
  async database(label) {
    const name = `axiorank_bench_${this.runId}_${label}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    const url = await createDatabase(this.pg.url, name);
    this.databases.push(name);
    return url;
  }

  logFile(label) {
    return path.join(LOG_DIR, `${label}.log`);
  }

  nodeArgsFor(service, label) {
    if (!this.profile.includes(service)) return [];
    fs.mkdirSync(PROFILE_DIR, { recursive: true });
    return ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${label}.cpuprofile`];
  }

  /** The PagerDuty simulator: fast mode (202 at once, counters only) or enforcing the rate. */
  async simulator(label, { fast, ratePerMinute = 120, routingKeys = [] }) {
    const port = await freePort();
    return startProcess({
      name: label,
      entry: DIST['pagerduty-simulator'],
      env: {
        PD_SIM_PORT: String(port),
        PD_SIM_QUIET: 'true',
        PD_SIM_FAST: String(fast),
        PD_SIM_ACCEPT_ANY_KEY: 'true',
        PD_SIM_RATE_PER_MINUTE: String(ratePerMinute),
        PD_SIM_ROUTING_KEYS: routingKeys.join(','),
      },
      port,
      readyPath: '/_sim/health',
      logFile: this.logFile(label),
    });
  }

  async outboundPager(
    label,
    { databaseUrl, groupId, simulatorUrl, env = {}, migrateOnly = false },
  ) {
    const port = await freePort();
    return startProcess({
      name: label,
      entry: DIST['outbound-pager'],
      args: migrateOnly ? ['migrate'] : [],
      nodeArgs: migrateOnly ? [] : this.nodeArgsFor('outbound-pager', label),
      env: {
        NODE_ENV: 'production',
        NODE_OPTIONS: deployedNodeOptions('outbound-pager'),
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: this.brokers,
        KAFKA_GROUP_ID: groupId,
        PORT: String(port),
        AUTH_JWT_SECRET: 'bench-only-secret-not-used-for-anything',
        PAGERDUTY_EVENTS_URL: `${simulatorUrl}/v2/enqueue`,
        PAGERDUTY_EVENTS_URL_EU: `${simulatorUrl}/eu/v2/enqueue`,
        ...env,
        ...this.serviceEnv,
      },
      port,
      readyPath: migrateOnly ? undefined : '/health/ready',
      logFile: this.logFile(label),
    });
  }

  /** `node dist/apps/outbound-pager/main.js migrate`: the schema, nothing else. */
  async migrateOutboundPager(databaseUrl) {
    const child = await this.outboundPager('outbound-pager-migrate', {
      databaseUrl,
      groupId: 'bench-migrate',
      simulatorUrl: 'http://127.0.0.1:9',
      migrateOnly: true,
    });
    const timer = setTimeout(() => child.killNow(), 60_000);
    const { code, signal } = await child.exited;
    clearTimeout(timer);
    if (code !== 0)
      throw new Error(`outbound-pager migrate exited ${signal ?? code}; log ${child.logFile}`);
  }

  async inboundWebhook(label, { databaseUrl, env = {} }) {
    const port = await freePort();
    return startProcess({
      name: label,
      entry: DIST['inbound-webhook'],
      nodeArgs: this.nodeArgsFor('inbound-webhook', label),
      env: {
        NODE_ENV: 'production',
        NODE_OPTIONS: deployedNodeOptions('inbound-webhook'),
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: this.brokers,
        PORT: String(port),
        ...env,
        ...this.serviceEnv,
      },
      port,
      readyPath: '/health/ready',
      logFile: this.logFile(label),
    });
  }

  /** A baseline script from bench/baseline/, as its own process. */
  async baseline(label, script, { env = {}, readyPath, withPort = false } = {}) {
    const port = withPort ? await freePort() : undefined;
    return startProcess({
      name: label,
      entry: path.join(ROOT, 'bench', 'baseline', script),
      env: { ...env, ...(port === undefined ? {} : { PORT: String(port) }) },
      port,
      readyPath,
      logFile: this.logFile(label),
    });
  }

  /** Drops the bench databases and stops the broker (children are stopped by run.mjs first). */
  async stop() {
    if (this.pg) {
      for (const name of this.databases.splice(0)) {
        await dropDatabase(this.pg.url, name).catch((error) =>
          this.log(`could not drop database ${name}: ${error.message}`),
        );
      }
      await this.pg.stop().catch(() => undefined);
    }
    if (this.kafka) {
      await this.kafka.stop().catch(() => undefined);
      this.kafka = undefined;
    }
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
    if (this.kafkaDir) {
      // Give the JVM a moment to let go of its files.
      await sleep(200);
      fs.rmSync(this.kafkaDir, { recursive: true, force: true });
      this.kafkaDir = undefined;
    }
  }
}
