import fc from 'fast-check';
import { SEVERITIES, type Severity, compareSeverity, isSeverity, meetsFloor } from './severity';

describe('severity order', () => {
  it('lists severities lowest first', () => {
    expect(SEVERITIES).toEqual(['low', 'medium', 'high', 'critical']);
  });

  it.each<[Severity, Severity]>([
    ['low', 'medium'],
    ['medium', 'high'],
    ['high', 'critical'],
    ['low', 'critical'],
  ])('ranks %s below %s', (lower, higher) => {
    expect(compareSeverity(lower, higher)).toBeLessThan(0);
    expect(compareSeverity(higher, lower)).toBeGreaterThan(0);
  });

  it.each(SEVERITIES.map((s) => [s]))('compares %s equal to itself', (s) => {
    expect(compareSeverity(s, s)).toBe(0);
  });

  it('sorts with compareSeverity into the declared order', () => {
    const shuffled: Severity[] = ['critical', 'low', 'high', 'medium', 'low'];
    expect([...shuffled].sort(compareSeverity)).toEqual([
      'low',
      'low',
      'medium',
      'high',
      'critical',
    ]);
  });

  it('is antisymmetric and transitive', () => {
    const severity = fc.constantFrom(...SEVERITIES);
    fc.assert(
      fc.property(severity, severity, severity, (a, b, c) => {
        expect(Math.sign(compareSeverity(a, b)) + Math.sign(compareSeverity(b, a))).toBe(0);
        if (compareSeverity(a, b) <= 0 && compareSeverity(b, c) <= 0) {
          expect(compareSeverity(a, c)).toBeLessThanOrEqual(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('meetsFloor', () => {
  // Every (severity, floor) pair, written out so the table is the specification.
  const table: ReadonlyArray<[Severity, Severity, boolean]> = [
    ['low', 'low', true],
    ['low', 'medium', false],
    ['low', 'high', false],
    ['low', 'critical', false],
    ['medium', 'low', true],
    ['medium', 'medium', true],
    ['medium', 'high', false],
    ['medium', 'critical', false],
    ['high', 'low', true],
    ['high', 'medium', true],
    ['high', 'high', true],
    ['high', 'critical', false],
    ['critical', 'low', true],
    ['critical', 'medium', true],
    ['critical', 'high', true],
    ['critical', 'critical', true],
  ];

  it('covers all 16 pairs', () => {
    expect(table).toHaveLength(SEVERITIES.length ** 2);
    expect(new Set(table.map(([s, f]) => `${s}/${f}`)).size).toBe(16);
  });

  it.each(table)('severity %s with floor %s → %s', (severity, floor, expected) => {
    expect(meetsFloor(severity, floor)).toBe(expected);
  });
});

describe('isSeverity', () => {
  it.each(SEVERITIES.map((s) => [s]))('accepts %s', (s) => {
    expect(isSeverity(s)).toBe(true);
  });

  it.each([
    'LOW',
    'Critical',
    ' high',
    'high ',
    'error',
    'warning',
    'info',
    'urgent',
    '',
    'toString',
    'constructor',
    '__proto__',
  ])('rejects the string %j', (value) => {
    expect(isSeverity(value)).toBe(false);
  });

  it.each([undefined, null, 0, 3, true, {}, [], ['low'], { toString: () => 'low' }])(
    'rejects the non-string %p',
    (value) => {
      expect(isSeverity(value)).toBe(false);
    },
  );

  it('rejects every other string', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !(SEVERITIES as readonly string[]).includes(s)),
        (s) => !isSeverity(s),
      ),
      { numRuns: 200 },
    );
  });
});
