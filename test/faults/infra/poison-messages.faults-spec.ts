import { randomBytes, randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import {
  buildHeaders,
  dlqTopic,
  HEADERS,
  makeAlertEvent,
  makeIncidentEvent,
  makeIncidentSyncEvent,
  makeWebhookVerification,
  serializeMessage,
  TOPICS,
  type Topic,
} from '@app/contracts';
import { consumeAll, pgServerUrl, PrivateKafka, waitFor } from '@app/testing';
import {
  APPS,
  connectProducer,
  dropDatabase,
  FaultSystem,
  request,
  scratchDatabase,
  summaryLine,
  type AppName,
} from './fault-system';

/**
 * Which service consumes which topic. A `Record<Topic, …>`, so a topic added to `@app/contracts`
 * does not compile until it is placed here; and the first test checks the table against the
 * subscriptions the running services actually hold on the broker.
 */
type Consumer = AppName | 'incident-simulator';
const CONSUMERS: Record<Topic, readonly Consumer[]> = {
  [TOPICS.incidents]: ['outbound-pager'],
  [TOPICS.alerts]: ['outbound-pager'],
  // Both read the compacted channel topic into their replicas.
  [TOPICS.channels]: ['outbound-pager', 'inbound-webhook'],
  [TOPICS.webhookVerifications]: ['channel-config'],
  // Produced by inbound-webhook for AxioRank's incident service, which lives outside this repo;
  // the incident simulator stands in for it (a dev tool, held to the same consumer contract).
  [TOPICS.incidentSync]: ['incident-simulator'],
};
const CONSUMED_TOPICS = Object.keys(CONSUMERS) as Topic[];
const CONSUMER_NAMES: readonly Consumer[] = [...APPS, 'incident-simulator'];

interface PoisonCase {
  name: string;
  value: string;
  reason: RegExp;
}

/**
 * The hostile values every consumed topic is fed, built from a valid message of that topic:
 * unparseable, not an object, outside the contract, wrong types, and one just under the broker's
 * largest message.
 */
function poisonCases(valid: Record<string, unknown>, maxMessageBytes: number, key: string) {
  const cases: PoisonCase[] = [
    { name: 'not JSON', value: '{"eventId": "oops', reason: /^invalid JSON/ },
    { name: 'not an object', value: '[1,2,3]', reason: /^value must be a JSON object, got array/ },
    {
      name: 'outside the contract',
      value: JSON.stringify({ ...valid, type: 'something.exploded' }),
      reason: /^type must be one of/,
    },
    {
      name: 'wrong types',
      value: JSON.stringify({ ...valid, eventId: 42, occurredAt: true }),
      reason: /eventId must be/,
    },
  ];
  // A record batch adds 61 bytes of header and about a dozen of record framing to the key and
  // value: this value leaves the record a few dozen bytes under the broker's limit, too little
  // for the dead-letter headers (reason, source topic, partition, offset, time) to fit beside it.
  const eventIdLength = String(valid.eventId).length;
  const filler =
    maxMessageBytes - 100 - key.length - (JSON.stringify(valid).length - eventIdLength);
  cases.push({
    name: 'oversized',
    value: JSON.stringify({ ...valid, eventId: 'x'.repeat(filler) }),
    reason: /eventId must be/,
  });
  return cases;
}

interface DeadLetter {
  partition: string;
  offset: string;
  reason: string;
  sourceTopic: string;
  key: string | null;
  value: string | null;
  /** The original size, when the value was cut to fit the dead-letter topic. */
  truncatedFrom: string | undefined;
}

describe('F6 poison and oversized messages on every consumed topic', () => {
  const kafka = new PrivateKafka();
  let brokers: string;
  let databaseUrl: string;
  let system: FaultSystem;
  let producer: Producer;
  let admin: Admin;
  let maxMessageBytes: number;

  beforeAll(async () => {
    brokers = await kafka.start();
    databaseUrl = await scratchDatabase(pgServerUrl(), 'axiorank_f6');
    // Dead letters are logged as warnings; the rest would be noise.
    system = await FaultSystem.start({
      databaseUrl,
      brokers,
      label: 'f6',
      env: { LOG_LEVEL: 'warn' },
    });
    await system.startIncidentSimulator();
    producer = await connectProducer(brokers);
    admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: TOPICS.incidents, configNames: ['max.message.bytes'] }],
    });
    maxMessageBytes = Number(resources[0].configEntries[0].configValue);
  }, 300_000);

  afterAll(async () => {
    await admin?.disconnect();
    await producer?.disconnect();
    await system?.stop();
    await kafka.close();
    if (databaseUrl) await dropDatabase(pgServerUrl(), databaseUrl);
  }, 120_000);

  it('covers every topic a running service consumes (from the broker’s group subscriptions)', async () => {
    const startedAt = Date.now();
    const subscribed = await waitFor(
      async () => {
        const { groups } = await admin.listGroups();
        const described = await admin.describeGroups(groups.map((g) => g.groupId));
        const byApp = new Map<Consumer, Set<string>>(
          CONSUMER_NAMES.map((name) => [name, new Set()]),
        );
        for (const group of described.groups) {
          const consumer = CONSUMER_NAMES.find(
            (name) =>
              group.groupId ===
                (name === 'incident-simulator'
                  ? system.incidentSimulatorGroupId
                  : system.groupIds.get(name)) ||
              group.groupId.startsWith(`${name}.channel-replica.`),
          );
          if (!consumer) continue;
          for (const member of group.members) {
            const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
            for (const topic of metadata?.topics ?? []) byApp.get(consumer)!.add(topic);
          }
        }
        // Joined once every consumer holds as many topics as the table gives it.
        const joined = CONSUMER_NAMES.every(
          (name) =>
            byApp.get(name)!.size >=
            CONSUMED_TOPICS.filter((t) => CONSUMERS[t].includes(name)).length,
        );
        return joined ? byApp : null;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'every service in its consumer groups' },
    );

    const expected = new Map(
      CONSUMER_NAMES.map((name) => [
        name,
        CONSUMED_TOPICS.filter((t) => CONSUMERS[t].includes(name)).sort(),
      ]),
    );
    summaryLine(
      'F6 consumed topics',
      Object.fromEntries(
        CONSUMER_NAMES.map((name) => [name, [...subscribed.get(name)!].sort().join(',')]),
      ),
      startedAt,
    );
    for (const name of CONSUMER_NAMES) {
      expect({ name, topics: [...subscribed.get(name)!].sort() }).toEqual({
        name,
        topics: expected.get(name),
      });
    }
    expect(Object.keys(CONSUMERS).sort()).toEqual(Object.values(TOPICS).sort());
  });

  /** Produces the valid message that must be handled after the poison, and how to see it was. */
  async function validFollowUp(
    topic: Topic,
    key: string,
  ): Promise<{
    /** The Kafka key, when the topic's aggregate id is not `key`. */
    key?: string;
    value: Record<string, unknown>;
    processed: () => Promise<boolean>;
  }> {
    switch (topic) {
      case TOPICS.incidents: {
        const ws = `ws_f6_inc_${randomUUID().slice(0, 8)}`;
        await system.pagingChannel(ws);
        const event = makeIncidentEvent({ workspaceId: ws, incident: { id: key } });
        return {
          value: event as unknown as Record<string, unknown>,
          processed: async () => (await system.simIncidents(key)).length === 1,
        };
      }
      case TOPICS.alerts: {
        const ws = `ws_f6_alr_${randomUUID().slice(0, 8)}`;
        await system.pagingChannel(ws, { mode: 'alerts' });
        const event = makeAlertEvent({
          workspaceId: ws,
          alert: { id: key, severity: 'critical' },
        });
        return {
          value: event as unknown as Record<string, unknown>,
          processed: async () => (await system.simIncidents(key)).length === 1,
        };
      }
      case TOPICS.channels: {
        const ws = `ws_f6_ch_${randomUUID().slice(0, 8)}`;
        const service = await system.pagerDutyService(`f6 ${ws}`);
        const snapshot = system.channelSnapshot({
          id: key,
          workspaceId: ws,
          routingKey: service.routingKey,
          signingSecret: randomBytes(16).toString('hex'),
        });
        const incidentId = `inc_f6_ch_${randomUUID()}`;
        let sent = false;
        return {
          value: snapshot as unknown as Record<string, unknown>,
          processed: async () => {
            // inbound-webhook knows the channel: an unsigned webhook is 401, not 404.
            const unsigned = await request(
              `${system.app('inbound-webhook').url}/v1/webhooks/pagerduty/${key}`,
              { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
            );
            if (unsigned.status !== 401) return false;
            // outbound-pager pages through it.
            if (!sent) {
              sent = true;
              await producer.send({
                topic: TOPICS.incidents,
                acks: -1,
                messages: [
                  {
                    key: incidentId,
                    value: serializeMessage(
                      makeIncidentEvent({ workspaceId: ws, incident: { id: incidentId } }),
                    ),
                    headers: buildHeaders({ origin: 'axiorank' }),
                  },
                ],
              });
            }
            return (await system.simIncidents(incidentId)).length === 1;
          },
        };
      }
      case TOPICS.webhookVerifications: {
        const ws = `ws_f6_ver_${randomUUID().slice(0, 8)}`;
        const { channel } = await system.pagingChannel(ws);
        const event = makeWebhookVerification({ workspaceId: ws, channelId: channel.id });
        return {
          key: channel.id,
          value: event as unknown as Record<string, unknown>,
          processed: async () =>
            (await system.getChannel(ws, channel.id)).twoWaySync.verifiedAt !== null,
        };
      }
      case TOPICS.incidentSync: {
        const event = makeIncidentSyncEvent({ incidentId: key });
        return {
          value: event as unknown as Record<string, unknown>,
          processed: async () => {
            const res = await request(
              `${system.incidentSimulator!.url}/sync-events?incidentId=${encodeURIComponent(key)}`,
            );
            const body = res.body as { syncEvents?: unknown[] } | null;
            return res.status === 200 && (body?.syncEvents?.length ?? 0) > 0;
          },
        };
      }
    }
  }

  it.each(CONSUMED_TOPICS)(
    'dead-letters non-JSON, invalid, mistyped and oversized messages on %s with the reason, and keeps the partition moving',
    async (topic) => {
      const startedAt = Date.now();
      const consumers = CONSUMERS[topic];
      // Channel ids are UUIDs; a verification is keyed by its channel's id.
      const key = topic === TOPICS.channels ? randomUUID() : `f6_${randomUUID()}`;
      const followUp = await validFollowUp(topic, key);
      const messageKey = followUp.key ?? key;
      const validValue = followUp.value;
      const cases = poisonCases(validValue, maxMessageBytes, messageKey);

      // Each on its own, to know its offset; all with the valid message's key (same partition).
      const offsets: { partition: number; offset: string }[] = [];
      for (const poison of cases) {
        const [meta] = await producer.send({
          topic,
          acks: -1,
          messages: [{ key: messageKey, value: poison.value }],
        });
        offsets.push({ partition: meta.partition, offset: meta.baseOffset ?? '' });
      }
      await producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key: messageKey,
            value: JSON.stringify(validValue),
            headers: buildHeaders({ origin: 'axiorank' }),
          },
        ],
      });

      await waitFor(() => followUp.processed(), {
        timeoutMs: 90_000,
        intervalMs: 500,
        description: `the valid message after the poison on ${topic} to be handled`,
      });
      const isOurs = (letter: DeadLetter) =>
        letter.sourceTopic === topic &&
        offsets.some((o) => String(o.partition) === letter.partition && o.offset === letter.offset);
      const letters = (
        await consumeAll(dlqTopic(topic), {
          brokers: [brokers],
          timeoutMs: 60_000,
          until: (messages) =>
            messages.map(toDeadLetter).filter(isOurs).length >= cases.length * consumers.length,
        })
      )
        .map(toDeadLetter)
        .filter(isOurs);
      const readiness = await system.readiness();

      const perCase = cases.map((poison, i) => {
        const mine = letters.filter((l) => l.offset === offsets[i].offset);
        return {
          poison,
          letters: mine,
          reasonOk: mine.length > 0 && mine.every((l) => poison.reason.test(l.reason)),
        };
      });
      summaryLine(
        `F6 poison ${topic}`,
        {
          consumers: consumers.join(','),
          poison: cases.length,
          dead_lettered: letters.length,
          reasons_ok: perCase.filter((c) => c.reasonOk).length,
          oversized_bytes: cases[cases.length - 1].value.length,
          max_message_bytes: maxMessageBytes,
          valid_processed: 'yes',
          ready: consumers
            .map((name) => (name === 'incident-simulator' ? 'n/a' : readiness[name]))
            .join(','),
        },
        startedAt,
      );
      for (const { poison, letters: mine } of perCase) {
        // Dead-lettered by every consuming service (each got past it to the valid message, which
        // takes a successful dead letter), naming what was wrong; a redelivery may repeat one.
        expect({ poison: poison.name, enough: mine.length >= consumers.length }).toEqual({
          poison: poison.name,
          enough: true,
        });
        for (const letter of mine) {
          expect({ poison: poison.name, reason: letter.reason }).toEqual({
            poison: poison.name,
            reason: expect.stringMatching(poison.reason),
          });
          expect(letter.key).toBe(messageKey);
          if (poison.name === 'oversized') {
            // Too large to dead-letter whole with the reason added: cut, and marked as cut.
            expect(letter.truncatedFrom).toBe(String(Buffer.byteLength(poison.value)));
            expect(letter.value?.length).toBeLessThan(poison.value.length);
            expect(poison.value.startsWith(letter.value ?? '<none>')).toBe(true);
          } else {
            expect(letter.value).toBe(poison.value);
            expect(letter.truncatedFrom).toBeUndefined();
          }
        }
      }
      for (const app of APPS) expect(system.app(app).running).toBe(true);
      expect(system.incidentSimulator?.running).toBe(true);
      expect(Object.values(readiness)).toEqual(APPS.map(() => 200));
    },
  );
});

function toDeadLetter(message: {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}): DeadLetter {
  return {
    partition: message.headers[HEADERS.dlqSourcePartition] ?? '',
    offset: message.headers[HEADERS.dlqSourceOffset] ?? '',
    reason: message.headers[HEADERS.dlqReason] ?? '',
    sourceTopic: message.headers[HEADERS.dlqSourceTopic] ?? '',
    key: message.key,
    value: message.value,
    truncatedFrom: message.headers[HEADERS.dlqValueTruncated],
  };
}
