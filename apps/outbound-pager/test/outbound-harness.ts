import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import {
  buildHeaders,
  makeAlertEvent,
  makeChannelSnapshot,
  makeIncidentEvent,
  serializeMessage,
  TOPICS,
  type AlertEventV1,
  type ChannelSnapshotV1,
  type DeepPartial,
  type IncidentEventV1,
  type Origin,
} from '@app/contracts';
import { sealSecret, KeyRing } from '@app/crypto';
import {
  bearer,
  databaseUrl,
  freePort,
  kafkaBrokers,
  ServiceProcess,
  TEST_JWT_SECRET,
  waitFor,
} from '@app/testing';

export const CREDENTIAL_KEYS = `k1:${randomBytes(32).toString('base64')}`;
const ring = KeyRing.parse(CREDENTIAL_KEYS);

/** A 32-character routing key as PagerDuty mints them. */
export const newRoutingKey = (): string => randomBytes(16).toString('hex');

export interface SimIncident {
  id: string;
  routingKey: string;
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  title: string;
  severity: string;
  log: {
    action: string;
    outcome: string;
    via: string;
    region: string;
    payload?: Record<string, unknown>;
  }[];
}

export interface SimRequest {
  seq: number;
  receivedAt: string;
  region: string;
  status: number | null;
  outcome: string;
  /** Named even for a faulted or hung request (the simulator reads them from the body). */
  dedupKey?: string;
  eventAction?: string;
  routingKey?: string;
  body?: Record<string, unknown>;
}

export interface HarnessOptions {
  /** Brokers for the pager and the harness producer; default the run's shared broker. */
  brokers?: string[];
}

/**
 * The outbound-pager built from dist/ as deployed, the PagerDuty simulator as a process, and a
 * Kafka producer standing in for channel-config and the AxioRank incident service.
 */
export class OutboundHarness {
  simulator!: ServiceProcess;
  pager!: ServiceProcess;
  /** Further outbound-pager processes started with startReplica(), stopped with the harness. */
  readonly replicas: ServiceProcess[] = [];
  private producer!: Producer;
  private pagerEnv: Record<string, string> = {};
  private versions = new Map<string, number>();

  async start(
    env: Record<string, string> = {},
    simulatorEnv: Record<string, string> = {},
    options: HarnessOptions = {},
  ): Promise<void> {
    const brokers = options.brokers ?? kafkaBrokers();
    const simPort = await freePort();
    this.simulator = await ServiceProcess.start('pagerduty-simulator', {
      env: {
        PD_SIM_PORT: String(simPort),
        PD_SIM_ACCEPT_ANY_KEY: 'true',
        PD_SIM_QUIET: 'true',
        ...simulatorEnv,
      },
      port: simPort,
      readyPath: '/_sim/health',
      label: `sim-${simPort}`,
    });
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
    this.pagerEnv = {
      DATABASE_URL: databaseUrl(),
      KAFKA_BROKERS: brokers.join(','),
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      CREDENTIAL_KEYS,
      PAGERDUTY_EVENTS_URL: `${this.simulator.url}/v2/enqueue`,
      PAGERDUTY_EVENTS_URL_EU: `${this.simulator.url}/eu/v2/enqueue`,
      APP_BASE_URL: 'https://app.axiorank.test',
      RETRY_BASE_MS: '200',
      RETRY_MAX_MS: '2000',
      PAGERDUTY_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'info',
      // Its own consumer group: suites never steal each other's partitions.
      KAFKA_GROUP_ID: `outbound-pager-test-${randomUUID()}`,
      ...env,
    };
    await this.startPager();
  }

  async startPager(): Promise<void> {
    const port = await freePort();
    this.pager = await ServiceProcess.start('outbound-pager', {
      env: this.pagerEnv,
      port,
      label: `outbound-pager-${port}`,
    });
  }

  /** The env every outbound-pager of this harness runs with (backoff, timeouts, group). */
  get env(): Readonly<Record<string, string>> {
    return { ...this.pagerEnv };
  }

  /**
   * Another outbound-pager process on the same env (same group, same database), plus `env`.
   * Resolves once `readyPath` answers 200 (default `/health/ready`).
   */
  async startReplica(
    env: Record<string, string> = {},
    readyPath = '/health/ready',
  ): Promise<ServiceProcess> {
    const port = await freePort();
    const replica = await ServiceProcess.start('outbound-pager', {
      env: { ...this.pagerEnv, ...env },
      port,
      readyPath,
      label: `outbound-pager-${port}`,
    });
    this.replicas.push(replica);
    return replica;
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    await Promise.all(this.replicas.map((replica) => replica.stop()));
    await this.pager?.stop();
    await this.simulator?.stop();
  }

