export { SEVERITIES, compareSeverity, isSeverity, meetsFloor } from './severity';
export type { Severity } from './severity';
export { PAGERDUTY_SEVERITIES, toPagerDutySeverity } from './pagerduty-severity';
export type { PagerDutySeverity } from './pagerduty-severity';
