// Shared pieces of the infrastructure fault suites (issue 9, F4–F6): the services from dist/ as
// separate processes beside the PagerDuty simulator, PagerDuty-shaped webhooks, scratch
// databases, and the one summary line per test the lead collects.
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { Client } from 'pg';
import {
  buildHeaders,
  HEADERS,
  makeChannelSnapshot,
  serializeMessage,
  TOPICS,
  type ChannelSnapshotV1,
} from '@app/contracts';
import { KeyRing, sealSecret, signPagerDutyPayload } from '@app/crypto';
import {
  bearer,
  consumeAll,
  type ConsumedMessage,
  freePort,
  makePingWebhook,
  ServiceProcess,
  TEST_JWT_SECRET,
  waitFor,
} from '@app/testing';

export type AppName = 'channel-config' | 'inbound-webhook' | 'outbound-pager';
export const APPS: readonly AppName[] = ['channel-config', 'inbound-webhook', 'outbound-pager'];

/** A duration from the environment (milliseconds), so a longer outage can be tried by hand. */
export function envMs(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** The one line per test the lead collects: `[faults] F4 postgres restarted: k=v … run=38.0s`. */
export function summaryLine(
  title: string,
  fields: Record<string, string | number>,
  startedAt: number,
): void {
  const pairs = Object.entries(fields).map(([k, v]) => `${k}=${v}`);
  const run = `run=${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
  process.stderr.write(`[faults] ${title}: ${[...pairs, run].join(' ')}\n`);
}

/** A database of the suite's own on a PostgreSQL server (URL of its `postgres` database). */
export async function scratchDatabase(serverUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(serverUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** One query on a database, on a connection of its own. */
export async function sql<T>(databaseUrl: string, text: string, params: unknown[] = []) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function connectProducer(brokers: string): Promise<Producer> {
  const producer = new Kafka({
    clientId: 'faults-infra',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 3000 },
  }).producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

export interface SimIncident {
  id: string;
  routingKey: string;
  dedupKey: string;
  status: string;
  log: { action: string; via: string }[];
}

export interface ChannelView {
  id: string;
  name: string;
  severityFloor: string;
  twoWaySync: { enabled: boolean; webhookUrl: string; verifiedAt: string | null };
}

export interface HttpAnswer {
  /** 0 when no answer came (connection refused or reset, timeout). */
  status: number;
  body: unknown;
  /** The `Retry-After` header, when there was one. */
  retryAfter?: string;
  error?: string;
}

/** fetch that never throws: a refused or cut connection is status 0, as PagerDuty sees it. */
export async function request(
  url: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  try {
    const res = await fetch(url, {
      ...init,
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      // Not JSON; the assertion naming the status says enough.
    }
    const retryAfter = res.headers.get('retry-after') ?? undefined;
    return { status: res.status, body, ...(retryAfter === undefined ? {} : { retryAfter }) };
  } catch (error) {
    return { status: 0, body: null, error: error instanceof Error ? error.message : String(error) };
  }
}

const jsonInit = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/** A PagerDuty V3 `incident.acknowledged` webhook body, as PagerDuty sends it. */
export function incidentWebhook(incidentKey: string, eventId = `01${randomHex(24)}`): Buffer {
  const incidentId = `Q${randomHex(13)}`;
  return Buffer.from(
    JSON.stringify({
      event: {
        id: eventId,
        event_type: 'incident.acknowledged',
        resource_type: 'incident',
        occurred_at: new Date().toISOString(),
        agent: { id: 'PUSER01', type: 'user_reference', summary: 'Jane Doe' },
        client: null,
        data: {
          id: incidentId,
          type: 'incident',
          html_url: `https://acme.pagerduty.com/incidents/${incidentId}`,
          number: 42,
          status: 'acknowledged',
          title: 'Agent exfiltrating CRM records',
          incident_key: incidentKey,
        },
      },
    }),
  );
}

const randomHex = (length: number) =>
  randomBytes(length).toString('hex').slice(0, length).toUpperCase();

/** Posts a signed webhook to inbound-webhook, as PagerDuty delivers one. */
export function sendWebhook(
  inboundUrl: string,
  channelId: string,
  body: Buffer,
  secret: string | null,
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'PagerDuty-Webhook/V3.0',
    'x-webhook-id': randomUUID(),
  };
  if (secret !== null) headers['x-pagerduty-signature'] = signPagerDutyPayload(body, secret);
  return request(`${inboundUrl}/v1/webhooks/pagerduty/${channelId}`, {
    method: 'POST',
    headers,
    body,
    timeoutMs: 10_000,
  });
}

