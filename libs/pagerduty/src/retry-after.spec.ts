import { parseRetryAfter } from './retry-after';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-04T10:00:00Z');

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['soon', undefined],
    ['0', 0],
    ['30', 30_000],
    [['7', '9'], 7_000],
    ['Fri, 04 Dec 2026 10:00:05 GMT', 5_000],
    ['Fri, 04 Dec 2026 09:00:00 GMT', 0],
  ])('%j → %j', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
