import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  HEADERS,
  TOPICS,
  buildHeaders,
  dlqTopic,
  makeIncidentSyncEvent,
  parseMessage,
  readHeaders,
  serializeMessage,
  type DeepPartial,
  type IncidentEventV1,
  type IncidentSyncEventV1,
  type MessageHeaders,
} from '@app/contracts';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { IncidentSimulator } from './incident-simulator';
import { silentLogger } from './simulator-logger';

interface Collected {
  topic: string;
  key: string | undefined;
  headers: MessageHeaders;
  rawHeaders: Record<string, string>;
  value: string | undefined;
}

const KAFKA_LOCAL = path.resolve(__dirname, '../../kafka-local/kafka-local.mjs');

/** The integration setup exports KAFKA_BROKERS; without it this spec runs its own broker. */
async function ownBroker(): Promise<{ brokers: string; child: ChildProcess }> {
  const script = `
    import { startKafka } from ${JSON.stringify(pathToFileURL(KAFKA_LOCAL).href)};
    const kafka = await startKafka({ quiet: true });
    process.stdout.write('KAFKA_BROKERS=' + kafka.brokers + '\\n');
    process.on('SIGTERM', () => kafka.stop().then(() => process.exit(0)));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const brokers = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /KAFKA_BROKERS=(\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`kafka-local exited with ${code}`)));
  });
  return { brokers, child };
}

async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function headerStrings(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (Buffer.isBuffer(value) || typeof value === 'string') out[name] = value.toString();
  }
  return out;
}

describe('IncidentSimulator against a real Kafka broker', () => {
  let broker: { brokers: string; child: ChildProcess } | undefined;
  let brokers: string;
  let kafka: Kafka;
  let producer: Producer;
  let collector: Consumer;
  const collected: Collected[] = [];
  const simulator = new IncidentSimulator();
  let baseUrl: string;
  // Topics are shared with other suites: everything here is told apart by its own ids.
  const run = randomUUID().slice(0, 8);
  const workspaceId = `ws_sim_${run}`;
  const otherWorkspaceId = `ws_other_${run}`;
  const channelId = randomUUID();
  let counter = 0;
  const nextId = () => `inc_sim_${run}_${++counter}`;

  async function api<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    const res = await fetch(`${baseUrl}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async function openIncident(id = nextId(), ws = workspaceId): Promise<string> {
    const res = await api('POST', '/incidents', {
      workspaceId: ws,
      id,
      title: 'Agent exfiltrating CRM records',
      severity: 'critical',
    });
    expect(res.status).toBe(201);
    return id;
  }

  function incidentEvents(id: string): { event: IncidentEventV1; headers: MessageHeaders }[] {
    return collected
      .filter((m) => m.topic === TOPICS.incidents && m.key === id)
      .map((m) => {
        const parsed = parseMessage(TOPICS.incidents, m.value ?? null);
        if (!parsed.ok || parsed.tombstone === true) throw new Error(`invalid event for ${id}`);
        return { event: parsed.message, headers: m.headers };
      });
  }

  function eventOf(id: string, type: IncidentEventV1['type'], nth = 1) {
    return eventually(
      () => incidentEvents(id).filter((e) => e.event.type === type)[nth - 1],
      `${type} #${nth} for ${id}`,
    );
  }

  async function produceSync(
    id: string,
    overrides: DeepPartial<IncidentSyncEventV1> = {},
  ): Promise<IncidentSyncEventV1> {
    const event = makeIncidentSyncEvent({ workspaceId, incidentId: id, channelId, ...overrides });
    await producer.send({
      topic: TOPICS.incidentSync,
      acks: -1,
      messages: [
        {
          key: id,
          value: serializeMessage(event),
          headers: buildHeaders({
            origin: 'pagerduty',
            channelId: event.channelId,
            correlationId: `corr-${event.eventId}`,
          }),
        },
      ],
    });
    return event;
  }

  async function syncRecords(id: string): Promise<{ outcome: string; eventId?: string }[]> {
    const res = await api<{ syncEvents: { outcome: string; eventId?: string }[] }>(
      'GET',
      `/sync-events?incidentId=${encodeURIComponent(id)}`,
    );
    return res.body.syncEvents;
  }

  /**
   * The types of every event for `id`, read after one more change of our own: events
   * of one incident share a partition, so once that change is collected, anything
   * produced before it (an event that should not exist, say) has been collected too.
   */
  async function typesAfterBarrier(id: string, barrier: 'update' | 'reopen'): Promise<string[]> {
    const type = barrier === 'update' ? 'incident.updated' : 'incident.opened';
    const before = incidentEvents(id).filter((e) => e.event.type === type).length;
    const res = await api(
      'POST',
      `/incidents/${id}/${barrier}`,
      barrier === 'update' ? { alertCount: 2 } : undefined,
    );
    expect(res.status).toBe(200);
    await eventOf(id, type, before + 1);
    return incidentEvents(id).map((e) => e.event.type);
  }

  async function status(id: string): Promise<string> {
    return (await api<{ status: string }>('GET', `/incidents/${id}`)).body.status;
  }

  beforeAll(async () => {
    if (process.env.KAFKA_BROKERS) {
      brokers = process.env.KAFKA_BROKERS;
    } else {
      broker = await ownBroker();
      brokers = broker.brokers;
    }
    ({ url: baseUrl } = await simulator.start({
      brokers,
      groupId: `incident-simulator-int-${run}`,
      logger: silentLogger,
      appBaseUrl: 'http://app.test',
    }));

    kafka = new Kafka({
      clientId: `incident-simulator-int-${run}`,
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();

    // Reading from the beginning is cheap next to seeding a fresh group's offsets (a group join
    // per topic), and nothing this suite produces can be missed; filtering by id does the rest.
    collector = kafka.consumer({
      groupId: `incident-simulator-int-collector-${run}`,
      maxWaitTimeInMs: 500,
    });
    await collector.connect();
    await collector.subscribe({
      topics: [TOPICS.incidents, dlqTopic(TOPICS.incidentSync)],
      fromBeginning: true,
    });
    await collector.run({
      eachMessage: async ({ topic, message }) => {
        collected.push({
          topic,
          key: message.key?.toString(),
          headers: readHeaders(message.headers),
          rawHeaders: headerStrings(message.headers),
          value: message.value?.toString(),
        });
        await Promise.resolve();
      },
    });
  }, 240_000);

  afterAll(async () => {
    await collector?.disconnect();
    await producer?.disconnect();
    await simulator.stop();
    if (broker) {
      const exited = new Promise((resolve) => broker?.child.once('exit', resolve));
      broker.child.kill('SIGTERM');
      await exited;
    }
  }, 60_000);

  it('opens an incident and produces incident.opened with the right value, key and headers', async () => {
    const id = nextId();
    const res = await api(
      'POST',
      '/incidents',
      {
        workspaceId,
        id,
        title: 'Agent exfiltrating CRM records',
        severity: 'critical',
        alertCount: 17,
        blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
        recommendedActions: ["Revoke the agent's token", 'Block tool crm.export'],
      },
      { [HEADERS.correlationId]: `corr-${id}` },
    );
    expect(res.status).toBe(201);

    const { event, headers } = await eventOf(id, 'incident.opened');
    expect(event).toMatchObject({
      type: 'incident.opened',
      workspaceId,
      incident: {
        id,
        title: 'Agent exfiltrating CRM records',
        severity: 'critical',
        status: 'open',
        alertCount: 17,
        blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
        recommendedActions: ["Revoke the agent's token", 'Block tool crm.export'],
        url: `http://app.test/workspaces/${workspaceId}/incidents/${id}`,
      },
    });
    expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.occurredAt)).not.toBeNaN();
    expect(headers).toEqual({ origin: 'axiorank', correlationId: `corr-${id}` });
  });

  it('acknowledges on a sync event and emits incident.acknowledged with origin pagerduty', async () => {
    const id = await openIncident();
    const sync = await produceSync(id);

    const { event, headers } = await eventOf(id, 'incident.acknowledged');
    expect(event.incident.status).toBe('acknowledged');
    expect(headers).toEqual({
      origin: 'pagerduty',
      channelId,
      correlationId: `corr-${sync.eventId}`,
    });
    expect(await status(id)).toBe('acknowledged');
    const view = await api<{ history: { type: string; origin: string; actor?: unknown }[] }>(
      'GET',
      `/incidents/${id}`,
    );
    expect(view.body.history.at(-1)).toMatchObject({
      type: 'incident.acknowledged',
      origin: 'pagerduty',
      actor: sync.actor,
    });
  });

  it('applies the same sync event once when it arrives twice', async () => {
    const id = await openIncident();
    const sync = await produceSync(id, { type: 'incident.resolved' });
    await produceSync(id, sync);

    const records = await eventually(async () => {
      const found = await syncRecords(id);
      return found.length === 2 ? found : undefined;
    }, 'two sync records');
    expect(records.map((r) => r.outcome)).toEqual(['applied', 'ignored_duplicate']);
    const { event, headers } = await eventOf(id, 'incident.resolved');
    expect(event.resolution).toEqual({ reason: 'pagerduty' });
    expect(headers.origin).toBe('pagerduty');
    expect(await typesAfterBarrier(id, 'reopen')).toEqual([
      'incident.opened',
      'incident.resolved',
      'incident.opened',
    ]);
  });

  it("changes nothing when a sync event names another workspace's incident", async () => {
    const id = await openIncident(nextId(), otherWorkspaceId);
    await produceSync(id, { workspaceId });
    await produceSync(id, { workspaceId, type: 'incident.resolved' });

    const records = await eventually(async () => {
      const found = await syncRecords(id);
      return found.length === 2 ? found : undefined;
    }, 'two sync records');
    expect(records.map((r) => r.outcome)).toEqual([
      'ignored_other_workspace',
      'ignored_other_workspace',
    ]);
    expect(await status(id)).toBe('open');
    expect(await typesAfterBarrier(id, 'update')).toEqual(['incident.opened', 'incident.updated']);
  });

  it('keeps an incident resolved when a late acknowledge arrives', async () => {
    const id = await openIncident();
    const resolved = await api('POST', `/incidents/${id}/resolve`, { reason: 'manual' });
    expect(resolved.status).toBe(200);
    await produceSync(id);

    const [record] = await eventually(async () => {
      const found = await syncRecords(id);
      return found.length === 1 ? found : undefined;
    }, 'the late acknowledge');
    expect(record.outcome).toBe('ignored_backwards');
    expect(await status(id)).toBe('resolved');
    expect(await typesAfterBarrier(id, 'reopen')).toEqual([
      'incident.opened',
      'incident.resolved',
      'incident.opened',
    ]);
  });

  it('sweeps stale incidents into auto_stale resolves', async () => {
    const sweepWorkspace = `ws_sweep_${run}`;
    const open = await openIncident(nextId(), sweepWorkspace);
    const acked = await openIncident(nextId(), sweepWorkspace);
    await api('POST', `/incidents/${acked}/acknowledge`);

    const res = await api<{ resolved: string[] }>('POST', '/sweep', {
      olderThanMs: 0,
      workspaceId: sweepWorkspace,
    });

    expect(res.body.resolved.sort()).toEqual([open, acked].sort());
    for (const id of [open, acked]) {
      const { event, headers } = await eventOf(id, 'incident.resolved');
      expect(event.resolution).toEqual({ reason: 'auto_stale' });
      expect(headers.origin).toBe('axiorank');
    }
  });

  it('dead-letters a garbage sync message and still applies the next one', async () => {
    const id = await openIncident();
    await producer.send({
      topic: TOPICS.incidentSync,
      acks: -1,
      messages: [{ key: id, value: '{"eventId": "not even', headers: { 'x-test-run': run } }],
    });
    await produceSync(id);

    const letter = await eventually(
      () => collected.find((m) => m.topic === dlqTopic(TOPICS.incidentSync) && m.key === id),
      'the dead letter',
    );
    expect(letter.value).toBe('{"eventId": "not even');
    expect(letter.rawHeaders).toMatchObject({
      'x-test-run': run,
      [HEADERS.dlqSourceTopic]: TOPICS.incidentSync,
      [HEADERS.dlqReason]: expect.stringMatching(/^invalid JSON/),
    });
    await eventOf(id, 'incident.acknowledged');
    const records = await syncRecords(id);
    expect(records.map((r) => r.outcome)).toEqual(['applied']);
    const all = await api<{ syncEvents: { outcome: string; key?: string }[] }>(
      'GET',
      '/sync-events?outcome=dead_lettered',
    );
    expect(all.body.syncEvents.some((r) => r.key === id)).toBe(true);
  });
});