/** Runs `work` over `items` with at most `concurrency` at a time, keeping the order of results. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

export interface SyncEventCount {
  /** Messages on the topic for the keys asked about. */
  published: number;
  /** Keys with at least one message. */
  distinct: number;
  /** Messages beyond the first per PagerDuty event (a crash between publishing and marking). */
  repeats: number;
  /** PagerDuty events whose repeats carry more than one `eventId` (must be none). */
  repeatsWithNewEventId: number;
  missing: string[];
}

/** Counts the incident-sync events of a channel per PagerDuty event, for the given incident keys. */
export function countSyncEvents(
  messages: readonly ConsumedMessage[],
  channelId: string,
  incidentKeys: readonly string[],
): SyncEventCount {
  const wanted = new Set(incidentKeys);
  const byPagerDutyEvent = new Map<string, Set<string>>();
  const perKey = new Map<string, number>();
  let published = 0;
  for (const m of messages) {
    if (m.topic !== TOPICS.incidentSync || m.headers[HEADERS.channelId] !== channelId) continue;
    const value = JSON.parse(m.value ?? '{}') as {
      eventId: string;
      incidentId: string;
      pagerduty: { eventId: string };
    };
    if (!wanted.has(value.incidentId)) continue;
    published++;
    perKey.set(value.incidentId, (perKey.get(value.incidentId) ?? 0) + 1);
    const ids = byPagerDutyEvent.get(value.pagerduty.eventId) ?? new Set<string>();
    ids.add(value.eventId);
    byPagerDutyEvent.set(value.pagerduty.eventId, ids);
  }
  return {
    published,
    distinct: perKey.size,
    repeats: published - byPagerDutyEvent.size,
    repeatsWithNewEventId: [...byPagerDutyEvent.values()].filter((ids) => ids.size > 1).length,
    missing: incidentKeys.filter((key) => !perKey.has(key)),
  };
}

/** Reads a topic to its end offsets (a fresh consumer group each time). */
export function readTopic(topic: string, brokers: string): Promise<ConsumedMessage[]> {
  return consumeAll(topic, { brokers: brokers.split(','), timeoutMs: 60_000 });
}

export interface FaultSystemOptions {
  databaseUrl: string;
  brokers: string;
  /** Names the log files (`.cache/test-logs/<label>-<service>-<port>.log`). */
  label: string;
  apps?: readonly AppName[];
  /** Extra env for every service. */
  env?: Record<string, string>;
}

/**
 * The product as deployed: the PagerDuty simulator and the services from dist/, each a process
 * with its own consumer group, over the given database and broker.
 */
export class FaultSystem {
  readonly credentialKeys = `faults:${randomBytes(32).toString('base64')}`;
  private readonly ring = KeyRing.parse(this.credentialKeys);
  readonly processes = new Map<AppName, ServiceProcess>();
  /** Each running service's `KAFKA_GROUP_ID`. */
  readonly groupIds = new Map<AppName, string>();
  private readonly ports = new Map<AppName, number>();
  sim!: ServiceProcess;
  /** The stand-in for AxioRank's incident service, when a suite starts it. */
  incidentSimulator?: ServiceProcess;
  incidentSimulatorGroupId?: string;
  private envs!: Record<string, string>;

  private constructor(private readonly options: FaultSystemOptions) {}

  static async start(options: FaultSystemOptions): Promise<FaultSystem> {
    const system = new FaultSystem(options);
    await system.boot();
    return system;
  }

