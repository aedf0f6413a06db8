import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { buildHeaders, makeAlertEvent, serializeMessage, TOPICS } from '@app/contracts';
import {
  bearer,
  databaseUrl,
  freePort,
  kafkaBrokers,
  ServiceProcess,
  TEST_JWT_SECRET,
  waitFor,
} from '@app/testing';

interface SimIncident {
  id: string;
  number: number;
  routingKey: string;
  dedupKey: string;
  status: string;
  title: string;
  severity: string;
  log: { action: string; via: string; payload?: { custom_details?: Record<string, unknown> } }[];
}

const json = async <T>(res: Response): Promise<T> => {
  if (!res.ok) throw new Error(`${res.url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
};
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const put = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

/**
 * The whole system as deployed: the three services from dist/ as separate processes, the
 * PagerDuty simulator and the incident simulator, over the real Kafka broker and PostgreSQL.
 */
describe('AxioRank PagerDuty integration, end to end', () => {
  const timings: Record<string, number> = {};
  const ws = `ws_e2e_${randomUUID().slice(0, 8)}`;
  const other = `ws_e2e_other_${randomUUID().slice(0, 8)}`;
  let sim: ServiceProcess;
  let incidents: ServiceProcess;
  let channelConfig: ServiceProcess;
  let inbound: ServiceProcess;
  let outbound: ServiceProcess;
  let producer: Producer;

  beforeAll(async () => {
    const started = Date.now();
    const [simPort, incPort, ccPort, inPort, outPort] = await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    );
    sim = await ServiceProcess.start('pagerduty-simulator', {
      env: { PD_SIM_PORT: String(simPort), PD_SIM_QUIET: 'true' },
      port: simPort,
      readyPath: '/_sim/health',
      label: `e2e-sim-${simPort}`,
    });
    const common = {
      DATABASE_URL: databaseUrl(),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      CREDENTIAL_KEYS: `e2e:${randomBytes(32).toString('base64')}`,
      PAGERDUTY_EVENTS_URL: `${sim.url}/v2/enqueue`,
      PAGERDUTY_EVENTS_URL_EU: `${sim.url}/eu/v2/enqueue`,
      PUBLIC_WEBHOOK_BASE_URL: `http://127.0.0.1:${inPort}`,
      APP_BASE_URL: 'https://app.axiorank.test',
      LOG_LEVEL: 'info',
    };
    const group = (name: string) => ({ KAFKA_GROUP_ID: `${name}-e2e-${randomUUID()}` });
    [channelConfig, inbound, outbound] = await Promise.all([
      ServiceProcess.start('channel-config', {
        env: { ...common, ...group('channel-config') },
        port: ccPort,
        label: `e2e-cc-${ccPort}`,
      }),
      ServiceProcess.start('inbound-webhook', {
        env: { ...common, ...group('inbound-webhook') },
        port: inPort,
        label: `e2e-in-${inPort}`,
      }),
      ServiceProcess.start('outbound-pager', {
        env: { ...common, ...group('outbound-pager') },
        port: outPort,
        label: `e2e-out-${outPort}`,
      }),
    ]);
    incidents = await ServiceProcess.start('incident-simulator', {
      env: {
        KAFKA_BROKERS: common.KAFKA_BROKERS,
        INCIDENT_SIM_PORT: String(incPort),
        INCIDENT_SIM_GROUP_ID: `incident-simulator-e2e-${randomUUID()}`,
        APP_BASE_URL: common.APP_BASE_URL,
      },
      port: incPort,
      readyPath: '/health',
      label: `e2e-incidents-${incPort}`,
    });
    producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    timings.startup = Date.now() - started;
  });

  afterAll(async () => {
    await producer?.disconnect();
    await Promise.all([incidents, channelConfig, inbound, outbound, sim].map((s) => s?.stop()));
    process.stdout.write(`e2e timings (ms): ${JSON.stringify(timings)}\n`);
  });

  const channelsUrl = (workspace: string) =>
    `${channelConfig.url}/v1/workspaces/${workspace}/channels`;
  const simIncidents = (dedupKey: string) =>
    fetch(`${sim.url}/_sim/incidents?dedupKey=${encodeURIComponent(dedupKey)}`).then((r) =>
      json<SimIncident[]>(r),
    );
  const incident = (id: string) =>
    fetch(`${incidents.url}/incidents/${id}`).then((r) =>
      json<{ status: string; history: { type: string; origin: string }[] }>(r),
    );

  /** A PagerDuty service + a channel for it with two-way sync, the secret pasted back, verified. */
  async function pagerDutyChannel(workspace: string, name: string) {
    const service = await json<{ id: string; routingKey: string }>(
      await post(`${sim.url}/_sim/services`, { name }),
    );
    const channel = await json<{ id: string; twoWaySync: { webhookUrl: string } }>(
      await post(
        channelsUrl(workspace),
        { name, routingKey: service.routingKey, twoWaySync: true },
        bearer(workspace),
      ),
    );
    const subscription = await json<{ id: string; secrets: string[] }>(
      await post(`${sim.url}/_sim/services/${service.id}/webhooks`, {
        url: channel.twoWaySync.webhookUrl,
      }),
    );
    return { service, channel, subscription };
  }

  let main: Awaited<ReturnType<typeof pagerDutyChannel>>;

  it('sets up two-way sync: a ping before the secret is saved is rejected, after it verifies the channel', async () => {
    const t0 = Date.now();
    main = await pagerDutyChannel(ws, 'Security on-call');
    // The channel reaches inbound-webhook over Kafka within two seconds; PagerDuty disables a
    // subscription after three rejected deliveries, so ping once, after that.
    await new Promise((r) => setTimeout(r, 2500));
    await post(`${sim.url}/_sim/subscriptions/${main.subscription.id}/ping`, {});
    const pingBefore = await waitFor(
      async () => {
        const webhooks = await json<{ eventType: string; attempts: { status?: number }[] }[]>(
          await fetch(`${sim.url}/_sim/webhooks?subscriptionId=${main.subscription.id}`),
        );
        return webhooks.find((w) => w.eventType === 'pagey.ping' && w.attempts.length > 0);
      },
      { timeoutMs: 20_000, description: 'the first ping delivery' },
    );
    expect(pingBefore.attempts[0].status).toBe(401);
    expect(
      (
        await put(
          `${channelsUrl(ws)}/${main.channel.id}/signing-secret`,
          { signingSecret: main.subscription.secrets[0] },
          bearer(ws),
        )
      ).status,
    ).toBe(204);
    await new Promise((r) => setTimeout(r, 2500));
    await post(`${sim.url}/_sim/subscriptions/${main.subscription.id}/ping`, {});
    const verified = await waitFor(
      async () => {
        const channel = await json<{
          twoWaySync: { verifiedAt: string | null; signingSecretSet: boolean };
        }>(await fetch(`${channelsUrl(ws)}/${main.channel.id}`, { headers: bearer(ws) }));
        return channel.twoWaySync.verifiedAt ? channel : null;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: 'twoWaySync.verifiedAt' },
    );
    expect(verified.twoWaySync.signingSecretSet).toBe(true);
    timings.twoWaySyncSetup = Date.now() - t0;
  });

  it('pages one PagerDuty incident, reflects PagerDuty’s acknowledge without an echo, and resolves both sides', async () => {
    const t0 = Date.now();
    const opened = await json<{ incident: { id: string } }>(
      await post(`${incidents.url}/incidents`, {
        workspaceId: ws,
        title: 'Agent exfiltrating CRM records',
        severity: 'critical',
        alertCount: 17,
        blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
        recommendedActions: ["Revoke the agent's token", 'Block tool crm.export'],
      }),
    );
    const id = opened.incident.id;
    const [pd] = await waitFor(
      async () => {
        const found = await simIncidents(id);
        return found.length > 0 ? found : null;
      },
      { timeoutMs: 20_000, description: 'the PagerDuty incident' },
    );
    timings.openToPaged = Date.now() - t0;
    expect(pd.routingKey).toBe(main.service.routingKey);
    expect(pd.title).toBe('Agent exfiltrating CRM records');
    expect(pd.severity).toBe('critical');
    expect(pd.log[0].payload?.custom_details).toMatchObject({
      correlated_alert_count: 17,
      blast_radius: { agents: 3, tools: 5, users: 12 },
      recommended_actions: ["Revoke the agent's token", 'Block tool crm.export'],
    });

    const t1 = Date.now();
    await post(`${sim.url}/_sim/incidents/${pd.id}/acknowledge`, {
      user: { id: 'PJANE01', name: 'Jane Doe' },
    });
    await waitFor(async () => (await incident(id)).status === 'acknowledged', {
      timeoutMs: 30_000,
      description: 'AxioRank to show the acknowledge from PagerDuty',
    });
    timings.pagerDutyAckToAxioRank = Date.now() - t1;
    const ack = (await incident(id)).history.find((h) => h.type === 'incident.acknowledged');
    expect(ack?.origin).toBe('pagerduty');
    // outbound-pager recorded the reflected acknowledge as skipped and sent nothing back.
    await waitFor(
      async () => {
        const deliveries = await json<{ dedupKey: string; reason: string | null }[]>(
          await fetch(
            `${outbound.url}/v1/workspaces/${ws}/channels/${main.channel.id}/deliveries`,
            { headers: bearer(ws) },
          ),
        );
        return deliveries.some((d) => d.dedupKey === id && d.reason === 'origin_pagerduty');
      },
      { timeoutMs: 20_000, description: 'the skipped echo in the delivery history' },
    );
    const [afterAck] = await simIncidents(id);
    expect(afterAck.log.filter((l) => l.via === 'events_api').map((l) => l.action)).toEqual([
      'trigger',
    ]);

    const t2 = Date.now();
    await post(`${incidents.url}/incidents/${id}/resolve`, { reason: 'manual' });
    const [resolved] = await waitFor(
      async () => {
        const found = await simIncidents(id);
        return found[0]?.status === 'resolved' ? found : null;
      },
      { timeoutMs: 20_000, description: 'the PagerDuty incident resolved' },
    );
    timings.resolveToPagerDuty = Date.now() - t2;
    expect(resolved.log.filter((l) => l.via === 'events_api').map((l) => l.action)).toEqual([
      'trigger',
      'resolve',
    ]);
    expect((await simIncidents(id)).length).toBe(1);
    // PagerDuty's own resolved webhook comes back as a sync event; the incident stays resolved once.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await incident(id)).status).toBe('resolved');
  });

  it('resolves the same way when PagerDuty resolves first, and never pages back', async () => {
    const opened = await json<{ incident: { id: string } }>(
      await post(`${incidents.url}/incidents`, {
        workspaceId: ws,
        title: 'Resolved by the responder',
        severity: 'high',
      }),
    );
    const id = opened.incident.id;
    const [pd] = await waitFor(
      async () => ((await simIncidents(id)).length ? simIncidents(id) : null),
      {
        timeoutMs: 20_000,
        description: 'the PagerDuty incident',
      },
    );
    await post(`${sim.url}/_sim/incidents/${pd.id}/resolve`, {
      user: { id: 'PJANE01', name: 'Jane Doe' },
    });
    await waitFor(async () => (await incident(id)).status === 'resolved', {
      timeoutMs: 30_000,
      description: 'AxioRank resolved',
    });
    await new Promise((r) => setTimeout(r, 1500));
    const [after] = await simIncidents(id);
    expect(after.log.filter((l) => l.via === 'events_api').map((l) => l.action)).toEqual([
      'trigger',
    ]);
  });

  it('a PagerDuty incident key naming another workspace’s incident changes nothing there', async () => {
    const victim = await json<{ incident: { id: string } }>(
      await post(`${incidents.url}/incidents`, {
        workspaceId: ws,
        title: 'Not yours',
        severity: 'high',
      }),
    );
    await waitFor(async () => (await simIncidents(victim.incident.id)).length > 0, {
      timeoutMs: 20_000,
      description: 'paged',
    });
    const attacker = await pagerDutyChannel(other, 'Other workspace');
    await put(
      `${channelsUrl(other)}/${attacker.channel.id}/signing-secret`,
      { signingSecret: attacker.subscription.secrets[0] },
      bearer(other),
    );
    await new Promise((r) => setTimeout(r, 2000));
    // The other workspace's own PagerDuty account opens an incident with the victim's id as key…
    await post(`${sim.url}/v2/enqueue`, {
      routing_key: attacker.service.routingKey,
      event_action: 'trigger',
      dedup_key: victim.incident.id,
      payload: { summary: 'crafted', source: 'elsewhere', severity: 'critical' },
    });
    const crafted = (await simIncidents(victim.incident.id)).find(
      (i) => i.routingKey === attacker.service.routingKey,
    )!;
    // …and acknowledges it: a signed, valid webhook for the other workspace's channel.
    await post(`${sim.url}/_sim/incidents/${crafted.id}/acknowledge`, {});
    const sync = await waitFor(
      async () => {
        const events = await json<{
          syncEvents: { incidentId: string; workspaceId: string; outcome: string }[];
        }>(
          await fetch(
            `${incidents.url}/sync-events?incidentId=${encodeURIComponent(victim.incident.id)}`,
          ),
        );
        return events.syncEvents.find((e) => e.workspaceId === other);
      },
      { timeoutMs: 30_000, description: 'the crafted sync event' },
    );
    expect(sync.outcome).toBe('ignored_other_workspace');
    expect((await incident(victim.incident.id)).status).toBe('open');
  });

  it('Send test triggers a throwaway incident, resolves it at once, and shows PagerDuty’s error for a wrong key', async () => {
    const t0 = Date.now();
    const res = await post(`${channelsUrl(ws)}/${main.channel.id}/test`, {}, bearer(ws));
    timings.sendTest = Date.now() - t0;
    const body = await json<{
      ok: boolean;
      dedupKey: string;
      trigger: { status: number };
      resolve: { status: number };
    }>(res);
    expect(body).toMatchObject({ ok: true, trigger: { status: 202 }, resolve: { status: 202 } });
    expect((await simIncidents(body.dedupKey)).map((i) => i.status)).toEqual(['resolved']);

    const wrong = await json<{ id: string }>(
      await post(channelsUrl(ws), { name: 'Typo', routingKey: 'X'.repeat(32) }, bearer(ws)),
    );
    const failed = await post(`${channelsUrl(ws)}/${wrong.id}/test`, {}, bearer(ws));
    expect(failed.status).toBe(400);
    const failure = (await failed.json()) as {
      ok: boolean;
      trigger: { status: number; message: string };
    };
    expect(failure.ok).toBe(false);
    expect(failure.trigger.status).toBe(400);
    expect(failure.trigger.message).toMatch(/invalid/i);
  });

  it('resolves a stale incident that AxioRank auto-resolves', async () => {
    const opened = await json<{ incident: { id: string } }>(
      await post(`${incidents.url}/incidents`, {
        workspaceId: ws,
        title: 'Stopped recurring',
        severity: 'medium',
      }),
    );
    const id = opened.incident.id;
    await waitFor(async () => (await simIncidents(id)).length > 0, {
      timeoutMs: 20_000,
      description: 'paged',
    });
    await post(`${incidents.url}/sweep`, { olderThanMs: 0, workspaceId: ws });
    const [pd] = await waitFor(
      async () => {
        const found = await simIncidents(id);
        return found[0]?.status === 'resolved' ? found : null;
      },
      { timeoutMs: 20_000, description: 'the stale incident resolved in PagerDuty' },
    );
    expect(pd.severity).toBe('warning');
  });

  it('alerts mode pages within the severity floor, quiet hours and hourly cap', async () => {
    const alertsWs = `ws_e2e_alerts_${randomUUID().slice(0, 8)}`;
    const service = await json<{ routingKey: string }>(
      await post(`${sim.url}/_sim/services`, { name: 'alerts' }),
    );
    const channel = await json<{ id: string }>(
      await post(
        channelsUrl(alertsWs),
        {
          name: 'Every high-risk alert',
          routingKey: service.routingKey,
          mode: 'alerts',
          severityFloor: 'high',
          quietHours: { start: '22:00', end: '07:00', timezone: 'America/New_York' },
          hourlyCap: 2,
        },
        bearer(alertsWs),
      ),
    );
    await new Promise((r) => setTimeout(r, 2500));
    const publish = async (severity: 'medium' | 'high' | 'critical', at: string) => {
      const event = makeAlertEvent({
        workspaceId: alertsWs,
        occurredAt: at,
        alert: { id: `alr_${randomUUID()}`, severity },
      });
      await producer.send({
        topic: TOPICS.alerts,
        messages: [
          {
            key: event.alert.id,
            value: serializeMessage(event),
            headers: buildHeaders({ origin: 'axiorank' }),
          },
        ],
      });
      return event.alert.id;
    };
    const below = await publish('medium', '2026-12-04T17:00:00Z'); // 12:00 New York
    const quiet = await publish('critical', '2026-12-04T04:00:00Z'); // 23:00 New York
    const first = await publish('high', '2026-12-04T17:01:00Z');
    const second = await publish('critical', '2026-12-04T17:02:00Z');
    const third = await publish('critical', '2026-12-04T17:03:00Z');
    const rows = await waitFor(
      async () => {
        const list = await json<{ dedupKey: string; outcome: string; reason: string | null }[]>(
          await fetch(
            `${outbound.url}/v1/workspaces/${alertsWs}/channels/${channel.id}/deliveries`,
            { headers: bearer(alertsWs) },
          ),
        );
        return list.filter((d) => d.outcome !== 'pending').length >= 5
          ? new Map(list.map((d) => [d.dedupKey, d]))
          : null;
      },
      { timeoutMs: 30_000, description: 'five recorded alert outcomes' },
    );
    expect(rows.get(below)?.reason).toBe('below_severity_floor');
    expect(rows.get(quiet)?.reason).toBe('quiet_hours');
    const paged = [first, second, third].filter((id) => rows.get(id)?.outcome === 'delivered');
    expect(paged).toHaveLength(2);
    expect(
      [first, second, third].filter((id) => rows.get(id)?.reason === 'hourly_cap'),
    ).toHaveLength(1);
  });

  it('keeps secrets out of every log and every metrics page', async () => {
    const secrets = [main.service.routingKey, main.subscription.secrets[0]];
    for (const service of [channelConfig, inbound, outbound]) {
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      for (const secret of secrets) {
        expect(service.logs).not.toContain(secret);
        expect(metrics).not.toContain(secret);
      }
    }
  });
});
