import fc from 'fast-check';
import {
  TOPICS,
  makeAlertEvent,
  makeChannelSnapshot,
  makeIncidentEvent,
  makeIncidentSyncEvent,
  makeWebhookVerification,
  parseMessage,
  serializeMessage,
  type Topic,
} from '../index';

const any = fc.string({ unit: 'binary', maxLength: 200 });
const nonEmpty = (maxLength: number) => fc.string({ unit: 'binary', minLength: 1, maxLength });

interface StringField {
  topic: Topic;
  path: string;
  strings: fc.Arbitrary<string>;
  make: (value: string) => object;
}

/** Fields that take any string (free text) or any non-empty one of bounded length (ids). */
const fields: StringField[] = [
  {
    topic: TOPICS.incidents,
    path: 'workspaceId',
    strings: nonEmpty(128),
    make: (v) => makeIncidentEvent({ workspaceId: v }),
  },
  {
    topic: TOPICS.incidents,
    path: 'incident.id',
    strings: nonEmpty(255),
    make: (v) => makeIncidentEvent({ incident: { id: v } }),
  },
  {
    topic: TOPICS.incidents,
    path: 'incident.title',
    strings: any,
    make: (v) => makeIncidentEvent({ incident: { title: v } }),
  },
  {
    topic: TOPICS.incidents,
    path: 'incident.status',
    strings: any,
    make: (v) => makeIncidentEvent({ incident: { status: v } }),
  },
  {
    topic: TOPICS.incidents,
    path: 'incident.blastRadius.summary',
    strings: any,
    make: (v) => makeIncidentEvent({ incident: { blastRadius: { summary: v } } }),
  },
  {
    topic: TOPICS.alerts,
    path: 'alert.id',
    strings: nonEmpty(255),
    make: (v) => makeAlertEvent({ alert: { id: v } }),
  },
  {
    topic: TOPICS.alerts,
    path: 'alert.title',
    strings: any,
    make: (v) => makeAlertEvent({ alert: { title: v } }),
  },
  {
    topic: TOPICS.alerts,
    path: 'alert.tool',
    strings: any,
    make: (v) => makeAlertEvent({ alert: { tool: v } }),
  },
  {
    topic: TOPICS.alerts,
    path: 'alert.agent.id',
    strings: nonEmpty(100),
    make: (v) => makeAlertEvent({ alert: { agent: { id: v } } }),
  },
  {
    topic: TOPICS.alerts,
    path: 'alert.agent.name',
    strings: any,
    make: (v) => makeAlertEvent({ alert: { agent: { name: v } } }),
  },
  {
    topic: TOPICS.alerts,
    path: 'alert.incidentId',
    strings: nonEmpty(255),
    make: (v) => makeAlertEvent({ alert: { incidentId: v } }),
  },
  {
    topic: TOPICS.incidentSync,
    path: 'incidentId',
    strings: nonEmpty(255),
    make: (v) => makeIncidentSyncEvent({ incidentId: v }),
  },
  {
    topic: TOPICS.incidentSync,
    path: 'pagerduty.eventId',
    strings: nonEmpty(100),
    make: (v) => makeIncidentSyncEvent({ pagerduty: { eventId: v } }),
  },
  {
    topic: TOPICS.incidentSync,
    path: 'pagerduty.incidentId',
    strings: nonEmpty(100),
    make: (v) => makeIncidentSyncEvent({ pagerduty: { incidentId: v } }),
  },
  {
    topic: TOPICS.incidentSync,
    path: 'actor.name',
    strings: any,
    make: (v) => makeIncidentSyncEvent({ actor: { name: v } }),
  },
  {
    topic: TOPICS.incidentSync,
    path: 'actor.type',
    strings: any,
    make: (v) => makeIncidentSyncEvent({ actor: { type: v } }),
  },
  {
    topic: TOPICS.channels,
    path: 'channel.name',
    strings: nonEmpty(200),
    make: (v) => makeChannelSnapshot({ channel: { name: v } }),
  },
  {
    topic: TOPICS.channels,
    path: 'channel.routingKey',
    strings: nonEmpty(500),
    make: (v) => makeChannelSnapshot({ channel: { routingKey: v } }),
  },
  {
    topic: TOPICS.channels,
    path: 'channel.routingKeyHint',
    strings: any,
    make: (v) => makeChannelSnapshot({ channel: { routingKeyHint: v } }),
  },
  {
    topic: TOPICS.channels,
    path: 'channel.twoWaySync.signingSecret',
    strings: nonEmpty(500),
    make: (v) => makeChannelSnapshot({ channel: { twoWaySync: { signingSecret: v } } }),
  },
  {
    topic: TOPICS.webhookVerifications,
    path: 'pagerdutyEventId',
    strings: nonEmpty(100),
    make: (v) => makeWebhookVerification({ pagerdutyEventId: v }),
  },
  {
    topic: TOPICS.webhookVerifications,
    path: 'webhookId',
    strings: nonEmpty(100),
    make: (v) => makeWebhookVerification({ webhookId: v }),
  },
];

