import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { buildHeaders, makeIncidentEvent, serializeMessage, TOPICS } from '@app/contracts';
import { KeyRing, sealSecret, signPagerDutyPayload } from '@app/crypto';
import { kafkaBrokers, makePingWebhook, type ServiceProcess, waitFor } from '@app/testing';
import {
  allReady,
  authHeader,
  credentialKey,
  ensureTopics,
  Http,
  metric,
  newRoutingKey,
  newWorkspaceId,
  ScratchDatabase,
  Simulator,
  startApp,
  summary,
} from './security-support';

interface Channel {
  id: string;
  name: string;
  credentials: { usable: boolean; problems: { secret: string; problem: string }[] };
}

interface Delivery {
  dedupKey: string;
  outcome: string;
  reason: string | null;
}

/**
 * H3: sealed secrets edited in PostgreSQL behind the service's back: copied to another
 * workspace's channel, tampered, truncated, sealed under a key since removed. Each must fail to
 * open with a typed reason, show as unusable in the API and metrics, send nothing to PagerDuty
 * and crash nothing.
 */
describe('H3 a sealed secret copied, tampered, truncated or under a removed key is refused, reported, and never sent', () => {
  const k1 = credentialKey('k1');
  const removed = credentialKey('k0');
  const wsA = newWorkspaceId('owner');
  const wsB = newWorkspaceId('other');
  const keys = {
    control: newRoutingKey(),
    tampered: newRoutingKey(),
    truncated: newRoutingKey(),
    removedKey: newRoutingKey(),
    copy: newRoutingKey(),
    secretBroken: newRoutingKey(),
  };
  const signingSecret = randomBytes(32).toString('base64');
  const http = new Http();
  let db: ScratchDatabase;
  let sim: Simulator;
  let channelConfig: ServiceProcess;
  let outbound: ServiceProcess;
  let inbound: ServiceProcess;
  let producer: Producer;
  const ids: Record<keyof typeof keys, string> = {
    control: '',
    tampered: '',
    truncated: '',
    removedKey: '',
    copy: '',
    secretBroken: '',
  };
  const wsOf = (name: keyof typeof keys) => (name === 'copy' ? wsB : wsA);
  const channelUrl = (name: keyof typeof keys, sub = '') =>
    `${channelConfig.url}/v1/workspaces/${wsOf(name)}/channels/${ids[name]}${sub}`;

  beforeAll(async () => {
    db = await ScratchDatabase.create('faults_h3');
    await ensureTopics();
    sim = await Simulator.start('h3');
    for (const key of Object.values(keys)) await sim.service(key);
    channelConfig = await startApp('channel-config', {
      databaseUrl: db.url,
      credentialKeys: k1.spec,
      simulator: sim,
      label: 'h3',
    });
    producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await Promise.allSettled(
      [channelConfig, outbound, inbound, sim].map((s) => s?.stop() ?? Promise.resolve()),
    );
    await db?.drop();
  });

  const stored = async (id: string) =>
    (
      await db.query<{ routing_key: string; signing_secret: string | null }>(
        `SELECT routing_key, signing_secret FROM channel_config.channels WHERE id = $1`,
        [id],
      )
    )[0];
  const setColumn = (id: string, column: 'routing_key' | 'signing_secret', value: string) =>
    db.query(`UPDATE channel_config.channels SET ${column} = $2 WHERE id = $1`, [id, value]);

  it('reports each broken channel as unusable (API, metrics, Send test 409), pages nothing with it, and stays ready', async () => {
    const started = Date.now();
    for (const name of Object.keys(keys) as (keyof typeof keys)[]) {
      const created = await http.json<Channel>(
        'POST',
        `${channelConfig.url}/v1/workspaces/${wsOf(name)}/channels`,
        {
          headers: authHeader(wsOf(name)),
          body: { name, routingKey: keys[name], twoWaySync: name === 'secretBroken' },
        },
      );
      ids[name] = created.id;
      expect(created.credentials).toEqual({ usable: true, problems: [] });
    }
    await http.json('PUT', channelUrl('secretBroken', '/signing-secret'), {
      headers: authHeader(wsA),
      body: { signingSecret },
    });

    // The edits, straight in PostgreSQL.
    const control = await stored(ids.control);
    await setColumn(ids.copy, 'routing_key', control.routing_key);
    const tampered = (await stored(ids.tampered)).routing_key.split(':');
    const ct = tampered[4];
    const mid = Math.floor(ct.length / 2);
    tampered[4] = `${ct.slice(0, mid)}${ct[mid] === 'A' ? 'B' : 'A'}${ct.slice(mid + 1)}`;
    await setColumn(ids.tampered, 'routing_key', tampered.join(':'));
    await setColumn(
      ids.truncated,
      'routing_key',
      (await stored(ids.truncated)).routing_key.slice(0, -6),
    );
    await setColumn(
      ids.removedKey,
      'routing_key',
      sealSecret(keys.removedKey, wsA, KeyRing.parse(removed.spec)),
    );
    // A signing secret copied from another workspace's channel row.
    await setColumn(
      ids.secretBroken,
      'signing_secret',
      sealSecret(signingSecret, wsB, KeyRing.parse(k1.spec)),
    );
    // Any later change publishes the row as stored; the other services get the edited values.
    for (const name of Object.keys(keys) as (keyof typeof keys)[]) {
      if (name === 'control') continue;
      await http.json('PATCH', channelUrl(name), {
        headers: authHeader(wsOf(name)),
        body: { name: `${name} (edited)` },
      });
    }

    const expected: Record<string, { secret: string; problem: string } | null> = {
      control: null,
      copy: { secret: 'routingKey', problem: 'tampered_or_wrong_workspace' },
      tampered: { secret: 'routingKey', problem: 'tampered_or_wrong_workspace' },
      truncated: { secret: 'routingKey', problem: 'malformed' },
      removedKey: { secret: 'routingKey', problem: 'sealed_under_unknown_key' },
      secretBroken: { secret: 'signingSecret', problem: 'tampered_or_wrong_workspace' },
    };
    for (const [name, problem] of Object.entries(expected)) {
      const shown = await http.json<Channel>('GET', channelUrl(name as keyof typeof keys), {
        headers: authHeader(wsOf(name as keyof typeof keys)),
      });
      expect({ name, credentials: shown.credentials }).toEqual({
        name,
        credentials: problem
          ? { usable: false, problems: [problem] }
          : { usable: true, problems: [] },
      });
    }
    const list = await http.json<Channel[]>(
      'GET',
      `${channelConfig.url}/v1/workspaces/${wsA}/channels`,
      {
        headers: authHeader(wsA),
      },
    );
    expect(
      list
        .filter((c) => !c.credentials.usable)
        .map((c) => c.id)
        .sort(),
    ).toEqual([ids.tampered, ids.truncated, ids.removedKey, ids.secretBroken].sort());

    const ccMetrics = await (await fetch(`${channelConfig.url}/metrics`)).text();
    const gauge = (secret: string, problem: string) =>
      metric(ccMetrics, 'channel_credentials_unusable', { secret, problem });
    expect({
      rkWrong: gauge('routingKey', 'tampered_or_wrong_workspace'),
      rkMalformed: gauge('routingKey', 'malformed'),
      rkUnknown: gauge('routingKey', 'sealed_under_unknown_key'),
      ssWrong: gauge('signingSecret', 'tampered_or_wrong_workspace'),
    }).toEqual({ rkWrong: 2, rkMalformed: 1, rkUnknown: 1, ssWrong: 1 });

    // Send test: a clear 409 naming the problem for each broken routing key, never a 5xx.
    const sendTests: Record<string, number> = {};
    for (const name of ['copy', 'tampered', 'truncated', 'removedKey', 'control'] as const) {
      const res = await http.call<{ problem?: string; ok?: boolean }>(
        'POST',
        channelUrl(name, '/test'),
        { headers: authHeader(wsOf(name)) },
      );
      sendTests[name] = res.status;
      if (name !== 'control') expect(res.body.problem).toBe(expected[name]?.problem);
    }
    expect(sendTests).toEqual({
      copy: 409,
      tampered: 409,
      truncated: 409,
      removedKey: 409,
      control: 200,
    });

    // outbound-pager and inbound-webhook start now: their replicas read the edited snapshots
    // before they report ready, so every page below is judged against the edited rows.
    const options = { databaseUrl: db.url, credentialKeys: k1.spec, simulator: sim, label: 'h3' };
    [outbound, inbound] = await Promise.all([
      startApp('outbound-pager', options),
      startApp('inbound-webhook', options),
    ]);
    const incidents = { [wsA]: `inc_a_${randomUUID()}`, [wsB]: `inc_b_${randomUUID()}` };
    await producer.send({
      topic: TOPICS.incidents,
      messages: Object.entries(incidents).map(([workspaceId, id]) => {
        const event = makeIncidentEvent({ workspaceId, incident: { id } });
        return {
          key: id,
          value: serializeMessage(event),
          headers: buildHeaders({ origin: 'axiorank' }),
        };
      }),
    });
    const outcomes = await waitFor(
      async () => {
        const seen: Record<string, string> = {};
        for (const name of Object.keys(keys) as (keyof typeof keys)[]) {
          const rows = await http.json<Delivery[]>(
            'GET',
            `${outbound.url}/v1/workspaces/${wsOf(name)}/channels/${ids[name]}/deliveries`,
            { headers: authHeader(wsOf(name)) },
          );
          const row = rows.find((d) => d.dedupKey === incidents[wsOf(name)]);
          if (!row || row.outcome === 'pending') return null;
          seen[name] = `${row.outcome}${row.reason ? `:${row.reason}` : ''}`;
        }
        return seen;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'an outcome for every channel' },
    );
    expect(outcomes).toEqual({
      control: 'delivered',
      secretBroken: 'delivered',
      copy: 'failed:routing_key_unusable',
      tampered: 'failed:routing_key_unusable',
      truncated: 'failed:routing_key_unusable',
      removedKey: 'failed:routing_key_unusable',
    });

    // PagerDuty heard only the usable keys: nothing under the broken channels' keys, no garbage.
    const requests = await sim.requests();
    const usableKeys = new Set([keys.control, keys.secretBroken]);
    expect(requests.filter((r) => !usableKeys.has(r.routingKey ?? ''))).toEqual([]);
    expect(requests.filter((r) => r.routingKey === keys.control).length).toBe(3); // test ×2, page

    // A webhook signed with the secret as pasted is refused (401): the stored one cannot open.
    const body = Buffer.from(JSON.stringify(makePingWebhook()));
    const hook = await fetch(`${inbound.url}/v1/webhooks/pagerduty/${ids.secretBroken}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-pagerduty-signature': signPagerDutyPayload(body, signingSecret),
      },
      body,
    });
    expect(hook.status).toBe(401);
    const inMetrics = await (await fetch(`${inbound.url}/metrics`)).text();
    expect(metric(inMetrics, 'webhook_signing_secret_unusable_total')).toBeGreaterThanOrEqual(1);
    const outMetrics = await (await fetch(`${outbound.url}/metrics`)).text();
    // The topics are shared with other suites, whose channels this service cannot open either;
    // the database says which failures are this suite's.
    expect(metric(outMetrics, 'deliveries_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(4);
    const failedHere = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbound_pager.deliveries
        WHERE workspace_id = ANY($1) AND status = 'failed' AND reason = 'routing_key_unusable'`,
      [[wsA, wsB]],
    );
    expect(failedHere[0].n).toBe(4);

    // Nothing crashed; and saving the key again repairs the channel.
    expect(await allReady([channelConfig, outbound, inbound])).toBe(true);
    const repaired = await http.json<Channel>('PATCH', channelUrl('tampered'), {
      headers: authHeader(wsA),
      body: { routingKey: keys.tampered },
    });
    expect(repaired.credentials).toEqual({ usable: true, problems: [] });
    expect(
      (await http.call('POST', channelUrl('tampered', '/test'), { headers: authHeader(wsA) }))
        .status,
    ).toBe(200);
    const leaked = http.answers.filter((text) =>
      [...Object.values(keys), signingSecret, control.routing_key].some((s) => text.includes(s)),
    );
    expect(leaked).toEqual([]);

    summary(
      'H3 sealed secrets',
      {
        broken: 5,
        reported_unusable: list.filter((c) => !c.credentials.usable).length + 1,
        send_test_409: Object.values(sendTests).filter((s) => s === 409).length,
        failed_routing_key_unusable: Object.values(outcomes).filter((o) => o.includes('unusable'))
          .length,
        sent_with_broken_key: requests.filter((r) => !usableKeys.has(r.routingKey ?? '')).length,
        webhook_with_broken_secret: hook.status,
        services_ready: 'yes',
      },
      started,
    );
  });
});
