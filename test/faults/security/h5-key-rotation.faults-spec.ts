import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { buildHeaders, makeIncidentEvent, serializeMessage, TOPICS } from '@app/contracts';
import { KeyRing, sealedKeyId, sealSecret, signPagerDutyPayload } from '@app/crypto';
import { kafkaBrokers, makePingWebhook, ServiceProcess, waitFor } from '@app/testing';
import {
  appEnv,
  type AppName,
  type AppOptions,
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * H5: a key rotation under load, as the README prescribes it: roll the services out with the
 * new key first, re-seal (killed half-way, then run again), drop the old key. Thousands of
 * channels make the re-seal long enough to kill; an incident stream pages throughout, and every
 * incident must reach PagerDuty, opened and resolved, with no failed delivery.
 */
describe('H5 key rotation k1 → k2 with the re-seal killed half-way, while incidents keep paging', () => {
  const BULK_CHANNELS = 2500;
  const k1 = credentialKey('k1');
  const k2 = credentialKey('k2');
  const http = new Http();
  const paging = Array.from({ length: 3 }, (_, i) => ({
    ws: newWorkspaceId(`rot${i}`),
    routingKey: newRoutingKey(),
    id: '',
  }));
  const signingSecret = randomBytes(32).toString('base64');
  const groups: Record<AppName, string> = {
    'channel-config': `channel-config-h5-${randomUUID()}`,
    'inbound-webhook': `inbound-webhook-h5-${randomUUID()}`,
    'outbound-pager': `outbound-pager-h5-${randomUUID()}`,
  };
  let db: ScratchDatabase;
  let sim: Simulator;
  let producer: Producer;
  const running: Partial<Record<AppName, ServiceProcess>> = {};

  const options = (name: AppName, credentialKeys: string): AppOptions => ({
    databaseUrl: db.url,
    credentialKeys,
    simulator: sim,
    label: 'h5',
    groupId: groups[name],
    env:
      name === 'outbound-pager'
        ? { PAGERDUTY_RATE_PER_MINUTE: '6000', PAGERDUTY_RATE_BURST: '1000' }
        : {},
  });

  /** A rolling restart: each service stopped gracefully and started with the new key ring. */
  async function rollOut(credentialKeys: string): Promise<void> {
    for (const name of ['channel-config', 'outbound-pager', 'inbound-webhook'] as const) {
      await running[name]?.stop();
      running[name] = await startApp(name, options(name, credentialKeys));
    }
  }

  beforeAll(async () => {
    db = await ScratchDatabase.create('faults_h5');
    await ensureTopics();
    sim = await Simulator.start('h5');
    for (const p of paging) await sim.service(p.routingKey);
    producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await Promise.allSettled(
      [...Object.values(running), sim].map((s) => s?.stop() ?? Promise.resolve()),
    );
    await db?.drop();
  });

  /** Channels as many deployments hold them: rows sealed under k1, half with a signing secret. */
  async function bulkChannels(): Promise<void> {
    const ring = KeyRing.parse(k1.spec);
    for (let start = 0; start < BULK_CHANNELS; start += 250) {
      const values: unknown[] = [];
      const rows: string[] = [];
      for (let i = start; i < Math.min(BULK_CHANNELS, start + 250); i++) {
        const ws = `ws_bulk_${i % 97}`;
        const key = newRoutingKey();
        const n = values.length;
        values.push(
          randomUUID(),
          ws,
          `bulk ${i}`,
          sealSecret(key, ws, ring),
          `…${key.slice(-4)}`,
          i % 2 === 0 ? sealSecret(randomBytes(32).toString('base64'), ws, ring) : null,
        );
        rows.push(
          `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, 'us', 'incidents', 'high', ${i % 2 === 0}, $${n + 6})`,
        );
      }
      await db.query(
        `INSERT INTO channel_config.channels
           (id, workspace_id, name, routing_key, routing_key_hint, region, mode, severity_floor,
            two_way_sync, signing_secret)
         VALUES ${rows.join(', ')}`,
        values,
      );
    }
  }

  const kids = () =>
    db.query<{ kid: string | null; column: string; n: number }>(
      `SELECT split_part(routing_key, ':', 3) AS kid, 'routing_key' AS column, count(*)::int AS n
         FROM channel_config.channels GROUP BY 1
       UNION ALL
       SELECT split_part(signing_secret, ':', 3), 'signing_secret', count(*)::int
         FROM channel_config.channels WHERE signing_secret IS NOT NULL GROUP BY 1`,
    );

  it('moves every secret to k2, survives a SIGKILL mid-re-seal, drops k1, and misses no page', async () => {
    const started = Date.now();
    const phase = (name: string) =>
      process.stderr.write(
        `[faults] H5 … ${name} at ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
      );
    await rollOut(k1.spec);
    phase('services up with k1');
    for (const p of paging) {
      const created = await http.json<{ id: string }>(
        'POST',
        `${running['channel-config']!.url}/v1/workspaces/${p.ws}/channels`,
        {
          headers: authHeader(p.ws),
          body: { name: 'On-call', routingKey: p.routingKey, twoWaySync: true },
        },
      );
      p.id = created.id;
      await http.json(
        'PUT',
        `${running['channel-config']!.url}/v1/workspaces/${p.ws}/channels/${p.id}/signing-secret`,
        { headers: authHeader(p.ws), body: { signingSecret } },
      );
    }
    await bulkChannels();
    const total = BULK_CHANNELS + paging.length;

    // The incident stream: one incident opened per tick, round robin over the workspaces,
    // each resolved a few ticks later; the first three stay open until k1 is gone.
    const opened: { ws: string; id: string; routingKey: string }[] = [];
    const resolved = new Set<string>();
    const publish = async (
      ws: string,
      id: string,
      type: 'incident.opened' | 'incident.resolved',
    ) => {
      const event = makeIncidentEvent({ type, workspaceId: ws, incident: { id } });
      await producer.send({
        topic: TOPICS.incidents,
        messages: [
          {
            key: id,
            value: serializeMessage(event),
            headers: buildHeaders({ origin: 'axiorank' }),
          },
        ],
      });
    };
    const resolve = async (index: number) => {
      const incident = opened[index];
      if (!incident || resolved.has(incident.id)) return;
      resolved.add(incident.id);
      await publish(incident.ws, incident.id, 'incident.resolved');
    };
    let streaming = true;
    const stream = (async () => {
      for (let tick = 0; streaming; tick++) {
        const p = paging[tick % paging.length];
        const id = `inc_rot_${tick}_${randomBytes(3).toString('hex')}`;
        opened.push({ ws: p.ws, id, routingKey: p.routingKey });
        await publish(p.ws, id, 'incident.opened');
        if (tick >= 8 + paging.length) await resolve(tick - 8);
        await sleep(150);
      }
    })();
    await waitFor(() => opened.length > 10, { timeoutMs: 30_000, description: 'the stream' });

    phase('channels created, stream running');
    // 1. Roll out with both keys, the new one first.
    await rollOut(`${k2.spec},${k1.spec}`);
    phase('rolled out with k2,k1');

    // 2. Re-seal, killed (SIGKILL) once it has moved some channels but not all.
    const ring = `${k2.spec},${k1.spec}`;
    const first = await ServiceProcess.start('channel-config', {
      env: appEnv('channel-config', options('channel-config', ring)),
      args: ['reseal'],
      readyPath: false,
      label: `h5-reseal-1-${Date.now()}`,
    });
    const movedAtKill = await waitFor(
      async () => {
        const moved = (await kids()).find((r) => r.kid === 'k2' && r.column === 'routing_key');
        return moved && moved.n >= total * 0.4 ? moved.n : null;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 20,
        description: 'the re-seal to move 40% of the channels',
      },
    );
    first.child.kill('SIGKILL');
    phase(`re-seal killed after ${movedAtKill} channels`);
    const firstExit = await first.exited;
    const afterKill = (await kids()).find((r) => r.kid === 'k2' && r.column === 'routing_key');
    expect(firstExit).toBeNull(); // killed, not finished
    expect(afterKill?.n ?? 0).toBeLessThan(total * 0.9);

    // 3. Run it again: it resumes and finishes.
    const second = await ServiceProcess.start('channel-config', {
      env: appEnv('channel-config', options('channel-config', ring)),
      args: ['reseal'],
      readyPath: false,
      label: `h5-reseal-2-${Date.now()}`,
    });
    expect(await second.exited).toBe(0);
    phase('second re-seal finished');
    const reportLine = second.logs
      .split('\n')
      .reverse()
      .find((l) => l.trim().startsWith('{') && l.includes('"changed"'));
    const report = JSON.parse(reportLine ?? '{}') as {
      scanned: number;
      changed: number;
      failed: unknown[];
    };
    expect(report.failed).toEqual([]);
    expect(report.scanned).toBe(total);
    expect(report.changed).toBe(total - (afterKill?.n ?? 0));
    const rowKids = await kids();
    expect(rowKids.filter((r) => r.kid !== 'k2')).toEqual([]);
    const sample = await db.query<{ routing_key: string }>(
      `SELECT routing_key FROM channel_config.channels ORDER BY random() LIMIT 20`,
    );
    expect(sample.map((r) => sealedKeyId(r.routing_key))).toEqual(sample.map(() => 'k2'));

    // 4. Drop k1: every service restarted with k2 alone.
    await rollOut(k2.spec);
    phase('rolled out with k2 alone');
    const afterDrop = opened.length;
    await waitFor(() => opened.length > afterDrop + 6, {
      timeoutMs: 30_000,
      description: 'the stream to page past the rotation',
    });
    streaming = false;
    await stream;
    for (let i = 0; i < opened.length; i++) await resolve(i);

    // Every incident paged and resolved in PagerDuty under its channel's key; none failed.
    const workspaces = paging.map((p) => p.ws);
    const outcome = await waitFor(
      async () => {
        const rows = await db.query<{ status: string; reason: string | null; n: number }>(
          `SELECT status, reason, count(*)::int AS n FROM outbound_pager.deliveries
            WHERE workspace_id = ANY($1) GROUP BY 1, 2`,
          [workspaces],
        );
        const by = new Map(rows.map((r) => [`${r.status}${r.reason ? `:${r.reason}` : ''}`, r.n]));
        if ([...by.keys()].some((k) => k.startsWith('failed'))) return by;
        return (by.get('pending') ?? 0) === 0 && (by.get('delivered') ?? 0) >= opened.length * 2
          ? by
          : null;
      },
      { timeoutMs: 180_000, intervalMs: 500, description: 'every page and resolve delivered' },
    );
    phase('every page delivered');
    expect([...outcome.keys()]).toEqual(['delivered']);
    const incidents = await sim.incidents();
    const byKey = new Map(incidents.map((i) => [i.dedupKey, i]));
    const missing = opened.filter(
      (o) => byKey.get(o.id)?.status !== 'resolved' || byKey.get(o.id)?.routingKey !== o.routingKey,
    );
    expect(missing).toEqual([]);

    // With k2 alone: Send test works, a webhook signed with the pasted secret verifies, and no
    // channel is reported unusable.
    const cc = running['channel-config']!;
    for (const p of paging) {
      const res = await http.call('POST', `${cc.url}/v1/workspaces/${p.ws}/channels/${p.id}/test`, {
        headers: authHeader(p.ws),
      });
      expect(res.status).toBe(200);
    }
    const ping = Buffer.from(JSON.stringify(makePingWebhook()));
    const hook = await fetch(
      `${running['inbound-webhook']!.url}/v1/webhooks/pagerduty/${paging[0].id}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-pagerduty-signature': signPagerDutyPayload(ping, signingSecret),
        },
        body: ping,
      },
    );
    expect(hook.status).toBe(202);
    const ccMetrics = await (await fetch(`${cc.url}/metrics`)).text();
    expect(metric(ccMetrics, 'channel_credentials_unusable')).toBe(0);

    summary(
      'H5 key rotation',
      {
        channels: total,
        resealed_before_kill: movedAtKill,
        resealed_at_kill: afterKill?.n ?? 0,
        second_run_changed: report.changed,
        left_on_k1: rowKids.filter((r) => r.kid !== 'k2').length,
        incidents: opened.length,
        delivered: outcome.get('delivered') ?? 0,
        failed: [...outcome].filter(([k]) => k.startsWith('failed')).reduce((n, [, c]) => n + c, 0),
        missing: missing.length,
      },
      started,
    );
  }, 420_000);
});
