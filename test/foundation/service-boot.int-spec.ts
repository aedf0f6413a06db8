import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PrivateKafka } from '../support/private-kafka';
import { ServiceProcess, type ServiceName } from '../support/service-process';
import { TEST_JWT_SECRET } from '../support/auth';
import { freePort } from '../support/infra';

const SERVICES: ServiceName[] = ['channel-config', 'inbound-webhook', 'outbound-pager'];
const serverUrl = () =>
  process.env.TEST_PG_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function freshDatabase(): Promise<string> {
  const name = `axiorank_boot_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<T>(databaseUrl: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const baseEnv = (databaseUrl: string, brokers: string) => ({
  DATABASE_URL: databaseUrl,
  KAFKA_BROKERS: brokers,
  AUTH_JWT_SECRET: TEST_JWT_SECRET,
  LOG_LEVEL: 'warn',
});

describe('service boot (built services from dist/, as deployed)', () => {
  it.each(SERVICES)('%s refuses to start without DATABASE_URL and names it', async (name) => {
    const service = await ServiceProcess.start(name, {
      env: { KAFKA_BROKERS: '127.0.0.1:9', AUTH_JWT_SECRET: TEST_JWT_SECRET },
      readyPath: false,
    });
    const code = await service.exited;
    expect(code).toBe(1);
    expect(service.logs).toContain('refusing to start');
    expect(service.logs).toMatch(/DATABASE_URL must be set/);
  });

  it('names every invalid variable at once, and never echoes a secret value', async () => {
    const service = await ServiceProcess.start('outbound-pager', {
      env: {
        DATABASE_URL: 'mysql://nope',
        KAFKA_BROKERS: 'no-port',
        AUTH_JWT_SECRET: 'short-secret',
        PORT: '70000',
        PAGERDUTY_RATE_PER_MINUTE: 'lots',
        CREDENTIAL_KEYS: 'k1:not-base64-key-material-zzz',
      },
      readyPath: false,
    });
    expect(await service.exited).toBe(1);
    for (const variable of [
      'DATABASE_URL',
      'KAFKA_BROKERS',
      'AUTH_JWT_SECRET',
      'PORT',
      'PAGERDUTY_RATE_PER_MINUTE',
    ]) {
      expect(service.logs).toContain(variable);
    }
    expect(service.logs).not.toContain('short-secret');
  });

  it('names a malformed CREDENTIAL_KEYS without printing the key', async () => {
    const key = randomBytes(16).toString('base64'); // 16 bytes: too short for AES-256
    const service = await ServiceProcess.start('channel-config', {
      env: {
        ...baseEnv('postgres://postgres@127.0.0.1:5432/x', '127.0.0.1:9'),
        CREDENTIAL_KEYS: `k1:${key}`,
      },
      readyPath: false,
    });
    expect(await service.exited).toBe(1);
    expect(service.logs).toContain('CREDENTIAL_KEYS');
    expect(service.logs).not.toContain(key);
  });

  it('migrations apply to an empty database, run once when all services migrate at the same time, and re-apply as a no-op', async () => {
    const databaseUrl = await freshDatabase();
    const env = baseEnv(databaseUrl, process.env.KAFKA_BROKERS ?? '127.0.0.1:9');
    // Two replicas of every service migrating at once.
    const runs = await Promise.all(
      [...SERVICES, ...SERVICES].map((name) =>
        ServiceProcess.start(name, { env, args: ['migrate'], readyPath: false }),
      ),
    );
    const codes = await Promise.all(runs.map((r) => r.exited));
    expect(codes).toEqual(runs.map(() => 0));
    for (const schema of ['channel_config', 'inbound_webhook', 'outbound_pager']) {
      const rows = await query<{ name: string }>(
        databaseUrl,
        `SELECT name FROM "${schema}"."migrations"`,
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
    }
    const again = await Promise.all(
      SERVICES.map((name) =>
        ServiceProcess.start(name, { env, args: ['migrate'], readyPath: false }),
      ),
    );
    expect(await Promise.all(again.map((r) => r.exited))).toEqual([0, 0, 0]);
    for (const run of again) expect(run.logs).toMatch(/: 0 migration\(s\) applied/);
  });

  describe('readiness follows Kafka', () => {
    const kafka = new PrivateKafka();
    let service: ServiceProcess | undefined;

    afterAll(async () => {
      await service?.stop();
      await kafka.close();
    });

    it('/health/ready answers 503 while the broker is down and 200 once it is back, without a restart', async () => {
      const brokers = await kafka.start();
      const databaseUrl = await freshDatabase();
      const port = await freePort();
      service = await ServiceProcess.start('outbound-pager', {
        env: baseEnv(databaseUrl, brokers),
        port,
      });
      const live = await fetch(`${service.url}/health/live`);
      expect(live.status).toBe(200);

      await kafka.stop();
      await service.waitForStatus('/health/ready', 503, 30_000);
      const down = (await (await fetch(`${service.url}/health/ready`)).json()) as {
        error: Record<string, unknown>;
      };
      expect(Object.keys(down.error)).toContain('kafka');
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);

      await kafka.start();
      await service.waitForStatus('/health/ready', 200, 90_000);
      expect(service.running).toBe(true);
    });
  });
});
