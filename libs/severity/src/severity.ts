/**
 * AxioRank severities, lowest first. The array order is the severity order, so
 * comparisons use the index and adding a level means inserting it in place.
 */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export type Severity = (typeof SEVERITIES)[number];

const RANK: Readonly<Record<Severity, number>> = {
  low: 0,
  medium: 1,
  high: 2,
  critical: 3,
};

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** Negative when `a` is less severe than `b`, zero when equal, positive when more severe. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b];
}

/** True when `severity` is at or above `floor` (a channel's severity floor). */
export function meetsFloor(severity: Severity, floor: Severity): boolean {
  return compareSeverity(severity, floor) >= 0;
}