  /** Publishes a channel snapshot (routing key sealed for its workspace) as channel-config would. */
  async publishChannel(
    overrides: DeepPartial<ChannelSnapshotV1['channel']> & { workspaceId: string },
    plaintextKey = newRoutingKey(),
  ): Promise<ChannelSnapshotV1['channel'] & { plaintextKey: string }> {
    const id = overrides.id ?? randomUUID();
    const version = (this.versions.get(id) ?? 0) + 1;
    this.versions.set(id, version);
    const snapshot = makeChannelSnapshot({
      version,
      channel: {
        quietHours: null,
        hourlyCap: null,
        mode: 'incidents',
        severityFloor: 'low',
        ...overrides,
        id,
        routingKey: sealSecret(plaintextKey, overrides.workspaceId, ring),
        routingKeyHint: `…${plaintextKey.slice(-4)}`,
      },
    });
    await this.producer.send({
      topic: TOPICS.channels,
      messages: [
        {
          key: id,
          value: serializeMessage(snapshot),
          headers: buildHeaders({ origin: 'axiorank', channelId: id }),
        },
      ],
    });
    return { ...snapshot.channel, plaintextKey };
  }

  /**
   * Waits until the running pager's replica holds a newly published channel (its deliveries
   * answer 200, not 404). Channels and incidents travel on different topics, so an incident
   * produced right after its channel can otherwise be consumed first and page nothing.
   */
  async waitUntilKnown(channel: { id: string; workspaceId: string }): Promise<void> {
    await waitFor(
      async () => {
        const res = await fetch(
          `${this.pager.url}/v1/workspaces/${channel.workspaceId}/channels/${channel.id}/deliveries?limit=1`,
          { headers: bearer(channel.workspaceId) },
        );
        await res.body?.cancel();
        return res.status === 200;
      },
      {
        timeoutMs: 20_000,
        intervalMs: 100,
        description: `outbound-pager to know channel ${channel.id}`,
      },
    );
  }

  async deleteChannel(id: string): Promise<void> {
    await this.producer.send({ topic: TOPICS.channels, messages: [{ key: id, value: null }] });
  }

  async publishIncident(
    type: IncidentEventV1['type'],
    incident: DeepPartial<IncidentEventV1['incident']> & { id: string },
    workspaceId: string,
    options: { origin?: Origin; reason?: 'manual' | 'auto_stale' | 'pagerduty' } = {},
  ): Promise<IncidentEventV1> {
    const event = makeIncidentEvent({
      type,
      workspaceId,
      incident,
      ...(type === 'incident.resolved'
        ? { resolution: { reason: options.reason ?? 'manual' } }
        : {}),
    });
    await this.producer.send({
      topic: TOPICS.incidents,
      messages: [
        {
          key: incident.id,
          value: serializeMessage(event),
          headers: buildHeaders({
            origin: options.origin ?? 'axiorank',
            correlationId: randomUUID(),
          }),
        },
      ],
    });
    return event;
  }

  async publishAlert(
    alert: DeepPartial<AlertEventV1['alert']> & { id: string },
    workspaceId: string,
    occurredAt: Date,
  ): Promise<AlertEventV1> {
    const event = makeAlertEvent({ workspaceId, occurredAt: occurredAt.toISOString(), alert });
    await this.producer.send({
      topic: TOPICS.alerts,
      messages: [
        {
          key: alert.id,
          value: serializeMessage(event),
          headers: buildHeaders({ origin: 'axiorank' }),
        },
      ],
    });
    return event;
  }

  async sendRaw(topic: string, key: string, value: string): Promise<void> {
    await this.producer.send({ topic, messages: [{ key, value }] });
  }

  async simIncidents(query: { dedupKey?: string; routingKey?: string }): Promise<SimIncident[]> {
    const params = new URLSearchParams(query as Record<string, string>);
    const res = await fetch(`${this.simulator.url}/_sim/incidents?${params.toString()}`);
    return (await res.json()) as SimIncident[];
  }

  async simRequests(query: {
    dedupKey?: string;
    routingKey?: string;
    region?: string;
  }): Promise<SimRequest[]> {
    const params = new URLSearchParams(query as Record<string, string>);
    const res = await fetch(`${this.simulator.url}/_sim/requests?${params.toString()}`);
    return (await res.json()) as SimRequest[];
  }

  async simFaults(body: Record<string, unknown> | null): Promise<void> {
    await fetch(`${this.simulator.url}/_sim/faults`, {
      method: body ? 'POST' : 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  async deliveries(workspaceId: string, channelId: string): Promise<DeliveryView[]> {
    const res = await fetch(
      `${this.pager.url}/v1/workspaces/${workspaceId}/channels/${channelId}/deliveries?limit=500`,
      {
        headers: bearer(workspaceId),
      },
    );
    if (res.status !== 200) throw new Error(`deliveries answered ${res.status}`);
    return (await res.json()) as DeliveryView[];
  }

  /** Waits until the simulator holds exactly the incidents for dedupKey in the given final state. */
  async waitForSimState(
    dedupKey: string,
    status: SimIncident['status'],
    timeoutMs = 30_000,
  ): Promise<SimIncident[]> {
    return waitFor(
      async () => {
        const found = await this.simIncidents({ dedupKey });
        return found.length > 0 && found.every((i) => i.status === status) ? found : null;
      },
      { timeoutMs, intervalMs: 200, description: `${dedupKey} ${status} in the simulator` },
    );
  }
}

export interface DeliveryView {
  id: string;
  eventId: string;
  sourceType: string;
  action: string;
  dedupKey: string;
  outcome: string;
  reason: string | null;
  attempts: number;
  pagerduty: { status: number | null; message: string; errors?: string[] } | null;
  nextAttemptAt: string | null;
}
