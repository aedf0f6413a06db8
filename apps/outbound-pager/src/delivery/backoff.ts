/**
 * Capped exponential backoff with jitter for the n-th failed attempt (1-based): a delay drawn
 * from [half, full] of min(max, base·2^(n-1)), so retries of many jobs spread out. PagerDuty's
 * Retry-After, when given, is a floor.
 */
export function retryDelayMs(
  attempt: number,
  options: { baseMs: number; maxMs: number; retryAfterMs?: number },
  random: () => number = Math.random,
): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const jittered = Math.round(exp / 2 + (random() * exp) / 2);
  return Math.max(jittered, options.retryAfterMs ?? 0);
}
