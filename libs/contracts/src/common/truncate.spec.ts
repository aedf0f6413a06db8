import fc from 'fast-check';
import { truncate } from './truncate';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('truncate', () => {
  it('leaves short text alone', () => {
    expect(truncate('short', 10)).toBe('short');
  });

  it('ends cut text with an ellipsis within the limit', () => {
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
  });

  it('never splits a surrogate pair', () => {
    expect(truncate('ab😀cd', 4)).toBe('ab…');
  });

  it('always fits and keeps well-formed text well-formed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 2, max: 50 }), (text, max) => {
        const sut = truncate(text, max);
        expect(sut.length).toBeLessThanOrEqual(max);
        expect(sut).not.toMatch(LONE_SURROGATE);
      }),
    );
  });
});
