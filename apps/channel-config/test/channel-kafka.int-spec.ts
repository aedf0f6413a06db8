import { Kafka, logLevel, type Producer } from 'kafkajs';
import {
  buildHeaders,
  dlqTopic,
  HEADERS,
  makeWebhookVerification,
  parseMessage,
  serializeMessage,
  TOPICS,
  type ChannelSnapshotV1,
} from '@app/contracts';
import {
  consumeAll,
  type ConsumedMessage,
  PrivateKafka,
  type ServiceProcess,
  waitFor,
} from '@app/testing';
import {
  ChannelApi,
  type ChannelBody,
  credentialKey,
  newRoutingKey,
  newSigningSecret,
  newWorkspaceId,
  startChannelConfig,
  ScratchDatabase,
} from './support/harness';

const snapshotOf = (message: ConsumedMessage): ChannelSnapshotV1 | null => {
  const parsed = parseMessage(TOPICS.channels, message.value);
  if (!parsed.ok) throw new Error(`unparseable channel message: ${parsed.reason}`);
  return parsed.tombstone ? null : parsed.message;
};

/**
 * Kafka in and out of channel-config on a broker of the suite's own: the consumer group id is
 * fixed ("channel-config"), so on the shared broker another suite's channel-config could own the
 * partition a verification lands on; and the outage test stops the broker.
 */
