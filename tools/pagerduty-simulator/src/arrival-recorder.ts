import type { Region } from '@app/pagerduty';

export interface Arrival {
  at: number;
  action: string;
}

/** Counts accepted events and, per dedup key, when each arrived (all fast mode keeps). */
export class ArrivalRecorder {
  private total = 0;
  private readonly byRegion: Record<Region, number> = { us: 0, eu: 0 };
  private readonly byAction = new Map<string, number>();
  private readonly arrivals = new Map<string, Arrival[]>();

  record(region: Region, dedupKey: string, action: string, at: number): void {
    this.total += 1;
    this.byRegion[region] += 1;
    this.byAction.set(action, (this.byAction.get(action) ?? 0) + 1);
    const list = this.arrivals.get(dedupKey);
    if (list === undefined) {
      this.arrivals.set(dedupKey, [{ at, action }]);
    } else {
      list.push({ at, action });
    }
  }

  counters(): {
    total: number;
    byRegion: Record<Region, number>;
    byAction: Record<string, number>;
  } {
    return {
      total: this.total,
      byRegion: { ...this.byRegion },
      byAction: Object.fromEntries(this.byAction),
    };
  }

  arrivalsFor(dedupKey?: string): Record<string, Arrival[]> {
    if (dedupKey !== undefined) {
      return { [dedupKey]: [...(this.arrivals.get(dedupKey) ?? [])] };
    }
    return Object.fromEntries([...this.arrivals].map(([key, list]) => [key, [...list]]));
  }

  reset(): void {
    this.total = 0;
    this.byRegion.us = 0;
    this.byRegion.eu = 0;
    this.byAction.clear();
    this.arrivals.clear();
  }
}
