export const INCIDENT_SYNC_EVENT_TYPES = ['incident.acknowledged', 'incident.resolved'] as const;
export type IncidentSyncEventType = (typeof INCIDENT_SYNC_EVENT_TYPES)[number];

export const INCIDENT_SYNC_SOURCES = ['pagerduty'] as const;
export type IncidentSyncSource = (typeof INCIDENT_SYNC_SOURCES)[number];
