import fc from 'fast-check';
import { buildIncidentEvent, pagerDutyEventByteLength } from './incident-event.builder';
import { PAGERDUTY_LIMITS } from './pagerduty-limits';

const ROUTING_KEY = 'abcdefghijklmnopqrstuvwxyz012345';

/** Strings from tiny to a few megabytes, cheaply: a random piece repeated. */
const anySizeString = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc
    .tuple(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 400_000 }),
    )
    .map(([piece, times]) => piece.repeat(times)),
);

const details = fc.dictionary(
  fc.string({ maxLength: 20 }),
  fc.oneof(
    anySizeString,
    fc.array(anySizeString, { maxLength: 30 }),
    fc.jsonValue({ maxDepth: 4 }),
    fc
      .tuple(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 60_000 }))
      .map(([item, count]) => Array.from({ length: count }, () => item)),
  ),
  { maxKeys: 8 },
);

describe('buildIncidentEvent (properties)', () => {
  it('always serializes under 512 KB with a non-empty summary of at most 1024 characters', () => {
    fc.assert(
      fc.property(
        anySizeString,
        details,
        fc.constantFrom('trigger', 'acknowledge', 'resolve' as const),
        (title, customDetails, action) => {
          const event = buildIncidentEvent({
            action,
            routingKey: ROUTING_KEY,
            dedupKey: 'inc_prop',
            summary: title,
            severity: 'error',
            customDetails,
          });
          const summary = event.payload?.summary ?? '';
          expect(summary.trim().length).toBeGreaterThan(0);
          expect(summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summaryMaxLength);
          expect(pagerDutyEventByteLength(event)).toBeLessThan(PAGERDUTY_LIMITS.eventMaxBytes);
        },
      ),
      { numRuns: 150 },
    );
  });
});
