import type { Severity } from './severity';

/** The only severity values PagerDuty Events API v2 accepts (lowercase, exactly). */
export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

/**
 * Exhaustive by construction: a new `Severity` without a case here fails to
 * compile (the `never` assignment) and fails lint (switch-exhaustiveness-check).
 */
export function toPagerDutySeverity(severity: Severity): PagerDutySeverity {
  switch (severity) {
    case 'critical':
      return 'critical';
    case 'high':
      return 'error';
    case 'medium':
      return 'warning';
    case 'low':
      return 'info';
    default: {
      const unreachable: never = severity;
      throw new TypeError(`Unknown AxioRank severity: ${String(unreachable)}`);
    }
  }
}
