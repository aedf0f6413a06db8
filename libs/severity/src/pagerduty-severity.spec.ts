import { SEVERITIES, type Severity } from './severity';
import {
  PAGERDUTY_SEVERITIES,
  type PagerDutySeverity,
  toPagerDutySeverity,
} from './pagerduty-severity';

describe('toPagerDutySeverity', () => {
  it.each<[Severity, PagerDutySeverity]>([
    ['critical', 'critical'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'info'],
  ])('maps %s to %s', (severity, expected) => {
    expect(toPagerDutySeverity(severity)).toBe(expected);
  });

  it('lists exactly the values the Events API v2 accepts', () => {
    expect([...PAGERDUTY_SEVERITIES].sort()).toEqual(['critical', 'error', 'info', 'warning']);
  });

  it('maps every severity to a distinct PagerDuty severity', () => {
    const mapped = SEVERITIES.map(toPagerDutySeverity);
    expect(new Set(mapped).size).toBe(SEVERITIES.length);
    for (const value of mapped) {
      expect(PAGERDUTY_SEVERITIES).toContain(value);
    }
  });

  it('preserves order: a more severe AxioRank level never maps to a less severe PagerDuty one', () => {
    // PAGERDUTY_SEVERITIES is most severe first.
    const pdRank = (s: PagerDutySeverity): number => -PAGERDUTY_SEVERITIES.indexOf(s);
    const ranks = SEVERITIES.map((s) => pdRank(toPagerDutySeverity(s)));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('throws rather than sending an unknown value that slipped past the types', () => {
    expect(() => toPagerDutySeverity('urgent' as Severity)).toThrow(TypeError);
  });
});
