import { randomUUID } from 'node:crypto';
import type { IncidentSyncEventV1 } from '../incident-sync/incident-sync-event.v1';
import type { DeepPartial } from './deep-partial';
import { mergeOverrides } from './merge-overrides';
import { nowIso, randomSuffix } from './random-values';

/** A valid `axiorank.incident-sync.v1` value (a plain object) with fresh ids. */
export function makeIncidentSyncEvent(
  overrides: DeepPartial<IncidentSyncEventV1> = {},
): IncidentSyncEventV1 {
  const pagerdutyIncidentId = `Q${randomSuffix().toUpperCase()}`;
  const base: IncidentSyncEventV1 = {
    eventId: randomUUID(),
    type: 'incident.acknowledged',
    occurredAt: nowIso(),
    workspaceId: `ws_${randomSuffix()}`,
    incidentId: `inc_${randomSuffix()}`,
    channelId: randomUUID(),
    source: 'pagerduty',
    pagerduty: {
      eventId: randomUUID(),
      incidentId: pagerdutyIncidentId,
      incidentNumber: 42,
      htmlUrl: `https://acme.pagerduty.com/incidents/${pagerdutyIncidentId}`,
    },
    actor: { id: `P${randomSuffix().toUpperCase()}`, name: 'Jane Doe', type: 'user_reference' },
  };
  return mergeOverrides(base, overrides);
}
