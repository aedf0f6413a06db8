#!/usr/bin/env node
// `npm start`: the whole system on this machine, on embedded defaults. Installs what is missing,
// builds, starts a real Kafka broker (Maven Central jars) and PostgreSQL (the machine's, else an
// embedded one), the three services, the PagerDuty simulator and the incident simulator, wires a
// demo workspace with a two-way-sync PagerDuty channel, prints what runs where, and stops
// everything it started on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { http, LOG_DIR, PORTS, ROOT, sleep, STATE_DIR, STATE_FILE, until } from './dev-stack.mjs';

const started = Date.now();
const children = [];
let kafka;
let postgres;
let stopping = false;

const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const step = (msg) => process.stdout.write(`[${elapsed()}] ${msg}\n`);

function fail(part, error, logFile) {
  process.stderr.write(
    `\n✖ ${part} failed: ${error instanceof Error ? error.message : String(error)}\n` +
      (logFile ? `  its log: ${path.relative(process.cwd(), logFile)}\n` : ''),
  );
  void shutdown(1);
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  step('stopping everything this command started …');
  for (const child of children.reverse()) {
    if (child.process.exitCode === null) child.process.kill('SIGTERM');
  }
  await Promise.all(
    children.map((c) =>
      c.process.exitCode === null ? new Promise((r) => c.process.once('exit', r)) : null,
    ),
  );
  await kafka?.stop();
  await postgres?.stop();
  fs.rmSync(STATE_FILE, { force: true });
  step('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function ensureInstalled() {
  if (fs.existsSync(path.join(ROOT, 'node_modules', '@nestjs', 'core'))) return;
  step('installing dependencies (npm ci) …');
  const res = spawnSync('npm', ['ci'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('npm ci failed');
}

function build() {
  if (process.argv.includes('--no-build')) return;
  step('building the services and tools (npm run build) …');
  const res = spawnSync(process.execPath, ['tools/scripts/build.mjs'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error('the build failed');
}

/** Secrets for local use, kept across restarts so sealed routing keys stay readable. */
function devSecrets() {
  const file = path.join(STATE_DIR, 'secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const secrets = {
    AUTH_JWT_SECRET: randomBytes(24).toString('base64url'),
    CREDENTIAL_KEYS: `dev1:${randomBytes(32).toString('base64')}`,
  };
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function startProcess(name, entry, env, readyUrl) {
  const logFile = path.join(LOG_DIR, `${name}.log`);
  const log = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
  children.push({ name, process: child });
  child.once('exit', (code) => {
    if (!stopping) fail(name, new Error(`exited with code ${code}`), logFile);
  });
  step(`starting ${name} …`);
  try {
    await until(
      `${name} to be ready at ${readyUrl}`,
      async () => (await fetch(readyUrl)).ok,
      120000,
    );
  } catch (error) {
    fail(name, error, logFile);
    throw error;
  }
  step(`${name} ready`);
}

async function main() {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  ensureInstalled();
  build();
  const { startKafka } = await import('../kafka-local/kafka-local.mjs');
  const { ensurePostgres, createDatabase } = await import('../pg-local/pg-local.mjs');

  step('starting Kafka 3.9.1 (KRaft, from Maven Central jars; the first run downloads them) …');
  try {
    kafka = await startKafka({
      dataDir: path.join(STATE_DIR, 'kafka'),
      logFile: path.join(LOG_DIR, 'kafka.log'),
    });
  } catch (error) {
    return fail('Kafka', error, path.join(LOG_DIR, 'kafka.log'));
  }
  step(`Kafka ready at ${kafka.brokers}`);

  step('PostgreSQL …');
  postgres = await ensurePostgres({ url: process.env.DATABASE_URL });
  const databaseUrl = await createDatabase(postgres.url, 'axiorank_dev').catch(async (error) => {
    if (/already exists/.test(String(error?.message))) {
      const { withDatabase } = await import('../pg-local/pg-local.mjs');
      return withDatabase(postgres.url, 'axiorank_dev');
    }
    throw error;
  });
  step(
    `PostgreSQL ready (${postgres.embedded ? 'embedded' : 'this machine'}): database axiorank_dev`,
  );

  const secrets = devSecrets();
  const simUrl = `http://127.0.0.1:${PORTS.pagerdutySimulator}`;
  const common = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafka.brokers,
    KAFKA_CREATE_TOPICS: 'true',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    ...secrets,
    PAGERDUTY_EVENTS_URL: `${simUrl}/v2/enqueue`,
    PAGERDUTY_EVENTS_URL_EU: `${simUrl}/eu/v2/enqueue`,
    PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${PORTS.inboundWebhook}`,
    APP_BASE_URL: 'http://localhost:3000',
  };

  await startProcess(
    'pagerduty-simulator',
    'dist/tools/pagerduty-simulator/main.js',
    { PD_SIM_PORT: String(PORTS.pagerdutySimulator) },
    `${simUrl}/_sim/health`,
  );
  await startProcess(
    'channel-config',
    'dist/apps/channel-config/main.js',
    { ...common, PORT: String(PORTS.channelConfig) },
    `http://127.0.0.1:${PORTS.channelConfig}/health/ready`,
  );
  await startProcess(
    'inbound-webhook',
    'dist/apps/inbound-webhook/main.js',
    { ...common, PORT: String(PORTS.inboundWebhook) },
    `http://127.0.0.1:${PORTS.inboundWebhook}/health/ready`,
  );
  await startProcess(
    'outbound-pager',
    'dist/apps/outbound-pager/main.js',
    { ...common, PORT: String(PORTS.outboundPager) },
    `http://127.0.0.1:${PORTS.outboundPager}/health/ready`,
  );
  await startProcess(
    'incident-simulator',
    'dist/tools/incident-simulator/main.js',
    {
      KAFKA_BROKERS: kafka.brokers,
      INCIDENT_SIM_PORT: String(PORTS.incidentSimulator),
      APP_BASE_URL: common.APP_BASE_URL,
    },
    `http://127.0.0.1:${PORTS.incidentSimulator}/health`,
  );

  step('creating the demo workspace and its PagerDuty channel …');
  const demo = await wireDemo(secrets, simUrl);
  fs.writeFileSync(
    STATE_FILE,
    JSON.stringify({ ...demo, simUrl, ports: PORTS, kafka: kafka.brokers, databaseUrl }, null, 2),
  );

  process.stdout.write(`
AxioRank PagerDuty integration is running (started in ${elapsed()}):

  channel-config       http://127.0.0.1:${PORTS.channelConfig}   (API docs: /docs)
  inbound-webhook      http://127.0.0.1:${PORTS.inboundWebhook}   (PagerDuty webhooks)
  outbound-pager       http://127.0.0.1:${PORTS.outboundPager}   (delivery history)
  PagerDuty simulator  ${simUrl}   (/_sim/incidents)
  incident simulator   http://127.0.0.1:${PORTS.incidentSimulator}   (/incidents)
  Kafka                ${kafka.brokers}
  PostgreSQL           ${databaseUrl.replace(/\/\/[^@]*@/, '//')}
  logs                 ${path.relative(process.cwd(), LOG_DIR)}/

Demo workspace ${demo.workspaceId}, channel "${demo.channelName}" (${demo.channelId}),
two-way sync on, webhook verified by PagerDuty's ping.
A bearer token for it is in ${path.relative(process.cwd(), STATE_FILE)}.

Next: \`npm run demo\` in another terminal. Ctrl-C here stops everything.
`);
}

async function wireDemo(secrets, simUrl) {
  const { JwtService } = await import('@nestjs/jwt');
  const workspaceId = 'ws_demo';
  const token = new JwtService().sign(
    { workspace_id: workspaceId },
    { secret: secrets.AUTH_JWT_SECRET, expiresIn: '30d' },
  );
  const auth = { Authorization: `Bearer ${token}` };
  const cc = `http://127.0.0.1:${PORTS.channelConfig}/v1/workspaces/${workspaceId}/channels`;
  const existing = (await http('GET', cc, undefined, auth)).find(
    (c) => c.name === 'Security on-call (demo)',
  );
  const service = await http('POST', `${simUrl}/_sim/services`, { name: 'AxioRank demo service' });
  let channel = existing;
  if (channel) {
    channel = await http('PATCH', `${cc}/${channel.id}`, { routingKey: service.routingKey }, auth);
  } else {
    channel = await http(
      'POST',
      cc,
      {
        name: 'Security on-call (demo)',
        routingKey: service.routingKey,
        mode: 'incidents',
        twoWaySync: true,
      },
      auth,
    );
  }
  const subscription = await http('POST', `${simUrl}/_sim/services/${service.id}/webhooks`, {
    url: channel.twoWaySync.webhookUrl,
  });
  await http(
    'PUT',
    `${cc}/${channel.id}/signing-secret`,
    { signingSecret: subscription.secrets[0] },
    auth,
  );
  // PagerDuty's ping after the secret is pasted verifies the webhook end to end. The secret
  // reaches inbound-webhook over Kafka within two seconds; PagerDuty disables a subscription
  // after three rejected deliveries, so ping sparingly.
  await sleep(2500);
  await http('POST', `${simUrl}/_sim/subscriptions/${subscription.id}/ping`, {});
  await until(
    "PagerDuty's ping to verify the channel",
    async () =>
      (await http('GET', `${cc}/${channel.id}`, undefined, auth)).twoWaySync.verifiedAt !== null,
    30000,
  );
  return {
    workspaceId,
    token,
    channelId: channel.id,
    channelName: channel.name,
    serviceId: service.id,
    subscriptionId: subscription.id,
  };
}

main().catch((error) => fail('start', error));
