import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { buildHeaders, makeIncidentEvent, serializeMessage, TOPICS } from '@app/contracts';
import { signPagerDutyPayload } from '@app/crypto';
import { consumeAll, kafkaBrokers, type ServiceProcess, tokenFor, waitFor } from '@app/testing';
import {
  credentialKey,
  ensureTopics,
  Http,
  listTopics,
  newWorkspaceId,
  ScratchDatabase,
  Simulator,
  startApp,
  summary,
} from './security-support';

/**
 * H4: recognisable canary secrets (routing key, signing secret, credential key, JWT secret) go
 * through the whole flow with every service at debug level, including requests that fail. Not
 * one may show up in a log line, a Kafka message (dead-letter topics included), an API answer,
 * a metrics page or a database row outside its sealed column.
 */
describe('H4 canary secrets never leave the places they belong', () => {
  const routingKey = `CANARYRK${randomBytes(12).toString('hex')}`; // 32 letters/digits
  const signingSecret = `CANARYSS${randomBytes(30).toString('base64')}`;
  const jwtSecret = `CANARYJWT-${randomBytes(16).toString('hex')}`;
  const keyBytes = Buffer.concat([Buffer.from('CANARYKEY-BYTES!'), randomBytes(16)]);
  const key = credentialKey('canary', keyBytes);
  const ws = newWorkspaceId('canary');
  const canaries: Record<string, string> = {
    routingKey,
    signingSecret,
    jwtSecret,
    credentialKeyBase64: keyBytes.toString('base64'),
    credentialKeyBase64Url: keyBytes.toString('base64url'),
    credentialKeyHex: keyBytes.toString('hex'),
    credentialKeyHexUpper: keyBytes.toString('hex').toUpperCase(),
    credentialKeyAscii: 'CANARYKEY-BYTES!',
  };
  const http = new Http();
  let db: ScratchDatabase;
  let sim: Simulator;
  let channelConfig: ServiceProcess;
  let inbound: ServiceProcess;
  let outbound: ServiceProcess;
  let producer: Producer;

  const auth = { authorization: `Bearer ${tokenFor(ws, { secret: jwtSecret })}` };

  beforeAll(async () => {
    db = await ScratchDatabase.create('faults_h4');
    await ensureTopics();
    sim = await Simulator.start('h4');
    const options = {
      databaseUrl: db.url,
      credentialKeys: key.spec,
      simulator: sim,
      jwtSecret,
      logLevel: 'debug',
      label: 'h4',
    };
    inbound = await startApp('inbound-webhook', options);
    [channelConfig, outbound] = await Promise.all([
      startApp('channel-config', {
        ...options,
        env: { PUBLIC_WEBHOOK_BASE_URL: inbound.url },
      }),
      startApp('outbound-pager', options),
    ]);
    producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await Promise.allSettled(
      [channelConfig, inbound, outbound, sim].map((s) => s?.stop() ?? Promise.resolve()),
    );
    await db?.drop();
  });

  const channels = () => `${channelConfig.url}/v1/workspaces/${ws}/channels`;
  const publish = async (event: ReturnType<typeof makeIncidentEvent>) => {
    await producer.send({
      topic: TOPICS.incidents,
      messages: [
        {
          key: event.incident.id,
          value: serializeMessage(event),
          headers: buildHeaders({ origin: 'axiorank' }),
        },
      ],
    });
  };

  it('finds no canary in any log, topic, answer, metrics page or unsealed column after the full flow', async () => {
    const started = Date.now();
    const service = await sim.service(routingKey, 'Canary service');
    const channel = await http.json<{ id: string; twoWaySync: { webhookUrl: string } }>(
      'POST',
      channels(),
      { headers: auth, body: { name: 'Canary', routingKey, twoWaySync: true } },
    );
    const subscription = await sim.subscribe(
      service.id,
      channel.twoWaySync.webhookUrl,
      signingSecret,
    );
    expect(subscription.secrets).toEqual([signingSecret]);
    const channelUrl = `${channels()}/${channel.id}`;
    await http.json('PUT', `${channelUrl}/signing-secret`, {
      headers: auth,
      body: { signingSecret },
    });

    // Requests that fail, each carrying a canary.
    const failures = await Promise.all([
      http.call('POST', channels(), {
        headers: auth,
        body: { name: '', routingKey, region: 'mars', color: 'red' },
      }),
      http.call('PATCH', channelUrl, { headers: auth, body: { routingKey: `${routingKey}0` } }),
      http.call('PUT', `${channelUrl}/signing-secret`, {
        headers: auth,
        body: { signingSecret, extra: 1 },
      }),
      http.call('POST', channels(), {
        headers: auth,
        rawBody: `{"name":"x","routingKey":"${routingKey}","signingSecret":"${signingSecret}"`,
      }),
      http.call('POST', channels(), {
        headers: { authorization: `Bearer ${tokenFor(ws, { secret: `${jwtSecret}x` })}` },
        body: { name: 'x', routingKey },
      }),
      http.call('GET', channels(), { headers: { authorization: `Bearer ${jwtSecret}` } }),
    ]);
    expect(failures.map((f) => f.status)).toEqual([400, 400, 400, 400, 401, 401]);

    const sendTest = await http.call<{ ok: boolean }>('POST', `${channelUrl}/test`, {
      headers: auth,
    });
    expect(sendTest.status).toBe(200);

    // An incident opened in AxioRank, acknowledged in PagerDuty (a signed webhook back),
    // resolved in AxioRank.
    const opened = makeIncidentEvent({ workspaceId: ws, incident: { id: `inc_${randomUUID()}` } });
    const incidentId = opened.incident.id;
    await publish(opened);
    const [pd] = await waitFor(
      async () => {
        const found = await sim.incidents({ dedupKey: incidentId });
        return found.length > 0 ? found : null;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'the PagerDuty incident' },
    );
    await sim.acknowledge(pd.id);
    await consumeAll(TOPICS.incidentSync, {
      until: (messages) => messages.some((m) => m.key === incidentId),
      timeoutMs: 60_000,
    });
    await publish(
      makeIncidentEvent({
        type: 'incident.resolved',
        workspaceId: ws,
        incident: { id: incidentId },
      }),
    );
    await waitFor(
      async () => (await sim.incidents({ dedupKey: incidentId }))[0]?.status === 'resolved',
      { timeoutMs: 60_000, intervalMs: 250, description: 'the PagerDuty incident resolved' },
    );
    // A webhook signed with the wrong secret, its body carrying the real one.
    const forged = await http.call('POST', `${inbound.url}/v1/webhooks/pagerduty/${channel.id}`, {
      headers: { 'x-pagerduty-signature': signPagerDutyPayload('{}', `${signingSecret}x`) },
      rawBody: JSON.stringify({ event: { id: 'x', secret: signingSecret } }),
    });
    expect(forged.status).toBe(401);
    // The canary really travelled: PagerDuty was paged under it.
    expect(pd.routingKey).toBe(routingKey);

    // Everything to scan.
    const sources: Record<string, string> = {};
    for (const s of [channelConfig, inbound, outbound]) {
      sources[`${s.name} /metrics`] = await (await fetch(`${s.url}/metrics`)).text();
      sources[`${s.name} /health/ready`] = await (await fetch(`${s.url}/health/ready`)).text();
    }
    for (const s of [channelConfig, outbound]) {
      sources[`${s.name} /docs/openapi.json`] = await (
        await fetch(`${s.url}/docs/openapi.json`)
      ).text();
    }
    const topics = await listTopics();
    const consumed = await Promise.all(
      topics.map(async (topic) => ({
        topic,
        messages: await consumeAll(topic, { timeoutMs: 60_000 }),
      })),
    );
    let messageCount = 0;
    for (const { topic, messages } of consumed) {
      messageCount += messages.length;
      sources[`topic ${topic}`] = messages
        .map((m) => `${m.key}\n${m.value}\n${JSON.stringify(m.headers)}`)
        .join('\n');
    }
    const tables = await db.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_schema IN ('channel_config', 'outbound_pager', 'inbound_webhook')`,
    );
    for (const table of tables) {
      const rows = await db.query(`SELECT * FROM "${table.schema}"."${table.name}"`);
      sources[`table ${table.schema}.${table.name}`] = JSON.stringify(rows);
    }
    // Logs last, so they include everything the scans above caused.
    for (const s of [channelConfig, inbound, outbound]) sources[`${s.name} log`] = s.logs;
    sources['API answers'] = http.answers.join('\n');

    const found: string[] = [];
    for (const [source, text] of Object.entries(sources)) {
      for (const [name, canary] of Object.entries(canaries)) {
        if (text.includes(canary)) found.push(`${name} in ${source}`);
      }
    }
    const logLines = [channelConfig, inbound, outbound]
      .map((s) => s.logs.split('\n').length)
      .reduce((a, b) => a + b, 0);
    summary(
      'H4 canary secrets',
      {
        canaries: Object.keys(canaries).length,
        sources: Object.keys(sources).length,
        topics: topics.length,
        messages: messageCount,
        log_lines: logLines,
        answers: http.answers.length,
        occurrences: found.length,
      },
      started,
    );
    expect(found).toEqual([]);
    // The scans looked at something: debug logs and the flow's own messages.
    expect(logLines).toBeGreaterThan(60);
    expect(sources[`topic ${TOPICS.incidentSync}`]).toContain(incidentId);
    expect(sources[`topic ${TOPICS.channels}`]).toContain(channel.id);
  });
});
