export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const SWEEP_EVERY_MS = 60_000;

/**
 * A token bucket per channel: refilled at `ratePerMinute`, holding at most `burst` tokens (by
 * default one minute's worth), so a channel may burst and then keeps to its rate while other
 * channels are unaffected. Full buckets are forgotten now and then, so memory follows the
 * channels that are busy, not every channel ever seen.
 */
export class ChannelRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private lastSweep: number;

  constructor(
    ratePerMinute: number,
    private readonly burst: number = ratePerMinute,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(ratePerMinute > 0) || !(burst >= 1)) {
      throw new RangeError('rate per minute must be positive and burst at least 1');
    }
    this.perMs = ratePerMinute / 60_000;
    this.lastSweep = clock();
  }

  take(channelId: string): RateDecision {
    const now = this.clock();
    this.sweep(now);
    const bucket = this.buckets.get(channelId) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = this.refilled(bucket, now);
    bucket.updatedAt = now;
    this.buckets.set(channelId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = (1 - bucket.tokens) / this.perMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Buckets currently held (for tests and the curious). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket, now: number): number {
    const elapsed = Math.max(0, now - bucket.updatedAt);
    return Math.min(this.burst, bucket.tokens + elapsed * this.perMs);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [channelId, bucket] of this.buckets) {
      if (this.refilled(bucket, now) >= this.burst) this.buckets.delete(channelId);
    }
  }
}
