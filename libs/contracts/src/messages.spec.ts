import {
  AlertEventV1,
  ChannelSnapshotV1,
  IncidentEventV1,
  IncidentSyncEventV1,
  MESSAGE_CLASSES,
  TOPICS,
  WebhookVerificationV1,
  makeAlertEvent,
  makeChannelSnapshot,
  makeIncidentEvent,
  makeIncidentSyncEvent,
  makeWebhookVerification,
  messageKey,
  parseMessage,
  serializeMessage,
  type Topic,
} from './index';

interface Case {
  topic: Topic;
  messageClass: new () => object;
  make: () => object;
  required: string[];
  optional: string[];
}

const cases: Case[] = [
  {
    topic: TOPICS.incidents,
    messageClass: IncidentEventV1,
    make: () => makeIncidentEvent({ incident: { url: 'https://app.axiorank.test/i/1' } }),
    required: [
      'eventId',
      'type',
      'occurredAt',
      'workspaceId',
      'incident',
      'incident.id',
      'incident.title',
      'incident.severity',
      'incident.status',
      'incident.alertCount',
    ],
    optional: [
      'incident.blastRadius',
      'incident.blastRadius.agents',
      'incident.blastRadius.tools',
      'incident.blastRadius.users',
      'incident.blastRadius.summary',
      'incident.recommendedActions',
      'incident.url',
    ],
  },
  {
    topic: TOPICS.alerts,
    messageClass: AlertEventV1,
    make: () =>
      makeAlertEvent({ alert: { incidentId: 'inc_1', url: 'https://app.axiorank.test/a' } }),
    required: [
      'eventId',
      'type',
      'occurredAt',
      'workspaceId',
      'alert',
      'alert.id',
      'alert.title',
      'alert.severity',
      'alert.riskScore',
      'alert.agent',
      'alert.agent.id',
      'alert.agent.name',
      'alert.tool',
    ],
    optional: ['alert.incidentId', 'alert.url'],
  },
  {
    topic: TOPICS.incidentSync,
    messageClass: IncidentSyncEventV1,
    make: () => makeIncidentSyncEvent(),
    required: [
      'eventId',
      'type',
      'occurredAt',
      'workspaceId',
      'incidentId',
      'channelId',
      'source',
      'pagerduty',
      'pagerduty.eventId',
      'pagerduty.incidentId',
      'actor.id',
      'actor.name',
      'actor.type',
    ],
    optional: ['pagerduty.incidentNumber', 'pagerduty.htmlUrl', 'actor'],
  },
  {
    topic: TOPICS.channels,
    messageClass: ChannelSnapshotV1,
    make: () =>
      makeChannelSnapshot({
        channel: { quietHours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' } },
      }),
    required: [
      'eventId',
      'type',
      'occurredAt',
      'version',
      'channel',
      'channel.id',
      'channel.workspaceId',
      'channel.type',
      'channel.name',
      'channel.region',
      'channel.mode',
      'channel.severityFloor',
      'channel.quietHours',
      'channel.quietHours.start',
      'channel.quietHours.end',
      'channel.quietHours.timezone',
      'channel.hourlyCap',
      'channel.routingKey',
      'channel.routingKeyHint',
      'channel.twoWaySync',
      'channel.twoWaySync.enabled',
      'channel.twoWaySync.signingSecret',
      'channel.twoWaySync.verifiedAt',
      'channel.createdAt',
      'channel.updatedAt',
    ],
    optional: [],
  },
  {
    topic: TOPICS.webhookVerifications,
    messageClass: WebhookVerificationV1,
    make: () => makeWebhookVerification(),
    required: ['eventId', 'type', 'occurredAt', 'workspaceId', 'channelId', 'pagerdutyEventId'],
    optional: ['webhookId'],
  },
];

function without(value: object, path: string): object {
  const copy = structuredClone(value) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node = copy;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  delete node[last];
  return copy;
}

describe('message schemas', () => {
  it('has a message class for every topic', () => {
    expect(Object.keys(MESSAGE_CLASSES).sort()).toEqual(Object.values(TOPICS).sort());
  });

  describe.each(cases)('$topic', ({ topic, messageClass, make, required, optional }) => {
    it('round-trips a valid message into its class', () => {
      const plain = make();
      const result = parseMessage(topic, serializeMessage(plain as never));

      expect(result).toMatchObject({ ok: true });
      if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
      expect(result.message).toBeInstanceOf(messageClass);
      expect(JSON.parse(serializeMessage(result.message))).toEqual(plain);
    });

    it('accepts the value as a Buffer, as kafkajs delivers it', () => {
      const result = parseMessage(topic, Buffer.from(JSON.stringify(make())));

      expect(result.ok).toBe(true);
    });

    it.each(required)('rejects a message without %s and names it', (path) => {
      const result = parseMessage(topic, JSON.stringify(without(make(), path)));

      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.reason).toMatch(new RegExp(`(^|; )${path.replace(/\./g, '\\.')} is required`));
    });

    if (optional.length > 0) {
      it.each(optional)('accepts a message without %s', (path) => {
        const result = parseMessage(topic, JSON.stringify(without(make(), path)));

        expect(result).toMatchObject({ ok: true });
      });
    }

    it('keeps unknown fields out of the parsed message (forward compatible)', () => {
      const plain = { ...make(), addedInV1_1: 'later', nested: { any: [1, 2] } };
      const result = parseMessage(topic, JSON.stringify(plain));

      if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
      expect(result.message).not.toHaveProperty('addedInV1_1');
      expect(result.message).not.toHaveProperty('nested');
    });

    it('rejects a value that is not a UUID as eventId', () => {
      const result = parseMessage(topic, JSON.stringify({ ...make(), eventId: 'evt_1' }));

      expect(result).toEqual({ ok: false, reason: 'eventId must be a UUID' });
    });

    it('rejects an occurredAt without a time zone', () => {
      const plain = { ...make(), occurredAt: '2026-12-04T10:00:00' };
      const result = parseMessage(topic, JSON.stringify(plain));

      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/^occurredAt must be an ISO 8601 date-time/);
    });
  });
});

describe('messageKey', () => {
  it('keys every message by its aggregate id', () => {
    const incident = makeIncidentEvent();
    const alert = makeAlertEvent();
    const sync = makeIncidentSyncEvent();
    const channel = makeChannelSnapshot();
    const verification = makeWebhookVerification();

    expect(messageKey(TOPICS.incidents, incident)).toBe(incident.incident.id);
    expect(messageKey(TOPICS.alerts, alert)).toBe(alert.alert.id);
    expect(messageKey(TOPICS.incidentSync, sync)).toBe(sync.incidentId);
    expect(messageKey(TOPICS.channels, channel)).toBe(channel.channel.id);
    expect(messageKey(TOPICS.webhookVerifications, verification)).toBe(verification.channelId);
  });
});
