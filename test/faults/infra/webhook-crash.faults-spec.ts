import { randomBytes, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS } from '@app/contracts';
import { advisoryLockId } from '@app/platform';
import { pgServerUrl, PrivateKafka, waitFor } from '@app/testing';
import {
  connectProducer,
  countSyncEvents,
  dropDatabase,
  envMs,
  FaultSystem,
  incidentWebhook,
  metricValue,
  pool,
  readTopic,
  scratchDatabase,
  sendWebhook,
  sql,
  summaryLine,
  type HttpAnswer,
} from './fault-system';

const BURST = envMs('FAULTS_F5_BURST', 60);
const LOAD = envMs('FAULTS_F5_LOAD', 300);
// The relay marks at most one batch after publishing it: a crash repeats at most that many.
const RELAY_BATCH = 200;
// The lock that lets one relay per schema publish at a time (OutboxRelay).
const RELAY_LOCK = advisoryLockId('axiorank:outbox:inbound_webhook');

/**
 * F5: inbound-webhook SIGKILLed with webhooks it answered 202 but had not published (or was
 * publishing). The outbox must hand every one of them to Kafka after the restart; a repeat (a crash
 * between publishing and marking) keeps its eventId, and repeats are counted.
 */
describe('F5 inbound-webhook killed between accepting webhooks and publishing them', () => {
  const kafka = new PrivateKafka();
  let brokers: string;
  let databaseUrl: string;
  let system: FaultSystem;
  let producer: Producer;
  let channelId: string;
  const ws = `ws_f5_${randomUUID().slice(0, 8)}`;
  const secret = `f5secret${randomUUID().replace(/-/g, '')}`;

  const inboundUrl = () => system.app('inbound-webhook').url;
  const unpublished = async () =>
    Number(
      (
        await sql<{ n: string }>(
          databaseUrl,
          `SELECT count(*) AS n FROM inbound_webhook.outbox WHERE published_at IS NULL AND topic = $1`,
          [TOPICS.incidentSync],
        )
      )[0].n,
    );
  const publishedMetric = async () =>
    metricValue(await (await fetch(`${inboundUrl()}/metrics`)).text(), 'outbox_published_total', {
      topic: TOPICS.incidentSync,
    });
  /** Every sync event on the topic once the outbox is empty, counted per PagerDuty event. */
  const drainedAndCounted = async (keys: string[]) => {
    await waitFor(async () => (await unpublished()) === 0, {
      timeoutMs: 90_000,
      intervalMs: 250,
      description: 'the outbox to drain after the restart',
    });
    return countSyncEvents(await readTopic(TOPICS.incidentSync, brokers), channelId, keys);
  };

  beforeAll(async () => {
    brokers = await kafka.start();
    databaseUrl = await scratchDatabase(pgServerUrl(), 'axiorank_f5');
    system = await FaultSystem.start({
      databaseUrl,
      brokers,
      label: 'f5',
      apps: ['inbound-webhook'],
      // Expected connection errors while the broker is away would only be noise.
      env: { LOG_LEVEL: 'warn', WEBHOOK_RATE_PER_MINUTE: '100000' },
    });
    producer = await connectProducer(brokers);
    const snapshot = await system.publishChannel(producer, {
      workspaceId: ws,
      routingKey: randomBytes(16).toString('hex'),
      signingSecret: secret,
    });
    channelId = snapshot.channel.id;
    await system.waitForWebhookSecret(channelId, secret);
  }, 300_000);

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await system?.stop();
    await kafka.close();
    if (databaseUrl) await dropDatabase(pgServerUrl(), databaseUrl);
  }, 120_000);

  it('publishes every webhook accepted while Kafka was unreachable after a SIGKILL and restart', async () => {
    const startedAt = Date.now();
    const keys = Array.from({ length: BURST }, () => `inc_f5_burst_${randomUUID()}`);
    const bodies = keys.map((key) => incidentWebhook(key));

    await kafka.stop();
    const answers = await pool(bodies, 8, (body) =>
      sendWebhook(inboundUrl(), channelId, body, secret),
    );
    const backlog = await unpublished();
    await system.app('inbound-webhook').stop('SIGKILL');
    await kafka.start();
    await system.startApp('inbound-webhook');
    const count = await drainedAndCounted(keys);

    const accepted = answers.filter((a) => a.status === 202).length;
    summaryLine(
      'F5 killed before publishing',
      {
        webhooks: bodies.length,
        accepted,
        backlog_at_kill: backlog,
        published: count.published,
        missing: count.missing.length,
        duplicates: count.repeats,
        new_event_id_on_repeat: count.repeatsWithNewEventId,
      },
      startedAt,
    );
    // Kafka being away does not change the answer: the outbox holds them.
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    expect(backlog).toBe(keys.length);
    expect(count.missing).toEqual([]);
    expect(count.repeatsWithNewEventId).toBe(0);
    // Nothing was published before the kill, so nothing can repeat.
    expect(count.repeats).toBe(0);
  });

  it('publishes every accepted webhook at least once when killed mid-publication under load, and counts the repeats', async () => {
    const startedAt = Date.now();
    const keys = Array.from({ length: LOAD }, () => `inc_f5_load_${randomUUID()}`);
    const bodies = keys.map((key) => incidentWebhook(key));
    const baseline = await publishedMetric();
    const victim = system.app('inbound-webhook');

    let publishedAtKill = 0;
    // Kill as soon as the relay reports having published part of the load while more arrives:
    // the counter moves between the broker's acknowledgement and the row being marked.
    const killer = waitFor(
      async () => {
        const published = (await publishedMetric()) - baseline;
        return published >= Math.min(20, LOAD / 4) ? published : null;
      },
      { timeoutMs: 120_000, intervalMs: 20, description: 'the relay to publish part of the load' },
    ).then(async (published) => {
      publishedAtKill = published;
      await victim.stop('SIGKILL');
    });
    const answers: HttpAnswer[] = await pool(bodies, 12, (body) =>
      victim.running
        ? sendWebhook(victim.url, channelId, body, secret)
        : Promise.resolve({ status: 0, body: null, error: 'killed' }),
    );
    await killer;
    const acceptedBeforeKill = keys.filter((_, i) => answers[i].status === 202);

    await system.startApp('inbound-webhook');
    // PagerDuty retries every delivery that got no 2xx.
    const retried = await pool(
      bodies.filter((_, i) => answers[i].status !== 202),
      8,
      (body) =>
        waitFor(
          async () => {
            const res = await sendWebhook(inboundUrl(), channelId, body, secret);
            return res.status === 202 ? res : null;
          },
          { timeoutMs: 60_000, intervalMs: 250, description: 'a retried webhook accepted' },
        ),
    );
    const count = await drainedAndCounted(keys);
    const beforeKill = countSyncEvents(
      await readTopic(TOPICS.incidentSync, brokers),
      channelId,
      acceptedBeforeKill,
    );

    summaryLine(
      'F5 killed mid-publication',
      {
        webhooks: bodies.length + retried.length,
        accepted_before_kill: acceptedBeforeKill.length,
        published_at_kill: publishedAtKill,
        unanswered_at_kill: answers.filter((a) => a.status === 0).length,
        refused_503: answers.filter((a) => a.status === 503).length,
        other_status: answers.filter((a) => ![0, 202, 503].includes(a.status)).length,
        retried: retried.length,
        published: count.published,
        missing: count.missing.length,
        duplicates: count.repeats,
        new_event_id_on_repeat: count.repeatsWithNewEventId,
      },
      startedAt,
    );
    expect(publishedAtKill).toBeGreaterThan(0);
    expect(acceptedBeforeKill.length).toBeGreaterThan(0);
    // No answer (killed) or 503 (store too slow): PagerDuty retries. Anything else is a bug.
    expect(answers.filter((a) => ![0, 202, 503].includes(a.status))).toEqual([]);
    // Every webhook answered 202 before the kill reaches Kafka, and every retried one too.
    expect(beforeKill.missing).toEqual([]);
    expect(count.missing).toEqual([]);
    // A repeat is the same event again (consumers de-duplicate on eventId), and rare: at most the
    // one batch the relay had published but not yet marked.
    expect(count.repeatsWithNewEventId).toBe(0);
    expect(count.repeats).toBeLessThanOrEqual(RELAY_BATCH);
  });

  it('repeats a batch published but not yet marked when killed, with the same eventIds, once', async () => {
    const startedAt = Date.now();
    const keys = Array.from({ length: 10 }, () => `inc_f5_unmarked_${randomUUID()}`);
    const victim = system.app('inbound-webhook');
    const relayLock = new Client({ connectionString: databaseUrl });
    const rowLock = new Client({ connectionString: databaseUrl });
    await Promise.all([relayLock.connect(), rowLock.connect()]);
    let answers: HttpAnswer[];
    let publishedAtKill: number;
    let orphaned: { pid: number }[] = [];
    try {
      // Holding the relay's advisory lock keeps it from publishing while the webhooks are stored.
      await relayLock.query('SELECT pg_advisory_lock($1)', [RELAY_LOCK]);
      answers = await pool(
        keys.map((key) => incidentWebhook(key)),
        4,
        (body) => sendWebhook(victim.url, channelId, body, secret),
      );
      // Row locks leave the relay free to read and publish the rows, but not to mark them: the
      // window between the broker's acknowledgement and the marking, held open.
      await rowLock.query('BEGIN');
      await rowLock.query(
        `SELECT id FROM inbound_webhook.outbox WHERE published_at IS NULL FOR UPDATE`,
      );
      const baseline = await publishedMetric();
      await relayLock.query('SELECT pg_advisory_unlock($1)', [RELAY_LOCK]);
      publishedAtKill = await waitFor(
        async () => {
          const published = (await publishedMetric()) - baseline;
          return published >= keys.length ? published : null;
        },
        { timeoutMs: 60_000, intervalMs: 100, description: 'the relay to publish the batch' },
      );
      await victim.stop('SIGKILL');
      // Its UPDATE, still queued behind our row locks, must die with it: PostgreSQL notices a
      // vanished client only when it next writes to it, and would otherwise mark the rows.
      orphaned = await waitFor(
        async () => {
          const { rows } = await relayLock.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND query LIKE '%"outbox" SET published_at = now()%'`,
          );
          return rows.length > 0 ? rows : null;
        },
        { timeoutMs: 10_000, intervalMs: 100, description: "the relay's pending UPDATE" },
      );
      for (const { pid } of orphaned) {
        await relayLock.query('SELECT pg_terminate_backend($1)', [pid]);
      }
    } finally {
      await rowLock.query('ROLLBACK').catch(() => undefined);
      await Promise.allSettled([relayLock.end(), rowLock.end()]);
    }
    await system.startApp('inbound-webhook');
    const after = await drainedAndCounted(keys);

    summaryLine(
      'F5 killed between publishing and marking',
      {
        webhooks: keys.length,
        accepted: answers.filter((a) => a.status === 202).length,
        published_at_kill: publishedAtKill,
        unmarked_updates_killed: orphaned.length,
        published: after.published,
        duplicates: after.repeats,
        new_event_id_on_repeat: after.repeatsWithNewEventId,
      },
      startedAt,
    );
    expect(answers.map((a) => a.status)).toEqual(keys.map(() => 202));
    expect(orphaned).toHaveLength(1);
    // The whole unmarked batch comes again after the restart, once, as the same events.
    expect(after.missing).toEqual([]);
    expect(after.published).toBe(2 * keys.length);
    expect(after.repeats).toBe(keys.length);
    expect(after.repeatsWithNewEventId).toBe(0);
  });
});
