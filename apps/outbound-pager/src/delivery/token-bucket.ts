export interface TokenBucketOptions {
  /** Most events in any 60 seconds (PagerDuty's documented ~120 per routing key). */
  ratePerMinute: number;
  /** Most tokens held at once; must be below `ratePerMinute`. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * One token bucket per routing key (keyed by a digest, never the key itself). A full bucket
 * holds `burst` tokens and refills at (ratePerMinute − burst) a minute, so no 60-second window
 * ever passes more than `ratePerMinute` (defaults: burst 60, one a second, 120 a minute).
 *
 * `take` never waits. Without a free token it *reserves* the next one not yet promised (the
 * bucket goes into debt) and answers when that token will exist: the caller defers the job to
 * exactly that moment and then sends without taking again. A flooded key's backlog is thus
 * handed out one slot per refill interval, each job claimed once more at its own slot, instead
 * of the whole backlog waking up every second to fight for one token; and one busy key never
 * delays another.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(options.burst >= 1 && options.burst < options.ratePerMinute)) {
      throw new RangeError('the burst must be at least 1 and below the rate per minute');
    }
    this.perMs = (options.ratePerMinute - options.burst) / 60000;
  }

  /**
   * Takes a free token and returns 0; or reserves the next token and returns the milliseconds
   * until it exists (the caller must then send at that time without calling `take` again).
   */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.options.burst, updatedAt: now };
    bucket.tokens = Math.min(
      this.options.burst,
      bucket.tokens + (now - bucket.updatedAt) * this.perMs,
    );
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    const free = bucket.tokens >= 1;
    bucket.tokens -= 1;
    return free ? 0 : Math.ceil(-bucket.tokens / this.perMs);
  }

  /** Forgets buckets that refilled completely, so memory stays bounded by the active keys. */
  prune(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.perMs >= this.options.burst) {
        this.buckets.delete(key);
      }
    }
  }
}
