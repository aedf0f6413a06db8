import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { buildHeaders, makeIncidentEvent, serializeMessage, TOPICS } from '@app/contracts';
import {
  kafkaBrokers,
  startPrivatePostgres,
  waitFor,
  type PrivatePostgresServer,
} from '@app/testing';
import {
  APPS,
  connectProducer,
  countSyncEvents,
  envMs,
  FaultSystem,
  incidentWebhook,
  pool,
  readTopic,
  scratchDatabase,
  sendWebhook,
  sql,
  summaryLine,
  type AppName,
  type HttpAnswer,
} from './fault-system';

// How long PostgreSQL stays down at least (the outage also lasts as long as the checks made
// during it); FAULTS_PG_STOP_MODE=immediate makes it a crash with recovery on restart.
const OUTAGE_MS = envMs('FAULTS_PG_OUTAGE_MS', 4000);
const STOP_MODE = process.env.FAULTS_PG_STOP_MODE === 'immediate' ? 'immediate' : 'fast';
const WEBHOOKS = envMs('FAULTS_F4_WEBHOOKS', 20);
const INCIDENTS = envMs('FAULTS_F4_INCIDENTS', 10);

/**
 * F4: the three services over a PostgreSQL server of the suite's own, which is stopped and
 * started again under them. Nothing restarts the services; nothing a caller was told is stored
 * may be missing, and nothing is published without its row.
 */