function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], value);
}

describe('factories', () => {
  it.each([
    [TOPICS.incidents, makeIncidentEvent],
    [TOPICS.alerts, makeAlertEvent],
    [TOPICS.incidentSync, makeIncidentSyncEvent],
    [TOPICS.channels, makeChannelSnapshot],
    [TOPICS.webhookVerifications, makeWebhookVerification],
  ] as const)('make a valid %s message with fresh ids each time', (topic, make) => {
    const first = make();
    const second = make();

    expect(parseMessage(topic, serializeMessage(first)).ok).toBe(true);
    expect(first.eventId).not.toBe(second.eventId);
  });

  it('merge nested overrides and keep the other fields', () => {
    const sut = makeIncidentEvent({
      workspaceId: 'ws_1',
      incident: { id: 'inc_1', severity: 'low' },
    });

    expect(sut.workspaceId).toBe('ws_1');
    expect(sut.incident).toMatchObject({
      id: 'inc_1',
      severity: 'low',
      status: 'open',
      alertCount: 17,
    });
  });

  it('drop a field overridden with undefined', () => {
    const sut = makeIncidentEvent({ incident: { blastRadius: undefined } });

    expect(sut.incident).not.toHaveProperty('blastRadius');
  });

  it('replace arrays and nulls instead of merging them', () => {
    const incident = makeIncidentEvent({ incident: { recommendedActions: ['Page the owner'] } });
    const sync = makeIncidentSyncEvent({ actor: null });

    expect(incident.incident.recommendedActions).toEqual(['Page the owner']);
    expect(sync.actor).toBeNull();
  });

  it('add a resolution to a resolved incident unless told not to', () => {
    expect(makeIncidentEvent({ type: 'incident.resolved' }).resolution).toEqual({
      reason: 'manual',
    });
    expect(
      makeIncidentEvent({ type: 'incident.resolved', resolution: { reason: 'pagerduty' } })
        .resolution,
    ).toEqual({ reason: 'pagerduty' });
    expect(
      makeIncidentEvent({ type: 'incident.resolved', resolution: undefined }),
    ).not.toHaveProperty('resolution');
  });

  it('do not share nested objects between calls', () => {
    const first = makeChannelSnapshot();
    first.channel.twoWaySync.enabled = true;

    expect(makeChannelSnapshot().channel.twoWaySync.enabled).toBe(false);
  });

  it.each(fields)('stay valid with an arbitrary $path', ({ topic, path, strings, make }) => {
    fc.assert(
      fc.property(strings, (value) => {
        const result = parseMessage(topic, serializeMessage(make(value) as never));

        expect(result).toMatchObject({ ok: true });
        if (result.ok && !result.tombstone) expect(at(result.message, path)).toBe(value);
      }),
      { numRuns: 100 },
    );
  });
});
