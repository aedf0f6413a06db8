const WINDOW_MS = 60_000;

/** At most `limit` admissions per key in any rolling 60-second window. */
export class RollingWindowRateLimiter {
  private readonly windows = new Map<string, number[]>();

  constructor(private readonly limit: number) {}

  tryAcquire(key: string, now: number): boolean {
    const window = (this.windows.get(key) ?? []).filter((at) => at > now - WINDOW_MS);
    if (window.length >= this.limit) {
      this.windows.set(key, window);
      return false;
    }
    window.push(now);
    this.windows.set(key, window);
    return true;
  }

  reset(): void {
    this.windows.clear();
  }
}
