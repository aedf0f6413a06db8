import { randomUUID } from 'node:crypto';
import type { IncidentEventV1 } from '../incidents/incident-event.v1';
import type { DeepPartial } from './deep-partial';
import { mergeOverrides } from './merge-overrides';
import { nowIso, randomSuffix } from './random-values';

/** A valid `axiorank.incidents.v1` value (a plain object) with fresh ids. */
export function makeIncidentEvent(overrides: DeepPartial<IncidentEventV1> = {}): IncidentEventV1 {
  const base: IncidentEventV1 = {
    eventId: randomUUID(),
    type: 'incident.opened',
    occurredAt: nowIso(),
    workspaceId: `ws_${randomSuffix()}`,
    incident: {
      id: `inc_${randomSuffix()}`,
      title: 'Agent exfiltrating CRM records',
      severity: 'critical',
      status: 'open',
      alertCount: 17,
      blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
      recommendedActions: ["Revoke the agent's token", 'Block tool crm.export'],
    },
  };
  if (overrides.type === 'incident.resolved') {
    base.incident.status = 'resolved';
    base.resolution = { reason: 'manual' };
  }
  return mergeOverrides(base, overrides);
}
