import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const options = { baseMs: 1000, maxMs: 60_000 };

  it('doubles per attempt, within [half, full] of the step', () => {
    expect(retryDelayMs(1, options, () => 0)).toBe(500);
    expect(retryDelayMs(1, options, () => 1)).toBe(1000);
    expect(retryDelayMs(4, options, () => 1)).toBe(8000);
  });

  it('is capped', () => {
    expect(retryDelayMs(40, options, () => 1)).toBe(60_000);
    expect(retryDelayMs(40, options, () => 0)).toBe(30_000);
  });

  it("honours PagerDuty's Retry-After as a floor", () => {
    expect(retryDelayMs(1, { ...options, retryAfterMs: 20_000 }, () => 0)).toBe(20_000);
  });
});
