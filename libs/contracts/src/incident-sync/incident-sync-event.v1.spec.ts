import {
  IncidentSyncEventV1,
  SyncActorV1,
  TOPICS,
  makeIncidentSyncEvent,
  parseMessage,
  serializeMessage,
  type DeepPartial,
} from '../index';

const parse = (overrides: DeepPartial<IncidentSyncEventV1>) =>
  parseMessage(TOPICS.incidentSync, serializeMessage(makeIncidentSyncEvent(overrides)));

describe('IncidentSyncEventV1', () => {
  it('parses a valid sync event into typed classes', () => {
    const result = parse({ type: 'incident.resolved' });

    if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
    const sut: IncidentSyncEventV1 = result.message;
    expect(sut.actor).toBeInstanceOf(SyncActorV1);
    expect(sut.pagerduty.incidentNumber).toBe(42);
    expect(sut.source).toBe('pagerduty');
  });

  it('accepts a null actor (PagerDuty sends no agent for automatic changes)', () => {
    const result = parse({ actor: null });

    if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
    expect(result.message.actor).toBeNull();
  });

  it('validates the actor when present', () => {
    expect(parse({ actor: 'Jane' as never })).toEqual({
      ok: false,
      reason: 'actor must be an object',
    });
  });

  it.each(['incident.opened', 'incident.updated', 'incident.triggered'])(
    'rejects type %s',
    (type) => {
      expect(parse({ type: type as never })).toEqual({
        ok: false,
        reason: 'type must be one of: incident.acknowledged, incident.resolved',
      });
    },
  );

  it('accepts only source pagerduty', () => {
    expect(parse({ source: 'axiorank' as never })).toEqual({
      ok: false,
      reason: 'source must be one of: pagerduty',
    });
  });

  it('requires the channel id to be a UUID', () => {
    expect(parse({ channelId: 'ch_1' })).toEqual({
      ok: false,
      reason: 'channelId must be a UUID',
    });
  });

  it('validates the PagerDuty reference', () => {
    expect(parse({ pagerduty: { incidentNumber: -1 } }).ok).toBe(false);
    expect(parse({ pagerduty: { incidentNumber: 4.2 } }).ok).toBe(false);
    expect(parse({ pagerduty: { htmlUrl: 'not a url' } })).toEqual({
      ok: false,
      reason: 'pagerduty.htmlUrl must be an absolute http(s) URL',
    });
  });
});