  private async boot(): Promise<void> {
    const { label } = this.options;
    const simPort = await freePort();
    for (const app of APPS) this.ports.set(app, await freePort());
    this.sim = await ServiceProcess.start('pagerduty-simulator', {
      env: { PD_SIM_PORT: String(simPort), PD_SIM_QUIET: 'true' },
      port: simPort,
      readyPath: '/_sim/health',
      label: `${label}-sim-${simPort}`,
    });
    this.envs = {
      DATABASE_URL: this.options.databaseUrl,
      KAFKA_BROKERS: this.options.brokers,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      CREDENTIAL_KEYS: this.credentialKeys,
      PAGERDUTY_EVENTS_URL: `${this.sim.url}/v2/enqueue`,
      PAGERDUTY_EVENTS_URL_EU: `${this.sim.url}/eu/v2/enqueue`,
      PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${this.ports.get('inbound-webhook')}`,
      APP_BASE_URL: 'https://app.axiorank.test',
      RETRY_BASE_MS: '200',
      RETRY_MAX_MS: '2000',
      PAGERDUTY_TIMEOUT_MS: '3000',
      // Refused connections answer 503 at once; a slow store under a loaded machine should not.
      WEBHOOK_STORE_TIMEOUT_MS: '4000',
      LOG_LEVEL: 'info',
      ...this.options.env,
    };
    // One at a time: migrations take an advisory lock anyway, and the machine is shared.
    for (const app of this.options.apps ?? APPS) await this.startApp(app);
  }

  /** Starts (or restarts, on the same port) one service with a fresh consumer group. */
  async startApp(app: AppName, env: Record<string, string> = {}): Promise<ServiceProcess> {
    const port = this.ports.get(app)!;
    const groupId = `${app}-faults-${randomUUID()}`;
    this.groupIds.set(app, groupId);
    const service = await ServiceProcess.start(app, {
      env: { ...this.envs, KAFKA_GROUP_ID: groupId, ...env },
      port,
      timeoutMs: 180_000,
      label: `${this.options.label}-${app}-${port}-${Date.now()}`,
    });
    this.processes.set(app, service);
    return service;
  }

  /** Starts the incident simulator, the consumer of axiorank.incident-sync.v1 in this repo. */
  async startIncidentSimulator(): Promise<ServiceProcess> {
    const port = await freePort();
    this.incidentSimulatorGroupId = `incident-simulator-faults-${randomUUID()}`;
    this.incidentSimulator = await ServiceProcess.start('incident-simulator', {
      env: {
        KAFKA_BROKERS: this.options.brokers,
        INCIDENT_SIM_PORT: String(port),
        INCIDENT_SIM_GROUP_ID: this.incidentSimulatorGroupId,
        APP_BASE_URL: 'https://app.axiorank.test',
      },
      port,
      readyPath: '/health',
      label: `${this.options.label}-incident-simulator-${port}`,
    });
    return this.incidentSimulator;
  }

  app(name: AppName): ServiceProcess {
    const service = this.processes.get(name);
    if (!service) throw new Error(`${name} is not running in this suite`);
    return service;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((s) => s.stop()));
    await this.incidentSimulator?.stop();
    await this.sim?.stop();
  }

  /** A PagerDuty service in the simulator: its Events API v2 routing key. */
  async pagerDutyService(name: string): Promise<{ id: string; routingKey: string }> {
    const res = await request(`${this.sim.url}/_sim/services`, jsonInit('POST', { name }));
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`simulator answered ${res.status}`);
    }
    return res.body as { id: string; routingKey: string };
  }

  async simIncidents(dedupKey: string): Promise<SimIncident[]> {
    const res = await request(
      `${this.sim.url}/_sim/incidents?dedupKey=${encodeURIComponent(dedupKey)}`,
    );
    if (res.status !== 200) throw new Error(`simulator answered ${res.status}`);
    return res.body as SimIncident[];
  }

  channelsUrl(workspaceId: string): string {
    return `${this.app('channel-config').url}/v1/workspaces/${workspaceId}/channels`;
  }

  createChannel(workspaceId: string, body: Record<string, unknown>): Promise<HttpAnswer> {
    return request(this.channelsUrl(workspaceId), jsonInit('POST', body, bearer(workspaceId)));
  }

  updateChannel(workspaceId: string, id: string, body: Record<string, unknown>) {
    return request(
      `${this.channelsUrl(workspaceId)}/${id}`,
      jsonInit('PATCH', body, bearer(workspaceId)),
    );
  }

  setSigningSecret(workspaceId: string, id: string, signingSecret: string) {
    return request(
      `${this.channelsUrl(workspaceId)}/${id}/signing-secret`,
      jsonInit('PUT', { signingSecret }, bearer(workspaceId)),
    );
  }

  async getChannel(workspaceId: string, id: string): Promise<ChannelView> {
    const res = await request(`${this.channelsUrl(workspaceId)}/${id}`, {
      headers: bearer(workspaceId),
    });
    if (res.status !== 200) throw new Error(`GET channel answered ${res.status}`);
    return res.body as ChannelView;
  }

  async listChannels(workspaceId: string): Promise<ChannelView[]> {
    const res = await request(this.channelsUrl(workspaceId), { headers: bearer(workspaceId) });
    if (res.status !== 200) throw new Error(`GET channels answered ${res.status}`);
    return res.body as ChannelView[];
  }

  /**
   * A channel through the REST API, paging a new simulator service; with a signing secret, two-way
   * sync is on and inbound-webhook is waited for until it verifies signatures with that secret.
   */
  async pagingChannel(
    workspaceId: string,
    options: { mode?: 'incidents' | 'alerts'; signingSecret?: string } = {},
  ): Promise<{ channel: ChannelView; routingKey: string }> {
    const service = await this.pagerDutyService(`faults ${workspaceId}`);
    const created = await this.createChannel(workspaceId, {
      name: `Faults ${workspaceId}`,
      routingKey: service.routingKey,
      mode: options.mode ?? 'incidents',
      severityFloor: 'low',
      twoWaySync: options.signingSecret !== undefined,
    });
    if (created.status !== 201) {
      throw new Error(`creating a channel answered ${created.status}: ${JSON.stringify(created)}`);
    }
    const channel = created.body as ChannelView;
    if (options.signingSecret !== undefined) {
      const put = await this.setSigningSecret(workspaceId, channel.id, options.signingSecret);
      if (put.status !== 204) throw new Error(`signing-secret answered ${put.status}`);
      await this.waitForWebhookSecret(channel.id, options.signingSecret);
    }
    return { channel, routingKey: service.routingKey };
  }

  /** Waits until inbound-webhook's replica holds the channel with this secret (a ping is accepted). */
  async waitForWebhookSecret(channelId: string, secret: string): Promise<void> {
    const inbound = this.app('inbound-webhook').url;
    const ping = () => Buffer.from(JSON.stringify(makePingWebhook()));
    await waitFor(
      async () => (await sendWebhook(inbound, channelId, ping(), secret)).status === 202,
      {
        timeoutMs: 60_000,
        intervalMs: 300,
        description: `inbound-webhook to accept a signed ping for ${channelId}`,
      },
    );
  }

  /** A routing key sealed as channel-config seals it, for snapshots produced by a test. */
  seal(secret: string, workspaceId: string): string {
    return sealSecret(secret, workspaceId, this.ring);
  }

  /** A channel snapshot as channel-config publishes it (secrets sealed with this system's key). */
  channelSnapshot(options: {
    id?: string;
    workspaceId: string;
    routingKey: string;
    signingSecret?: string;
    mode?: 'incidents' | 'alerts';
  }): ChannelSnapshotV1 {
    const { workspaceId } = options;
    return makeChannelSnapshot({
      channel: {
        id: options.id ?? randomUUID(),
        workspaceId,
        mode: options.mode ?? 'incidents',
        routingKey: this.seal(options.routingKey, workspaceId),
        routingKeyHint: `…${options.routingKey.slice(-4)}`,
        twoWaySync: {
          enabled: options.signingSecret !== undefined,
          signingSecret:
            options.signingSecret === undefined
              ? null
              : this.seal(options.signingSecret, workspaceId),
          verifiedAt: null,
        },
      },
    });
  }

  /** Publishes a channel snapshot, for suites that run without channel-config. */
  async publishChannel(
    producer: Producer,
    options: Parameters<FaultSystem['channelSnapshot']>[0],
  ): Promise<ChannelSnapshotV1> {
    const snapshot = this.channelSnapshot(options);
    await producer.send({
      topic: TOPICS.channels,
      acks: -1,
      messages: [
        {
          key: snapshot.channel.id,
          value: serializeMessage(snapshot),
          headers: buildHeaders({ origin: 'axiorank', channelId: snapshot.channel.id }),
        },
      ],
    });
    return snapshot;
  }

  /** The status of every service's `/health/ready`. */
  async readiness(apps: readonly AppName[] = APPS): Promise<Record<AppName, number>> {
    const answers = await Promise.all(
      apps.map(
        async (app) =>
          [
            app,
            (await request(`${this.app(app).url}/health/ready`, { timeoutMs: 10_000 })).status,
          ] as const,
      ),
    );
    return Object.fromEntries(answers) as Record<AppName, number>;
  }
}

/** The value of one Prometheus sample (0 when absent), e.g. `metricValue(text, 'x_total', { topic })`. */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0];
    if (wanted.every((w) => labelText.includes(w))) return Number(line.split(' ').pop());
  }
  return 0;
}
