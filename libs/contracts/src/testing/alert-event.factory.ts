import { randomUUID } from 'node:crypto';
import type { AlertEventV1 } from '../alerts/alert-event.v1';
import type { DeepPartial } from './deep-partial';
import { mergeOverrides } from './merge-overrides';
import { nowIso, randomSuffix } from './random-values';

/** A valid `axiorank.alerts.v1` value (a plain object) with fresh ids. */
export function makeAlertEvent(overrides: DeepPartial<AlertEventV1> = {}): AlertEventV1 {
  const base: AlertEventV1 = {
    eventId: randomUUID(),
    type: 'alert.raised',
    occurredAt: nowIso(),
    workspaceId: `ws_${randomSuffix()}`,
    alert: {
      id: `alr_${randomSuffix()}`,
      title: 'support-bot exported 4,000 CRM records',
      severity: 'high',
      riskScore: 91,
      agent: { id: `agt_${randomSuffix()}`, name: 'support-bot' },
      tool: 'crm.export',
    },
  };
  return mergeOverrides(base, overrides);
}
