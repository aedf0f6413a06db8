import {
  IncidentEventV1,
  TOPICS,
  makeIncidentEvent,
  parseMessage,
  serializeMessage,
  type DeepPartial,
} from '../index';

const parse = (overrides: DeepPartial<IncidentEventV1>) =>
  parseMessage(TOPICS.incidents, serializeMessage(makeIncidentEvent(overrides)));

describe('IncidentEventV1', () => {
  it('parses the DESIGN.md example into typed classes', () => {
    const value = {
      eventId: '0b6f1f4e-8f2a-4d55-9a3e-3f1f1f0c2b11',
      type: 'incident.opened',
      occurredAt: '2026-12-04T10:00:00Z',
      workspaceId: 'ws_1',
      incident: {
        id: 'inc_1',
        title: 'Agent exfiltrating CRM records',
        severity: 'critical',
        status: 'open',
        alertCount: 17,
        blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
        recommendedActions: ["Revoke the agent's token", 'Block tool crm.export'],
      },
    };

    const result = parseMessage(TOPICS.incidents, Buffer.from(JSON.stringify(value)));

    if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
    const sut: IncidentEventV1 = result.message;
    expect(sut).toBeInstanceOf(IncidentEventV1);
    expect(sut.incident.severity).toBe('critical');
    expect(sut.incident.blastRadius?.summary).toBe('3 agents, 5 tools');
    expect(sut).toEqual(expect.objectContaining(value));
  });

  it.each(['incident.opened', 'incident.updated', 'incident.acknowledged'] as const)(
    'accepts %s without a resolution',
    (type) => {
      expect(parse({ type })).toMatchObject({ ok: true });
    },
  );

  it('rejects incident.resolved without a resolution', () => {
    expect(parse({ type: 'incident.resolved', resolution: undefined })).toEqual({
      ok: false,
      reason: 'resolution is required when type is incident.resolved',
    });
  });

  it('rejects incident.resolved with a null resolution', () => {
    const value = { ...makeIncidentEvent({ type: 'incident.resolved' }), resolution: null };

    expect(parseMessage(TOPICS.incidents, JSON.stringify(value))).toEqual({
      ok: false,
      reason: 'resolution is required when type is incident.resolved',
    });
  });

  it.each(['manual', 'auto_stale', 'pagerduty'] as const)(
    'accepts incident.resolved with reason %s',
    (reason) => {
      const result = parse({ type: 'incident.resolved', resolution: { reason } });

      if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
      expect(result.message.resolution?.reason).toBe(reason);
    },
  );

  it('rejects an unknown resolution reason, also on other types', () => {
    const resolved = parse({
      type: 'incident.resolved',
      resolution: { reason: 'timeout' as never },
    });
    const updated = parse({ type: 'incident.updated', resolution: { reason: 'timeout' as never } });

    const reason = 'resolution.reason must be one of: manual, auto_stale, pagerduty';
    expect(resolved).toEqual({ ok: false, reason });
    expect(updated).toEqual({ ok: false, reason });
  });

  it('rejects an unknown type', () => {
    expect(parse({ type: 'incident.deleted' as never })).toEqual({
      ok: false,
      reason:
        'type must be one of: incident.opened, incident.updated, incident.acknowledged, incident.resolved',
    });
  });

  it('names the severity values it accepts', () => {
    expect(parse({ incident: { severity: 'urgent' as never } })).toEqual({
      ok: false,
      reason: 'incident.severity must be one of: low, medium, high, critical',
    });
  });

  it('accepts an incident id of 255 characters and rejects 256 (the dedup_key limit)', () => {
    expect(parse({ incident: { id: 'i'.repeat(255) } }).ok).toBe(true);
    expect(parse({ incident: { id: 'i'.repeat(256) } })).toEqual({
      ok: false,
      reason: 'incident.id must be shorter than or equal to 255 characters',
    });
  });

  it('rejects an empty incident id and an empty or over-long workspace id', () => {
    expect(parse({ incident: { id: '' } })).toEqual({
      ok: false,
      reason: 'incident.id should not be empty',
    });
    expect(parse({ workspaceId: '' }).ok).toBe(false);
    expect(parse({ workspaceId: 'w'.repeat(128) }).ok).toBe(true);
    expect(parse({ workspaceId: 'w'.repeat(129) }).ok).toBe(false);
  });

  it('accepts long titles up to 10,000 characters (truncation happens later)', () => {
    expect(parse({ incident: { title: 't'.repeat(10_000) } }).ok).toBe(true);
    expect(parse({ incident: { title: 't'.repeat(10_001) } })).toEqual({
      ok: false,
      reason: 'incident.title must be shorter than or equal to 10000 characters',
    });
  });

  it('rejects a negative or fractional alert count and a numeric string', () => {
    expect(parse({ incident: { alertCount: -1 } }).ok).toBe(false);
    expect(parse({ incident: { alertCount: 1.5 } }).ok).toBe(false);
    expect(parse({ incident: { alertCount: '17' as never } })).toEqual({
      ok: false,
      reason: 'incident.alertCount must be an integer number',
    });
  });

  it('validates blast radius when present', () => {
    expect(parse({ incident: { blastRadius: { agents: -1 } } })).toEqual({
      ok: false,
      reason: 'incident.blastRadius.agents must not be less than 0',
    });
    expect(parse({ incident: { blastRadius: 'wide' as never } })).toEqual({
      ok: false,
      reason: 'incident.blastRadius must be an object',
    });
    expect(parse({ incident: { blastRadius: {} } }).ok).toBe(true);
  });

  it('rejects recommended actions that are not all strings', () => {
    expect(parse({ incident: { recommendedActions: ['ok', 3] as never } })).toEqual({
      ok: false,
      reason: 'each value in incident.recommendedActions must be a string',
    });
    expect(parse({ incident: { recommendedActions: 'revoke' as never } }).ok).toBe(false);
  });

  it('accepts http(s) deep links, including localhost, and rejects others', () => {
    expect(
      parse({ incident: { url: 'http://localhost:3000/workspaces/ws_1/incidents/inc_1' } }).ok,
    ).toBe(true);
    expect(parse({ incident: { url: 'javascript:alert(1)' } })).toEqual({
      ok: false,
      reason: 'incident.url must be an absolute http(s) URL',
    });
    expect(parse({ incident: { url: '/relative' } }).ok).toBe(false);
  });

  it('reads null optional fields as absent, so they match their types', () => {
    const value = makeIncidentEvent();
    const withNulls = {
      ...value,
      incident: { ...value.incident, url: null, blastRadius: null, recommendedActions: null },
    };
    const result = parseMessage(TOPICS.incidents, JSON.stringify(withNulls));

    if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
    expect(result.message.incident.url).toBeUndefined();
    expect(result.message.incident.blastRadius).toBeUndefined();
    expect(result.message.incident.recommendedActions).toBeUndefined();
    // toEqual treats an undefined property as absent, which is what serialising does.
    expect(JSON.parse(serializeMessage(result.message))).toEqual({
      ...value,
      incident: {
        ...value.incident,
        url: undefined,
        blastRadius: undefined,
        recommendedActions: undefined,
      },
    });
  });

  it('reports every failing field in one reason', () => {
    const result = parse({ eventId: 'nope', incident: { severity: 'x' as never, alertCount: -3 } });

    expect(result).toEqual({
      ok: false,
      reason:
        'eventId must be a UUID; incident.severity must be one of: low, medium, high, critical; incident.alertCount must not be less than 0',
    });
  });
});
