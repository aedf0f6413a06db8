import {
  AlertEventV1,
  AlertV1,
  TOPICS,
  makeAlertEvent,
  parseMessage,
  serializeMessage,
  type DeepPartial,
} from '../index';

const parse = (overrides: DeepPartial<AlertEventV1>) =>
  parseMessage(TOPICS.alerts, serializeMessage(makeAlertEvent(overrides)));

describe('AlertEventV1', () => {
  it('parses a valid alert into typed classes', () => {
    const result = parse({ alert: { incidentId: 'inc_1' } });

    if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
    const sut: AlertEventV1 = result.message;
    expect(sut.alert).toBeInstanceOf(AlertV1);
    expect(sut.alert.incidentId).toBe('inc_1');
    expect(sut.alert.agent.name).toBe('support-bot');
  });

  it('accepts only alert.raised', () => {
    expect(parse({ type: 'alert.cleared' as never })).toEqual({
      ok: false,
      reason: 'type must be one of: alert.raised',
    });
  });

  it.each([0, 0.5, 91, 100])('accepts risk score %p', (riskScore) => {
    expect(parse({ alert: { riskScore } }).ok).toBe(true);
  });

  it.each([-0.1, 100.1, '91'])('rejects risk score %p', (riskScore) => {
    const result = parse({ alert: { riskScore: riskScore as number } });

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^alert\.riskScore /);
  });

  it('rejects non-finite risk scores written as JSON null', () => {
    // JSON.stringify turns NaN and Infinity into null.
    expect(parse({ alert: { riskScore: Number.NaN } })).toEqual({
      ok: false,
      reason: 'alert.riskScore must be a number conforming to the specified constraints',
    });
  });

  it('requires the agent to be an object with an id', () => {
    expect(parse({ alert: { agent: 'support-bot' as never } })).toEqual({
      ok: false,
      reason: 'alert.agent must be an object',
    });
    expect(parse({ alert: { agent: { id: '' } } })).toEqual({
      ok: false,
      reason: 'alert.agent.id should not be empty',
    });
  });

  it('names the severity values it accepts', () => {
    expect(parse({ alert: { severity: 'CRITICAL' as never } })).toEqual({
      ok: false,
      reason: 'alert.severity must be one of: low, medium, high, critical',
    });
  });

  it('limits the alert id to the dedup_key length', () => {
    expect(parse({ alert: { id: 'a'.repeat(256) } }).ok).toBe(false);
  });
});
