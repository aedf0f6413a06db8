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
    clock += 2000;
    // The token of second 1 went to the reservation above; second 2's is free.
    expect(buckets.take('k')).toBe(0);
    expect(buckets.take('k')).toBe(1000);
  });

  it('hands a flooded key’s backlog one slot per second, in order, each reserved once', () => {
    const buckets = sut();
    for (let i = 0; i < 60; i++) buckets.take('k');
    const waits = Array.from({ length: 5 }, () => buckets.take('k'));
    expect(waits).toEqual([1000, 2000, 3000, 4000, 5000]);
    // A newcomer queues behind the reservations instead of stealing a slot.
    clock += 1000;
    expect(buckets.take('k')).toBe(5000);
  });

  it('never lets more than 120 through in any 60 seconds, reservations included', () => {
    const buckets = sut();
    const sent: number[] = [];
    // A flood of 10 requests every 50 ms: each is sent now or at the slot it reserved.
    for (let t = 0; t < 180_000; t += 50) {
      clock = 1_000_000 + t;
      for (let i = 0; i < 10; i++) sent.push(clock + buckets.take('k'));
    }
    sent.sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0, j = 0; i < sent.length; i++) {
      while (sent[j] < sent[i] - 59_999) j++;
      worst = Math.max(worst, i - j + 1);
    }
    expect(worst).toBeLessThanOrEqual(120);
    // …and the flooded key still gets its whole allowance (rounding up to whole ms costs one).
    expect(worst).toBeGreaterThanOrEqual(119);
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
