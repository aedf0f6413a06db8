import { randomUUID } from 'node:crypto';
import {
  TOPICS,
  parseMessage,
  type IncidentEventType,
  type IncidentEventV1,
  type ResolutionReason,
} from '@app/contracts';
import { IncidentCommandError } from './incident-command-error';
import type { IncidentDetails } from './incident-record';
import type { IncidentStatus } from './incident-state-machine';

export interface IncidentEventInput {
  type: IncidentEventType;
  workspaceId: string;
  details: IncidentDetails;
  status: IncidentStatus;
  occurredAt: Date;
  resolutionReason?: ResolutionReason;
}

/**
 * Builds a lifecycle event with a fresh event id and validates it through the
 * contract exactly as a consumer will, so nothing invalid is ever produced.
 * An event the contract rejects is the caller's input at fault (say, a title
 * over the limit), hence an `invalid` command error naming the field.
 */
export function buildIncidentEvent(input: IncidentEventInput): IncidentEventV1 {
  const value = {
    eventId: randomUUID(),
    type: input.type,
    occurredAt: input.occurredAt.toISOString(),
    workspaceId: input.workspaceId,
    incident: { ...input.details, status: input.status },
    ...(input.resolutionReason === undefined
      ? {}
      : { resolution: { reason: input.resolutionReason } }),
  };
  const parsed = parseMessage(TOPICS.incidents, JSON.stringify(value));
  if (!parsed.ok) throw new IncidentCommandError('invalid', parsed.reason);
  if (parsed.tombstone === true) throw new Error('an incident event cannot be a tombstone');
  return parsed.message;
}
