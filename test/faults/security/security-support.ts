// Shared helpers of the hostile-input and secrets suites (issue 9, H1–H5): the services as
// deployed (dist/, separate processes), a database of each suite's own, the PagerDuty simulator,
// and an HTTP client that keeps every answer so a suite can scan them.
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TOPIC_SPECS } from '@app/contracts';
import {
  createTopics,
  freePort,
  kafkaBrokers,
  ServiceProcess,
  TEST_JWT_SECRET,
  tokenFor,
} from '@app/testing';

/** One line per test for the lead: `[faults] H1 webhook fuzz: k=v … run=12.3s`. */
export function summary(name: string, fields: Record<string, string | number>, startedAt: number) {
  const parts = Object.entries(fields).map(([k, v]) => `${k}=${v}`);
  parts.push(`run=${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  process.stderr.write(`[faults] ${name}: ${parts.join(' ')}\n`);
}

/** A `CREDENTIAL_KEYS` entry and its parts, so a suite can look for the key in every form. */
export interface CredentialKey {
  kid: string;
  bytes: Buffer;
  spec: string;
}

export function credentialKey(kid: string, bytes: Buffer = randomBytes(32)): CredentialKey {
  return { kid, bytes, spec: `${kid}:${bytes.toString('base64')}` };
}

/** A routing key as PagerDuty mints them (32 letters/digits), optionally with a marker. */
export const newRoutingKey = (prefix = ''): string =>
  (prefix + randomBytes(16).toString('hex')).slice(0, 32);

export const newWorkspaceId = (label: string): string =>
  `ws_${label}_${randomBytes(4).toString('hex')}`;

export { ScratchDatabase } from '@app/testing';

export interface HttpAnswer<T = unknown> {
  status: number;
  text: string;
  body: T;
  headers: Headers;
}

/** fetch with a JSON body; every answer's text is kept in `answers` for secret scans. */
export class Http {
  readonly answers: string[] = [];

  async call<T = unknown>(
    method: string,
    url: string,
    options: { headers?: Record<string, string>; body?: unknown; rawBody?: string } = {},
  ): Promise<HttpAnswer<T>> {
    const body =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const res = await fetch(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    this.answers.push(text);
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, text, body: parsed as T, headers: res.headers };
  }

  async json<T>(method: string, url: string, options: Parameters<Http['call']>[2] = {}) {
    const answer = await this.call<T>(method, url, options);
    if (answer.status >= 300) {
      throw new Error(`${method} ${url} answered ${answer.status}: ${answer.text}`);
    }
    return answer.body;
  }
}

export const authHeader = (workspaceId: string, secret = TEST_JWT_SECRET) => ({
  authorization: `Bearer ${tokenFor(workspaceId, { secret })}`,
});

export interface SimRequest {
  status: number | null;
  outcome: string;
  routingKey?: string;
  eventAction?: string;
  dedupKey?: string;
}

export interface SimIncident {
  id: string;
  routingKey: string;
  dedupKey: string;
  status: string;
}

/** The PagerDuty simulator as a process (dist/tools/pagerduty-simulator). */
export class Simulator {
  private constructor(readonly process: ServiceProcess) {}

  static async start(label: string, env: Record<string, string> = {}): Promise<Simulator> {
    const port = await freePort();
    const process = await ServiceProcess.start('pagerduty-simulator', {
      env: {
        PD_SIM_PORT: String(port),
        PD_SIM_QUIET: 'true',
        PD_SIM_ENFORCE_RATE: 'false',
        PD_SIM_WEBHOOK_BACKOFF_MS: '200',
        ...env,
      },
      port,
      readyPath: '/_sim/health',
      label: `${label}-sim-${port}`,
    });
    return new Simulator(process);
  }

  get url(): string {
    return this.process.url;
  }

  get serviceEnv(): Record<string, string> {
    return {
      PAGERDUTY_EVENTS_URL: `${this.url}/v2/enqueue`,
      PAGERDUTY_EVENTS_URL_EU: `${this.url}/eu/v2/enqueue`,
    };
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** A PagerDuty service with an Events API v2 integration key. */
  service(routingKey?: string, name = 'service') {
    return this.request<{ id: string; routingKey: string }>('POST', '/_sim/services', {
      name,
      ...(routingKey ? { routingKey } : {}),
    });
  }

  subscribe(serviceId: string, url: string, secret?: string) {
    return this.request<{ id: string; secrets: string[] }>(
      'POST',
      `/_sim/services/${serviceId}/webhooks`,
      { url, ...(secret ? { secret } : {}) },
    );
  }

  acknowledge(incidentId: string) {
    return this.request<unknown>('POST', `/_sim/incidents/${incidentId}/acknowledge`, {
      user: { id: 'PSECOPS', name: 'Sec Ops' },
    });
  }

  requests(query: Record<string, string> = {}) {
    return this.request<SimRequest[]>(
      'GET',
      `/_sim/requests?${new URLSearchParams(query).toString()}`,
    );
  }

  incidents(query: Record<string, string> = {}) {
    return this.request<SimIncident[]>(
      'GET',
      `/_sim/incidents?${new URLSearchParams(query).toString()}`,
    );
  }

  webhooks(query: Record<string, string> = {}) {
    return this.request<{ eventType: string; status: string; attempts: { status?: number }[] }[]>(
      'GET',
      `/_sim/webhooks?${new URLSearchParams(query).toString()}`,
    );
  }

  stop() {
    return this.process.stop();
  }
}

export type AppName = 'channel-config' | 'inbound-webhook' | 'outbound-pager';

export interface AppOptions {
  databaseUrl: string;
  credentialKeys?: string;
  simulator?: Simulator;
  logLevel?: string;
  jwtSecret?: string;
  env?: Record<string, string>;
  label: string;
  /** Same group id across restarts of one service (a rolling restart); default a fresh one. */
  groupId?: string;
  port?: number;
}

/** One of the three services, run as deployed with a consumer group of its own. */
export async function startApp(name: AppName, options: AppOptions): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  return ServiceProcess.start(name, {
    env: appEnv(name, options, port),
    port,
    label: `${options.label}-${name}-${port}-${Date.now()}`,
    timeoutMs: 120_000,
  });
}

export function appEnv(
  name: AppName,
  options: AppOptions,
  port?: number,
): Record<string, string | undefined> {
  return {
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_GROUP_ID: options.groupId ?? `${name}-${options.label}-${randomUUID()}`,
    AUTH_JWT_SECRET: options.jwtSecret ?? TEST_JWT_SECRET,
    CREDENTIAL_KEYS: options.credentialKeys,
    LOG_LEVEL: options.logLevel ?? 'info',
    PORT: port === undefined ? undefined : String(port),
    OUTBOX_POLL_MS: '100',
    APP_BASE_URL: 'https://app.axiorank.test',
    ...(name === 'channel-config' && options.env?.PUBLIC_WEBHOOK_BASE_URL === undefined
      ? { PUBLIC_WEBHOOK_BASE_URL: 'https://hooks.axiorank.test' }
      : {}),
    ...(name === 'outbound-pager' ? { DELIVERY_POLL_MS: '50', RETRY_BASE_MS: '200' } : {}),
    ...(options.simulator?.serviceEnv ?? {}),
    ...(options.env ?? {}),
  };
}

/** The value of one Prometheus sample (0 when absent). */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0];
    if (wanted.every((w) => labelText.includes(w))) total += Number(line.split(' ').pop());
  }
  return total;
}

/** End offsets of every partition of the topics, summed per topic. */
export async function topicEnds(topics: string[]): Promise<Record<string, number>> {
  const admin = new Kafka({
    clientId: 'faults-security-admin',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const ends: Record<string, number> = {};
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends[topic] = offsets.reduce((sum, p) => sum + Number(p.high), 0);
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** Every topic the broker has (dead-letter topics included). */
export async function listTopics(): Promise<string[]> {
  const admin = new Kafka({
    clientId: 'faults-security-admin',
    brokers: kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => !t.startsWith('__'));
  } finally {
    await admin.disconnect();
  }
}

/** All services answer ready and still run. */
export async function allReady(services: ServiceProcess[]): Promise<boolean> {
  for (const service of services) {
    if (!service.running) return false;
    const res = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(5000) });
    if (res.status !== 200) return false;
  }
  return true;
}

/** Every AxioRank topic with its partitions and config, as the services would create them. */
export async function ensureTopics(): Promise<void> {
  await createTopics(
    kafkaBrokers(),
    Object.values(TOPIC_SPECS).map((spec) => ({
      topic: spec.topic,
      numPartitions: spec.numPartitions,
      configEntries: [...spec.configEntries],
    })),
  );
}
