import { isIsoTimestamp } from './is-iso-timestamp.decorator';

describe('isIsoTimestamp', () => {
  it.each([
    '2026-12-04T10:00:00Z',
    '2026-12-04T10:00:00.123Z',
    '2026-12-04T10:00:00+01:00',
    '2026-12-04T10:00Z',
    '2024-02-29T00:00:00-05:00',
  ])('accepts %s', (value) => {
    expect(isIsoTimestamp(value)).toBe(true);
  });

  it.each([
    '2026-12-04',
    '2026-12-04T10:00:00',
    '2026-12-04 10:00:00Z',
    '2026-02-30T10:00:00Z',
    '2026-12-04T24:00:00Z',
    '20261204T100000Z',
    'yesterday',
    '',
    1764842400000,
    null,
  ])('rejects %p', (value) => {
    expect(isIsoTimestamp(value)).toBe(false);
  });
});
