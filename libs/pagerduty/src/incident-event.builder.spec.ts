import { DedupKeyTooLongError } from './dedup-key-too-long.error';
import { EventTooLargeError } from './event-too-large.error';
import { validatePagerDutyEvent } from './event.validator';
import {
  buildIncidentEvent,
  pagerDutyEventByteLength,
  type IncidentEventInput,
} from './incident-event.builder';
import { InvalidEventInputError } from './invalid-event-input.error';
import { PAGERDUTY_LIMITS } from './pagerduty-limits';

const ROUTING_KEY = 'R0UTINGKEY0123456789abcdefABCDEF';

function input(overrides: Partial<IncidentEventInput> = {}): IncidentEventInput {
  return {
    action: 'trigger',
    routingKey: ROUTING_KEY,
    dedupKey: 'inc_1',
    summary: 'Agent exfiltrating CRM records',
    severity: 'critical',
    ...overrides,
  };
}

describe('buildIncidentEvent', () => {
  it('builds a trigger with the payload, top-level links and client fields', () => {
    const event = buildIncidentEvent(
      input({
        customDetails: { correlated_alert_count: 17 },
        links: [{ href: 'https://app.axiorank.test/i/1', text: 'Open in AxioRank' }],
        images: [{ src: 'https://img.test/chart.png', alt: 'chart' }],
        client: 'AxioRank',
        clientUrl: 'https://app.axiorank.test/i/1',
        timestamp: '2026-12-04T10:00:00Z',
      }),
    );

    expect(event).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'inc_1',
      payload: {
        summary: 'Agent exfiltrating CRM records',
        source: 'AxioRank',
        severity: 'critical',
        timestamp: '2026-12-04T10:00:00.000Z',
        custom_details: { correlated_alert_count: 17 },
      },
      links: [{ href: 'https://app.axiorank.test/i/1', text: 'Open in AxioRank' }],
      images: [{ src: 'https://img.test/chart.png', alt: 'chart' }],
      client: 'AxioRank',
      client_url: 'https://app.axiorank.test/i/1',
    });
    expect(event.payload).not.toHaveProperty('links');
    expect(event.payload).not.toHaveProperty('images');
    expect(validatePagerDutyEvent(event)).toEqual([]);
  });

  it.each(['acknowledge', 'resolve'] as const)(
    'sends the same payload on %s but no client fields',
    (action) => {
      const common = {
        customDetails: { workspace_id: 'ws_1' },
        links: [{ href: 'https://app.axiorank.test/i/1' }],
        client: 'AxioRank',
        clientUrl: 'https://app.axiorank.test/i/1',
      };
      const trigger = buildIncidentEvent(input(common));
      const later = buildIncidentEvent(input({ ...common, action }));

      expect(later.event_action).toBe(action);
      expect(later.payload).toEqual(trigger.payload);
      expect(later.links).toEqual(trigger.links);
      expect(later).not.toHaveProperty('client');
      expect(later).not.toHaveProperty('client_url');
    },
  );

  describe('summary', () => {
    it('is trimmed', () => {
      expect(buildIncidentEvent(input({ summary: '  hello \n' })).payload?.summary).toBe('hello');
    });

    it.each(['', '   ', '\n\t'])('falls back to the dedup key when blank (%j)', (summary) => {
      expect(buildIncidentEvent(input({ summary })).payload?.summary).toBe(
        'AxioRank incident inc_1',
      );
    });

    it('keeps exactly 1024 characters untouched', () => {
      const summary = 'a'.repeat(1024);
      expect(buildIncidentEvent(input({ summary })).payload?.summary).toBe(summary);
    });

    it('cuts longer summaries to 1024 characters ending in the marker', () => {
      const summary = buildIncidentEvent(input({ summary: 'b'.repeat(5000) })).payload
        ?.summary as string;
      expect(summary).toHaveLength(PAGERDUTY_LIMITS.summaryMaxLength);
      expect(summary.endsWith('…')).toBe(true);
      expect(summary.startsWith('bbbb')).toBe(true);
    });

    it('never splits a surrogate pair when cutting', () => {
      const summary = buildIncidentEvent(input({ summary: '😀'.repeat(1000) })).payload
        ?.summary as string;
      expect(summary.length).toBeLessThanOrEqual(1024);
      expect(summary).toBe(summary.normalize());
      expect(() => encodeURIComponent(summary)).not.toThrow();
    });
  });

  describe('dedup_key', () => {
    it('accepts 255 characters', () => {
      const dedupKey = 'k'.repeat(255);
      expect(buildIncidentEvent(input({ dedupKey })).dedup_key).toBe(dedupKey);
    });

    it('rejects 256 characters with a typed error instead of truncating', () => {
      const attempt = (): unknown => buildIncidentEvent(input({ dedupKey: 'k'.repeat(256) }));
      expect(attempt).toThrow(DedupKeyTooLongError);
      expect(attempt).toThrow(InvalidEventInputError);
      expect(attempt).toThrow(/256 characters/);
    });

    it('rejects a blank key', () => {
      expect(() => buildIncidentEvent(input({ dedupKey: ' ' }))).toThrow(
        expect.objectContaining({ code: 'dedup_key_missing' }),
      );
    });
  });

  it('rejects an unknown severity or action without echoing the routing key', () => {
    const bad = (): unknown =>
      buildIncidentEvent(input({ severity: 'Critical' as unknown as 'critical' }));
    expect(bad).toThrow(expect.objectContaining({ code: 'severity_invalid' }));
    try {
      bad();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(ROUTING_KEY);
    }
    expect(() => buildIncidentEvent(input({ action: 'close' as unknown as 'trigger' }))).toThrow(
      expect.objectContaining({ code: 'event_action_invalid' }),
    );
  });

  it('leaves out an unparseable timestamp rather than risking a 400', () => {
    expect(buildIncidentEvent(input({ timestamp: 'yesterday' })).payload).not.toHaveProperty(
      'timestamp',
    );
  });

  describe('size limit', () => {
    it('shrinks a 2 MB list of actions below 512 KB and marks it', () => {
      const recommendedActions = Array.from(
        { length: 20_000 },
        (_, i) => `Action ${i}: ${'x'.repeat(100)}`,
      );
      expect(JSON.stringify(recommendedActions).length).toBeGreaterThan(2_000_000);

      const event = buildIncidentEvent(
        input({ customDetails: { correlated_alert_count: 3, recommendedActions } }),
      );

      expect(pagerDutyEventByteLength(event)).toBeLessThan(PAGERDUTY_LIMITS.eventMaxBytes);
      const details = event.payload?.custom_details as Record<string, unknown>;
      expect(details._truncated).toEqual(['recommendedActions']);
      expect(details.correlated_alert_count).toBe(3);
      const kept = details.recommendedActions as string[];
      expect(kept.length).toBeGreaterThan(0);
      expect(kept[0]).toBe(recommendedActions[0]);
    });

    it('cuts one huge string value and keeps the small ones whole', () => {
      const event = buildIncidentEvent(
        input({ customDetails: { blob: 'z'.repeat(1_000_000), small: 'ok' } }),
      );
      const details = event.payload?.custom_details as Record<string, unknown>;
      expect(pagerDutyEventByteLength(event)).toBeLessThan(PAGERDUTY_LIMITS.eventMaxBytes);
      expect(details.small).toBe('ok');
      expect((details.blob as string).endsWith('…')).toBe(true);
      expect(details._truncated).toEqual(['blob']);
    });

    it('falls back to a stub of small scalars when nesting defeats progressive cuts', () => {
      const wide = Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [
          `k${i}`,
          Object.fromEntries(
            Array.from({ length: 10 }, (_, j) => [
              `${j}${'\u0001'.repeat(64)}`,
              Object.fromEntries(
                Array.from({ length: 10 }, (_, l) => [
                  `${l}${'\u0002'.repeat(64)}`,
                  '\u0003'.repeat(64),
                ]),
              ),
            ]),
          ),
        ]),
      );
      const event = buildIncidentEvent(input({ customDetails: { count: 1, ...wide } }));
      expect(pagerDutyEventByteLength(event)).toBeLessThan(PAGERDUTY_LIMITS.eventMaxBytes);
      expect(event.payload?.custom_details).toEqual({
        count: 1,
        _truncated: Object.keys(wide),
      });
    });

    it('keeps details whole when they fit, and leaves them unmarked', () => {
      const details = { a: [1, 2, 3], b: { c: 'd' } };
      const event = buildIncidentEvent(input({ customDetails: details }));
      expect(event.payload?.custom_details).toEqual(details);
    });

    it('makes odd values JSON-safe instead of throwing', () => {
      const circular: Record<string, unknown> = { name: 'loop' };
      circular.self = circular;
      const event = buildIncidentEvent(
        input({
          customDetails: {
            big: 10n,
            when: new Date('2026-01-01T00:00:00Z'),
            circular,
            gone: undefined,
            nan: Number.NaN,
          },
        }),
      );
      expect(event.payload?.custom_details).toEqual({
        big: '10',
        when: '2026-01-01T00:00:00.000Z',
        circular: { name: 'loop', self: '[circular]' },
        nan: null,
        _truncated: ['circular'],
      });
      expect(() => JSON.stringify(event)).not.toThrow();
    });

    it('throws a typed error when fields other than details exceed the limit', () => {
      expect(() =>
        buildIncidentEvent(input({ component: 'c'.repeat(600_000), customDetails: { a: 1 } })),
      ).toThrow(EventTooLargeError);
    });
  });
});