describe('F4 PostgreSQL restarted under the running services', () => {
  let pg: PrivatePostgresServer;
  let system: FaultSystem;
  let producer: Producer;
  const brokers = kafkaBrokers().join(',');
  const ws = `ws_f4_${randomUUID().slice(0, 8)}`;
  const secret = `f4secret${randomUUID().replace(/-/g, '')}`;
  let startedAt = 0;
  let databaseUrl: string;

  beforeAll(async () => {
    startedAt = Date.now();
    pg = await startPrivatePostgres();
    databaseUrl = await scratchDatabase(pg.url, 'axiorank_f4');
    system = await FaultSystem.start({ databaseUrl, brokers, label: 'f4' });
    producer = await connectProducer(brokers);
  }, 300_000);

  afterAll(async () => {
    await producer?.disconnect();
    await system?.stop();
    await pg?.close();
  }, 120_000);

  const publishIncident = async (id: string) => {
    const event = makeIncidentEvent({
      type: 'incident.opened',
      workspaceId: ws,
      incident: { id, title: `F4 ${id}`, severity: 'high' },
    });
    await producer.send({
      topic: TOPICS.incidents,
      acks: -1,
      messages: [
        {
          key: id,
          value: serializeMessage(event),
          headers: buildHeaders({ origin: 'axiorank', correlationId: randomUUID() }),
        },
      ],
    });
  };

  const pagedOnce = async (id: string) => {
    const found = await system.simIncidents(id);
    return found.length === 1 && found[0].status === 'triggered';
  };

  it(
    'goes unready and back without a restart, answers 503 to webhooks while down, and loses or doubles nothing',
    async () => {
      const { channel } = await system.pagingChannel(ws, { signingSecret: secret });
      const inbound = system.app('inbound-webhook').url;
      const pids = Object.fromEntries(APPS.map((app) => [app, system.app(app).child.pid]));

      // Paging works before the fault.
      const before = `inc_f4_before_${randomUUID()}`;
      await publishIncident(before);
      await waitFor(() => pagedOnce(before), {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: 'the incident before the outage paged',
      });

      const keys = Array.from({ length: WEBHOOKS }, () => `inc_f4_sync_${randomUUID()}`);
      const bodies = keys.map((key) => incidentWebhook(key));
      const incidentIds = Array.from({ length: INCIDENTS }, () => `inc_f4_down_${randomUUID()}`);

      // --- PostgreSQL goes away.
      const outageStarted = Date.now();
      await pg.stop(STOP_MODE);
      const unready = new Set<AppName>();
      await waitFor(
        async () => {
          const states = await system.readiness();
          for (const app of APPS) if (states[app] === 503) unready.add(app);
          return unready.size === APPS.length;
        },
        { timeoutMs: 60_000, intervalMs: 250, description: 'every /health/ready to answer 503' },
      );

      const duringOutage: HttpAnswer[] = await pool(bodies, 4, (body) =>
        sendWebhook(inbound, channel.id, body, secret),
      );
      for (const id of incidentIds) await publishIncident(id);
      const renamed = `Renamed during the outage ${randomUUID().slice(0, 8)}`;
      const changeDuring = await system.updateChannel(ws, channel.id, {
        name: renamed,
        severityFloor: 'critical',
      });
      const createDuring = await system.createChannel(ws, {
        name: 'Created during the outage',
        routingKey: 'A'.repeat(32),
      });
      // Still down: liveness is not readiness, and no process died.
      const stillUnready = await system.readiness();
      const remaining = OUTAGE_MS - (Date.now() - outageStarted);
      if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));

      // --- PostgreSQL comes back on the same port and data.
      await pg.start();
      const outageMs = Date.now() - outageStarted;
      await waitFor(
        async () => Object.values(await system.readiness()).every((status) => status === 200),
        { timeoutMs: 120_000, intervalMs: 500, description: 'every /health/ready back to 200' },
      );

      // PagerDuty retries each refused delivery (and, as it may, delivers some twice).
      const retried = await pool(bodies, 4, async (body, index) => {
        const answer = await waitFor(
          async () => {
            const res = await sendWebhook(inbound, channel.id, body, secret);
            return res.status === 202 ? res : null;
          },
          { timeoutMs: 60_000, intervalMs: 500, description: `retry of webhook ${index} accepted` },
        );
        const repeat =
          index % 2 === 0 ? await sendWebhook(inbound, channel.id, body, secret) : null;
        return [answer, repeat];
      });
      const changeAfter = await system.updateChannel(ws, channel.id, { name: renamed });

      await waitFor(async () => (await Promise.all(incidentIds.map(pagedOnce))).every(Boolean), {
        timeoutMs: 120_000,
        intervalMs: 500,
        description: 'every incident sent during the outage paged',
      });
      // Counted once inbound-webhook's outbox is empty: a late repeat would be counted too.
      await waitFor(
        async () =>
          (
            await sql<{ n: string }>(
              databaseUrl,
              'SELECT count(*) AS n FROM inbound_webhook.outbox WHERE published_at IS NULL',
            )
          )[0].n === '0',
        { timeoutMs: 90_000, intervalMs: 500, description: "inbound-webhook's outbox drained" },
      );
      const sync = countSyncEvents(await readTopic(TOPICS.incidentSync, brokers), channel.id, keys);
      const snapshotsOfChannel = async () =>
        (await readTopic(TOPICS.channels, brokers))
          .filter((m) => m.key === channel.id && m.value !== null)
          .map(
            (m) =>
              JSON.parse(m.value ?? '{}') as { channel: { name: string; severityFloor: string } },
          );
      const channelSnapshots = await waitFor(
        async () => {
          const snapshots = await snapshotsOfChannel();
          return snapshots.some((s) => s.channel.name === renamed) ? snapshots : null;
        },
        { timeoutMs: 60_000, intervalMs: 1000, description: 'the retried change published' },
      );
      const pagedAfter = (await Promise.all(incidentIds.map((id) => system.simIncidents(id)))).map(
        (found) => found.length,
      );
      const afterChannel = await system.getChannel(ws, channel.id);
      const listed = await system.listChannels(ws);

      const statuses = duringOutage.map((a) => a.status);
      const accepted = statuses.filter((s) => s >= 200 && s < 300).length;
      const refused503 = statuses.filter((s) => s === 503).length;
      summaryLine(
        'F4 postgres restarted',
        {
          webhooks: duringOutage.length + retried.flat().filter(Boolean).length,
          accepted_during: accepted,
          '503s': refused503,
          '5xx_other': statuses.filter((s) => s >= 500 && s !== 503).length,
          no_answer: statuses.filter((s) => s === 0).length,
          retried_202: retried.filter(([a]) => a?.status === 202).length,
          published: sync.published,
          duplicates: sync.repeats,
          incidents_during: incidentIds.length,
          paged_after: pagedAfter.filter((n) => n > 0).length,
          paged_twice: pagedAfter.filter((n) => n > 1).length,
          channel_change_during: changeDuring.status,
          channel_create_during: createDuring.status,
          unready: `${unready.size}/${APPS.length}`,
          outage_ms: outageMs,
          stop: STOP_MODE,
        },
        startedAt,
      );

      // Every service saw the outage and recovered in the same process.
      expect([...unready].sort()).toEqual([...APPS].sort());
      expect(Object.values(stillUnready)).toEqual(APPS.map(() => 503));
      for (const app of APPS) {
        expect(system.app(app).running).toBe(true);
        expect(system.app(app).child.pid).toBe(pids[app]);
      }
      // Webhooks while PostgreSQL is down: 503, so PagerDuty retries; never a 2xx for nothing stored.
      expect(statuses).toEqual(statuses.map(() => 503));
      // Each retried webhook stored once and published exactly once, with one eventId.
      expect(retried.map(([a]) => a?.status)).toEqual(retried.map(() => 202));
      expect(retried.flatMap(([, r]) => (r ? [r.status] : []))).toEqual(
        retried.flatMap(([, r]) => (r ? [202] : [])),
      );
      expect(sync.missing).toEqual([]);
      expect(sync.published).toBe(keys.length);
      expect(sync.repeatsWithNewEventId).toBe(0);
      // Incidents produced while the database was away: all recorded and paged, each exactly once.
      expect(pagedAfter).toEqual(incidentIds.map(() => 1));
      // Channel changes during the outage answered 503 with Retry-After (nothing was changed, so
      // the caller retries) and left nothing half-applied.
      expect([changeDuring.status, changeDuring.retryAfter]).toEqual([503, '5']);
      expect([createDuring.status, createDuring.retryAfter]).toEqual([503, '5']);
      expect(listed.map((c) => c.name)).not.toContain('Created during the outage');
      expect(changeAfter.status).toBe(200);
      expect(afterChannel.name).toBe(renamed);
      // The refused change (severityFloor critical) never reached Kafka; the retried one did.
      expect(afterChannel.severityFloor).toBe('low');
      expect(channelSnapshots.filter((s) => s.channel.severityFloor === 'critical')).toEqual([]);
    },
    240_000 + OUTAGE_MS,
  );
});
