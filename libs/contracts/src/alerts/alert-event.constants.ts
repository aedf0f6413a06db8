export const ALERT_EVENT_TYPES = ['alert.raised'] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

export const MIN_RISK_SCORE = 0;
export const MAX_RISK_SCORE = 100;
