import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  let clock = 0;
  const sut = () => new TokenBuckets({ ratePerMinute: 120, burst: 60 }, () => clock);
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('allows a burst of 60 at once, then one a second', () => {
    const buckets = sut();
    for (let i = 0; i < 60; i++) expect(buckets.take('k')).toBe(0);
    expect(buckets.take('k')).toBe(1000);
    clock += 1000;
    expect(buckets.take('k')).toBe(0);
  });

  it('never lets more than 120 through in any 60 seconds', () => {
    const buckets = sut();
    const sent: number[] = [];
    for (let t = 0; t < 180_000; t += 50) {
      clock = 1_000_000 + t;
      while (buckets.take('k') === 0) sent.push(clock);
    }
    for (let i = 0; i < sent.length; i++) {
      const inWindow = sent.filter((s) => s >= sent[i] && s < sent[i] + 60_000).length;
      expect(inWindow).toBeLessThanOrEqual(120);
    }
  });

  it('keeps keys apart: an exhausted key does not slow another', () => {
    const buckets = sut();
    for (let i = 0; i < 60; i++) buckets.take('busy');
    expect(buckets.take('busy')).toBeGreaterThan(0);
    expect(buckets.take('quiet')).toBe(0);
  });

  it('refuses a burst that is not below the rate', () => {
    expect(() => new TokenBuckets({ ratePerMinute: 60, burst: 60 })).toThrow(RangeError);
  });

  it('prunes full buckets', () => {
    const buckets = sut();
    buckets.take('k');
    clock += 60_000;
    buckets.prune();
    for (let i = 0; i < 60; i++) expect(buckets.take('k')).toBe(0);
  });
});
