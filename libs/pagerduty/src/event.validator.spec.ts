import { validatePagerDutyEvent } from './event.validator';

const KEY = 'abcdefghijklmnopqrstuvwxyz012345';
const valid = {
  routing_key: KEY,
  event_action: 'trigger',
  dedup_key: 'inc_1',
  payload: { summary: 's', source: 'AxioRank', severity: 'info' },
};

describe('validatePagerDutyEvent', () => {
  it('accepts a minimal trigger and a bare resolve', () => {
    expect(validatePagerDutyEvent(valid)).toEqual([]);
    expect(
      validatePagerDutyEvent({ routing_key: KEY, event_action: 'resolve', dedup_key: 'x' }),
    ).toEqual([]);
  });

  it('reports every problem without quoting the routing key', () => {
    const badKey = 'short-key-that-is-secret';
    const errors = validatePagerDutyEvent({
      routing_key: badKey,
      event_action: 'trigger',
      dedup_key: 'd'.repeat(256),
      payload: { summary: ' ', severity: 'CRITICAL', timestamp: 'nope' },
      links: [{ text: 'no href' }],
    });
    expect(errors).toEqual([
      'routing_key must be 32 letters or digits (got 24 characters)',
      'dedup_key must be at most 255 characters (got 256)',
      'payload.summary is required and must not be blank',
      'payload.source is required and must not be blank',
      'payload.severity must be one of critical, error, warning, info',
      'payload.timestamp must be an ISO 8601 date-time',
      'links[0].href is required',
    ]);
    expect(errors.join(' ')).not.toContain(badKey);
  });

  it('requires a dedup key for acknowledge and resolve', () => {
    expect(validatePagerDutyEvent({ routing_key: KEY, event_action: 'acknowledge' })).toEqual([
      'dedup_key is required for acknowledge',
    ]);
  });

  it('rejects summaries over 1024 characters and events of 512 KB or more', () => {
    expect(
      validatePagerDutyEvent({
        ...valid,
        payload: { ...valid.payload, summary: 'a'.repeat(1025) },
      }),
    ).toEqual(['payload.summary must be at most 1024 characters (got 1025)']);
    const huge = {
      ...valid,
      payload: { ...valid.payload, custom_details: { blob: 'x'.repeat(524_288) } },
    };
    expect(validatePagerDutyEvent(huge)[0]).toMatch(/bytes; PagerDuty accepts less than 524288/);
  });
});