describe('channel-config and Kafka: webhook verifications in, channel snapshots out through an outage', () => {
  const kafka = new PrivateKafka();
  let brokers: string;
  let db: ScratchDatabase;
  let service: ServiceProcess;
  let api: ChannelApi;
  let producer: Producer | undefined;

  const readChannels = (until: (messages: ConsumedMessage[]) => boolean, timeoutMs = 20_000) =>
    consumeAll(TOPICS.channels, { brokers: [brokers], until, timeoutMs });

  async function createChannel(
    ws: string,
    fields: Record<string, unknown> = {},
  ): Promise<ChannelBody> {
    const res = await api.create(ws, { name: 'On-call', routingKey: newRoutingKey(), ...fields });
    expect(res.status).toBe(201);
    return res.body;
  }

  beforeAll(async () => {
    [brokers, db] = await Promise.all([kafka.start(), ScratchDatabase.create('cc_kafka')]);
    service = await startChannelConfig({
      databaseUrl: db.url,
      brokers,
      credentialKeys: credentialKey('k1'),
      label: 'channel-config-kafka',
    });
    api = new ChannelApi(service.url);
    producer = new Kafka({
      clientId: 'channel-config-test',
      brokers: [brokers],
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect().catch(() => undefined);
    await service?.stop();
    await kafka.close();
    await db?.drop();
  });

  describe('webhook verifications (axiorank.webhook-verifications.v1)', () => {
    const publish = async (key: string, value: string) => {
      await producer?.send({
        topic: TOPICS.webhookVerifications,
        messages: [{ key, value, headers: buildHeaders({ origin: 'pagerduty', channelId: key }) }],
      });
    };

    it("sets the channel's twoWaySync.verifiedAt within seconds, and announces it on the channel topic", async () => {
      const ws = newWorkspaceId('verify');
      const channel = await createChannel(ws, { twoWaySync: true });
      expect((await api.setSigningSecret(ws, channel.id, newSigningSecret())).status).toBe(204);
      const ping = makeWebhookVerification({ workspaceId: ws, channelId: channel.id });

      await publish(channel.id, serializeMessage(ping));

      const shown = await waitFor(
        async () => {
          const res = await api.get(ws, channel.id);
          return res.body.twoWaySync.verifiedAt ? res.body : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 200, description: 'verifiedAt in GET' },
      );
      expect(Date.parse(shown.twoWaySync.verifiedAt ?? '')).toBe(Date.parse(ping.occurredAt));
      expect(shown.twoWaySync).toMatchObject({ enabled: true, signingSecretSet: true });

      const messages = await readChannels((all) =>
        all.some((m) => m.key === channel.id && (m.value ?? '').includes('"verifiedAt":"')),
      );
      const verified = messages
        .filter((m) => m.key === channel.id)
        .map(snapshotOf)
        .pop();
      expect(verified?.channel.twoWaySync.verifiedAt).toBe(shown.twoWaySync.verifiedAt);
    });

    it('ignores a verification naming another workspace, an older one, and dead-letters a malformed one', async () => {
      const ws = newWorkspaceId('verify-guard');
      const channel = await createChannel(ws, { twoWaySync: true });
      const sentinel = await createChannel(ws, { twoWaySync: true });
      const foreign = await createChannel(newWorkspaceId('verify-other'), { twoWaySync: true });
      const current = makeWebhookVerification({ workspaceId: ws, channelId: channel.id });
      const older = makeWebhookVerification({
        workspaceId: ws,
        channelId: channel.id,
        occurredAt: new Date(Date.parse(current.occurredAt) - 60_000).toISOString(),
      });

      // One key for all, so they share a partition and are handled in this order: once the
      // sentinel's verification shows, every message before it has been handled.
      await publish(channel.id, '{"not":"a verification"');
      await publish(
        channel.id,
        serializeMessage(makeWebhookVerification({ workspaceId: ws, channelId: foreign.id })),
      );
      await publish(channel.id, serializeMessage(current));
      await publish(channel.id, serializeMessage(older));
      await publish(
        channel.id,
        serializeMessage(makeWebhookVerification({ workspaceId: ws, channelId: sentinel.id })),
      );

      await waitFor(async () => (await api.get(ws, sentinel.id)).body.twoWaySync.verifiedAt, {
        timeoutMs: 10_000,
        intervalMs: 200,
        description: "the sentinel channel's verifiedAt",
      });
      const shown = (await api.get(ws, channel.id)).body.twoWaySync.verifiedAt;
      expect(Date.parse(shown ?? '')).toBe(Date.parse(current.occurredAt));
      expect(
        (await api.get(foreign.workspaceId, foreign.id)).body.twoWaySync.verifiedAt,
      ).toBeNull();
      const dead = await consumeAll(dlqTopic(TOPICS.webhookVerifications), {
        brokers: [brokers],
        until: (all) => all.some((m) => m.key === channel.id),
        timeoutMs: 15_000,
      });
      expect(dead.filter((m) => m.key === channel.id).map((m) => m.value)).toEqual([
        '{"not":"a verification"',
      ]);
    });

    it('forgets the verification when a new signing secret is saved (it is not proven yet)', async () => {
      const ws = newWorkspaceId('verify-reset');
      const channel = await createChannel(ws, { twoWaySync: true });
      await publish(
        channel.id,
        serializeMessage(makeWebhookVerification({ workspaceId: ws, channelId: channel.id })),
      );
      await waitFor(async () => (await api.get(ws, channel.id)).body.twoWaySync.verifiedAt, {
        timeoutMs: 10_000,
        intervalMs: 200,
        description: 'verifiedAt in GET',
      });

      expect((await api.setSigningSecret(ws, channel.id, newSigningSecret())).status).toBe(204);

      expect((await api.get(ws, channel.id)).body.twoWaySync).toMatchObject({
        signingSecretSet: true,
        verifiedAt: null,
      });
    });
  });

  describe('a Kafka outage', () => {
    it('still answers every change at once, and publishes each snapshot in order once Kafka is back', async () => {
      const ws = newWorkspaceId('outage');
      await kafka.stop();

      const started = Date.now();
      const kept = await createChannel(ws, { name: 'created while Kafka was down' });
      const renamed = await api.as(ws, 'PATCH', ChannelApi.path(ws, kept.id), {
        name: 'renamed while Kafka was down',
      });
      const removed = await createChannel(ws, { name: 'deleted while Kafka was down' });
      const deleted = await api.as(ws, 'DELETE', ChannelApi.path(ws, removed.id));
      expect([renamed.status, deleted.status]).toEqual([200, 204]);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await api.get(ws, kept.id)).body.name).toBe('renamed while Kafka was down');
      const backlog = await waitFor(
        async () => {
          const metrics = await (await fetch(`${service.url}/metrics`)).text();
          const match = /^outbox_backlog\{[^}]*\} (\d+)/m.exec(metrics);
          return match && Number(match[1]) >= 4 ? Number(match[1]) : undefined;
        },
        { timeoutMs: 5_000, description: 'the outbox to hold the four changes' },
      );
      expect(backlog).toBeGreaterThanOrEqual(4);

      await kafka.start();

      const messages = await readChannels(
        (all) =>
          all.some((m) => m.key === removed.id && m.value === null) &&
          all.some((m) => m.key === kept.id && (m.value ?? '').includes('renamed')),
        60_000,
      );
      const keptVersions = messages.filter((m) => m.key === kept.id).map((m) => snapshotOf(m));
      expect(keptVersions.map((s) => [s?.version, s?.channel.name])).toEqual([
        [1, 'created while Kafka was down'],
        [2, 'renamed while Kafka was down'],
      ]);
      const removedMessages = messages.filter((m) => m.key === removed.id);
      expect(
        removedMessages.map((m) => (m.value === null ? 'tombstone' : snapshotOf(m)?.version)),
      ).toEqual([1, 'tombstone']);
      expect(removedMessages[1].headers[HEADERS.channelId]).toBe(removed.id);
      expect(service.running).toBe(true);
      await service.waitForStatus('/health/ready', 200, 30_000);
    });
  });
});
