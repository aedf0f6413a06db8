import { ChannelRateLimiter } from './channel-rate-limiter';

describe('ChannelRateLimiter', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows a burst of one minute of requests, then refuses with Retry-After', () => {
    const sut = new ChannelRateLimiter(60, 60, clock);

    const decisions = Array.from({ length: 61 }, () => sut.take('ch-1'));

    expect(decisions.slice(0, 60).every((d) => d.allowed)).toBe(true);
    expect(decisions[60]).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the configured rate', () => {
    const sut = new ChannelRateLimiter(6, 6, clock);
    for (let i = 0; i < 6; i++) sut.take('ch-1');

    expect(sut.take('ch-1')).toEqual({ allowed: false, retryAfterSeconds: 10 });
    now += 9_999;
    expect(sut.take('ch-1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1;
    expect(sut.take('ch-1')).toEqual({ allowed: true });
    expect(sut.take('ch-1').allowed).toBe(false);
  });

  it('never holds more than the burst, however long a channel was idle', () => {
    const sut = new ChannelRateLimiter(60, 2, clock);
    sut.take('ch-1');
    now += 3_600_000;

    expect([sut.take('ch-1'), sut.take('ch-1'), sut.take('ch-1')].map((d) => d.allowed)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('keeps channels apart: one busy channel never delays another', () => {
    const sut = new ChannelRateLimiter(1, 1, clock);

    expect(sut.take('busy').allowed).toBe(true);
    expect(sut.take('busy').allowed).toBe(false);
    expect(sut.take('quiet').allowed).toBe(true);
  });

  it('forgets full buckets, so memory follows busy channels only', () => {
    const sut = new ChannelRateLimiter(60, 60, clock);
    for (let i = 0; i < 100; i++) sut.take(`ch-${i}`);
    expect(sut.size).toBe(100);

    now += 61_000;
    sut.take('ch-new');

    expect(sut.size).toBe(1);
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new ChannelRateLimiter(0)).toThrow(RangeError);
  });
});
