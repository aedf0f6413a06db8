export const INCIDENT_EVENT_TYPES = [
  'incident.opened',
  'incident.updated',
  'incident.acknowledged',
  'incident.resolved',
] as const;
export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

export const RESOLUTION_REASONS = ['manual', 'auto_stale', 'pagerduty'] as const;
export type ResolutionReason = (typeof RESOLUTION_REASONS)[number];
