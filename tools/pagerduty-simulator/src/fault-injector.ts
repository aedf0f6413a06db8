import type { FaultSettings } from './simulator.types';

export type FaultDecision =
  | { kind: 'hang' }
  | { kind: 'fail'; status: number; retryAfterSeconds: number | null }
  | { kind: 'none'; latencyMs: number };

const NO_FAULTS: FaultSettings = {
  failNext: 0,
  status: 500,
  latencyMs: 0,
  hangNext: 0,
  retryAfterSeconds: null,
};

/** Faults for the enqueue endpoints: hang first, then fail, then (persistent) latency. */
export class FaultInjector {
  private settings: FaultSettings = { ...NO_FAULTS };

  update(changes: Partial<FaultSettings>): FaultSettings {
    this.settings = { ...this.settings, ...changes };
    return this.current();
  }

  clear(): void {
    this.settings = { ...NO_FAULTS };
  }

  isInactive(): boolean {
    const { failNext, hangNext, latencyMs } = this.settings;
    return failNext === 0 && hangNext === 0 && latencyMs === 0;
  }

  current(): FaultSettings {
    return { ...this.settings };
  }

  /** Consumes one hang or failure if any is pending. */
  next(): FaultDecision {
    if (this.settings.hangNext > 0) {
      this.settings.hangNext -= 1;
      return { kind: 'hang' };
    }
    if (this.settings.failNext > 0) {
      this.settings.failNext -= 1;
      return {
        kind: 'fail',
        status: this.settings.status,
        retryAfterSeconds: this.settings.retryAfterSeconds,
      };
    }
    return { kind: 'none', latencyMs: this.settings.latencyMs };
  }
}
