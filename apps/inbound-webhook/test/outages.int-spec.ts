import { randomUUID } from 'node:crypto';
import { TOPICS } from '@app/contracts';
import { PrivateKafka, ScratchDatabase } from '@app/testing';
import { makeIncidentWebhook } from '../src/testing/pagerduty-webhook.factory';
import { ChannelPublisher, type TestChannel } from './support/channels';
import {
  metric,
  type RunningInboundWebhook,
  startInboundWebhook,
  waitFor,
} from './support/inbound-webhook-app';
import { TopicRecorder } from './support/topic-recorder';
import { percentiles, WebhookClient } from './support/webhook-client';

/**
 * inbound-webhook with a broker and a database of the suite's own, so both can fail under it:
 * Kafka down must not change the answer (the outbox holds the events), PostgreSQL down must
 * (503, so PagerDuty retries), and nothing is ever published twice.
 */
describe('inbound-webhook through Kafka and PostgreSQL outages', () => {
  const kafka = new PrivateKafka();
  const secret = `outage-${randomUUID()}`;
  let brokers: string;
  let db: ScratchDatabase;
  let service: RunningInboundWebhook;
  let client: WebhookClient;
  let publisher: ChannelPublisher;
  let channel: TestChannel;
  const report: Record<string, unknown> = {};

  const ack = (incidentKey: string) =>
    Buffer.from(JSON.stringify(makeIncidentWebhook({ incidentKey })));

  /** Every sync event of the channel, once the outbox is empty and the topic read to its end. */
  async function publishedSyncEvents(timeoutMs = 60_000) {
    await waitFor(() => service.outboxDrained(), 'the outbox to drain', timeoutMs);
    const recorder = await TopicRecorder.start(brokers, [TOPICS.incidentSync]);
    try {
      await recorder.caughtUp();
      return recorder.forChannel(channel.id, TOPICS.incidentSync);
    } finally {
      await recorder.stop();
    }
  }

  beforeAll(async () => {
    brokers = await kafka.start();
    db = await ScratchDatabase.create('inbound_webhook');
    service = await startInboundWebhook({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: brokers,
      WEBHOOK_STORE_TIMEOUT_MS: '1000',
      // The faults below are expected; their log lines would only be noise here.
      LOG_LEVEL: 'fatal',
    });
    client = new WebhookClient(service.url);
    publisher = await ChannelPublisher.connect(brokers);
    channel = await publisher.create({ storedSecret: secret });
    await waitFor(
      async () => (await client.send(channel.id, '{}', { signature: null })).status === 401,
      'the channel in the replica',
    );
  });

  afterAll(async () => {
    process.stdout.write(`\ninbound-webhook outage report: ${JSON.stringify(report)}\n`);
    await publisher?.close().catch(() => undefined);
    await service?.close();
    await kafka.stop();
    await db?.drop();
  });

  it('answers 202 while Kafka is down and publishes every event exactly once after it is back', async () => {
    const keys = Array.from({ length: 20 }, () => `inc_outage_${randomUUID()}`);
    const bodies = keys.map(ack);
    const failuresBefore = metric(await service.metrics(), 'outbox_publish_failures_total');

    await kafka.stop();
    const answers = [];
    for (const body of bodies) {
      answers.push(await client.send(channel.id, body, { secret, webhookId: 'wh-a' }));
      // PagerDuty's retry of the same delivery.
      answers.push(await client.send(channel.id, body, { secret, webhookId: 'wh-a' }));
    }

    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    const whileDown = percentiles(answers.map((a) => a.ms));
    expect(whileDown.max).toBeLessThan(1000);
    const [backlog] = await service.dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM inbound_webhook.outbox WHERE published_at IS NULL`,
    );
    expect(Number(backlog.n)).toBe(keys.length);
    // The relay keeps trying (and failing) while the broker is away.
    await waitFor(
      async () => metric(await service.metrics(), 'outbox_publish_failures_total') > failuresBefore,
      'the relay to report a failed publish',
    );

    await kafka.start();
    const events = await publishedSyncEvents();

    expect(events.map((e) => e.value.incidentId).sort()).toEqual([...keys].sort());
    expect(new Set(events.map((e) => e.value.eventId)).size).toBe(keys.length);
    report.kafkaOutage = {
      deliveriesWhileDown: answers.length,
      distinctEvents: keys.length,
      answered202: answers.filter((a) => a.status === 202).length,
      backlogWhileDown: Number(backlog.n),
      syncEventsAfterRecovery: events.length,
      answerMsWhileDown: whileDown,
    };
  });

  it('answers 503 while PostgreSQL refuses connections, and 202 to the retry once it is back', async () => {
    const incidentKey = `inc_dbdown_${randomUUID()}`;
    const body = ack(incidentKey);
    const before = metric(await service.metrics(), 'webhook_requests_total', {
      outcome: 'db_unavailable',
    });

    await db.cutOff();
    const refused = await client.send(channel.id, body, { secret });
    await db.reconnect();
    const retried = await waitFor(async () => {
      const res = await client.send(channel.id, body, { secret });
      return res.status === 202 ? res : undefined;
    }, 'a 202 once PostgreSQL is back');

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.ms).toBeLessThan(4000);
    expect(retried.body).toEqual({ status: 'accepted' });
    expect(
      metric(await service.metrics(), 'webhook_requests_total', { outcome: 'db_unavailable' }),
    ).toBeGreaterThan(before);
    const events = (await publishedSyncEvents()).filter((e) => e.value.incidentId === incidentKey);
    expect(events).toHaveLength(1);
    report.databaseOutage = {
      refusedStatus: refused.status,
      refusedMs: refused.ms,
      syncEvents: events.length,
    };
  });

  it('answers 503 within the store deadline when PostgreSQL hangs, and still publishes once', async () => {
    const incidentKey = `inc_dbslow_${randomUUID()}`;
    const body = ack(incidentKey);
    const lock = await db.client();
    let slow;
    try {
      await lock.query('BEGIN');
      await lock.query('LOCK TABLE inbound_webhook.webhook_events IN ACCESS EXCLUSIVE MODE');
      slow = await client.send(channel.id, body, { secret, webhookId: 'wh-slow' });
    } finally {
      await lock.query('COMMIT');
      await lock.end();
    }

    // The insert that outlived the deadline commits once the lock is gone: PagerDuty's retry is
    // a duplicate, and the event is published once.
    const retried = await client.send(channel.id, body, { secret, webhookId: 'wh-slow' });

    expect(slow.status).toBe(503);
    expect(slow.ms).toBeGreaterThanOrEqual(950);
    expect(slow.ms).toBeLessThan(2500);
    expect(retried.status).toBe(202);
    const events = (await publishedSyncEvents()).filter((e) => e.value.incidentId === incidentKey);
    expect(events).toHaveLength(1);
    report.databaseStall = { status: slow.status, ms: slow.ms, syncEvents: events.length };
  });
});
