import { isWithinQuietHours, localMinutes } from './quiet-hours';

describe('quiet hours', () => {
  const berlinNights = { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' };

  it.each([
    ['2026-12-04T20:59:00Z', false], // 21:59 in Berlin (CET, UTC+1)
    ['2026-12-04T21:00:00Z', true], // 22:00
    ['2026-12-05T02:30:00Z', true], // 03:30, after midnight
    ['2026-12-05T05:59:00Z', true], // 06:59
    ['2026-12-05T06:00:00Z', false], // 07:00: the window is [start, end)
  ])('a window across midnight: %s → %s', (at, expected) => {
    expect(isWithinQuietHours(new Date(at), berlinNights)).toBe(expected);
  });

  it('follows daylight saving: 22:00 Berlin is 20:00 UTC in summer and 21:00 UTC in winter', () => {
    expect(isWithinQuietHours(new Date('2026-07-01T20:00:00Z'), berlinNights)).toBe(true);
    expect(isWithinQuietHours(new Date('2026-12-01T20:00:00Z'), berlinNights)).toBe(false);
  });

  it('is right on both sides of the spring-forward night (Europe/Berlin, 2026-03-29)', () => {
    const morning = { start: '01:00', end: '04:00', timezone: 'Europe/Berlin' };
    // 00:30 UTC = 01:30 CET (quiet); 01:30 UTC = 03:30 CEST (quiet); 02:00 UTC = 04:00 CEST (not).
    expect(isWithinQuietHours(new Date('2026-03-29T00:30:00Z'), morning)).toBe(true);
    expect(isWithinQuietHours(new Date('2026-03-29T01:30:00Z'), morning)).toBe(true);
    expect(isWithinQuietHours(new Date('2026-03-29T02:00:00Z'), morning)).toBe(false);
    expect(localMinutes(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(3 * 60);
  });

  it('is right on the fall-back night (America/New_York, 2026-11-01), when 01:30 happens twice', () => {
    const window = { start: '01:00', end: '02:00', timezone: 'America/New_York' };
    expect(isWithinQuietHours(new Date('2026-11-01T05:30:00Z'), window)).toBe(true); // 01:30 EDT
    expect(isWithinQuietHours(new Date('2026-11-01T06:30:00Z'), window)).toBe(true); // 01:30 EST
    expect(isWithinQuietHours(new Date('2026-11-01T07:00:00Z'), window)).toBe(false); // 02:00 EST
  });

  it('a daytime window does not wrap', () => {
    const lunch = { start: '12:00', end: '13:00', timezone: 'UTC' };
    expect(isWithinQuietHours(new Date('2026-12-04T12:30:00Z'), lunch)).toBe(true);
    expect(isWithinQuietHours(new Date('2026-12-04T23:30:00Z'), lunch)).toBe(false);
  });

  it('no window, or an empty one, is never quiet', () => {
    expect(isWithinQuietHours(new Date(), null)).toBe(false);
    expect(isWithinQuietHours(new Date(), { start: '05:00', end: '05:00', timezone: 'UTC' })).toBe(
      false,
    );
  });
});
