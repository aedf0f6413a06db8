import { RESOLUTION_REASONS } from '@app/contracts';
import { SEVERITIES, isSeverity, type Severity } from '@app/severity';
import { IncidentCommandError } from '../incident-command-error';
import type {
  LocalResolutionReason,
  OpenIncidentInput,
  SweepInput,
  UpdateIncidentInput,
} from '../incident-inputs';
import type { BlastRadius } from '../incident-record';
import { SYNC_OUTCOMES, type SyncOutcome } from '../sync-policy';

type Body = Record<string, unknown>;

const LOCAL_REASONS: readonly LocalResolutionReason[] = RESOLUTION_REASONS.filter(
  (reason): reason is LocalResolutionReason => reason !== 'pagerduty',
);

function invalid(message: string): IncidentCommandError {
  return new IncidentCommandError('invalid', message);
}

/** A JSON object body; an absent body counts as `{}`. */
export function asBody(value: unknown): Body {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('body must be a JSON object');
  }
  return value as Body;
}

function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(`${field} must be a non-empty string`);
  }
  return value;
}

function requiredString(body: Body, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined) throw invalid(`${field} is required`);
  return value;
}

function optionalCount(body: Body, field: string, path = field): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${path} must be a non-negative integer`);
  }
  return value;
}

function optionalSeverity(body: Body): Severity | undefined {
  const value = body.severity;
  if (value === undefined || value === null) return undefined;
  if (!isSeverity(value)) throw invalid(`severity must be one of: ${SEVERITIES.join(', ')}`);
  return value;
}

function optionalBlastRadius(body: Body): Partial<BlastRadius> | undefined {
  const value = body.blastRadius;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('blastRadius must be an object');
  }
  const radius = value as Body;
  return {
    agents: optionalCount(radius, 'agents', 'blastRadius.agents'),
    tools: optionalCount(radius, 'tools', 'blastRadius.tools'),
    users: optionalCount(radius, 'users', 'blastRadius.users'),
    summary: optionalString(radius, 'summary'),
  };
}

function optionalActions(body: Body): string[] | undefined {
  const value = body.recommendedActions;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalid('recommendedActions must be an array of strings');
  }
  return value;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** `POST /incidents`; the contract checks lengths and URLs when the event is built. */
export function parseOpenIncident(value: unknown): OpenIncidentInput {
  const body = asBody(value);
  const severity = optionalSeverity(body);
  if (severity === undefined) throw invalid('severity is required');
  return withoutUndefined({
    workspaceId: requiredString(body, 'workspaceId'),
    id: optionalString(body, 'id'),
    title: requiredString(body, 'title'),
    severity,
    alertCount: optionalCount(body, 'alertCount'),
    blastRadius: optionalBlastRadius(body),
    recommendedActions: optionalActions(body),
    url: optionalString(body, 'url'),
  });
}

/** `POST /incidents/:id/update`: at least one field to change. */
export function parseUpdateIncident(value: unknown): UpdateIncidentInput {
  const body = asBody(value);
  const changes = withoutUndefined({
    title: optionalString(body, 'title'),
    severity: optionalSeverity(body),
    alertCount: optionalCount(body, 'alertCount'),
    blastRadius: optionalBlastRadius(body),
    recommendedActions: optionalActions(body),
    url: optionalString(body, 'url'),
  });
  if (Object.keys(changes).length === 0) {
    throw invalid(
      'nothing to update: give title, severity, alertCount, blastRadius, recommendedActions or url',
    );
  }
  return changes;
}

export function parseResolutionReason(value: unknown): LocalResolutionReason {
  const reason = asBody(value).reason;
  if (reason === undefined || reason === null) return 'manual';
  if (!LOCAL_REASONS.includes(reason as LocalResolutionReason)) {
    throw invalid(`reason must be one of: ${LOCAL_REASONS.join(', ')}`);
  }
  return reason as LocalResolutionReason;
}

export function parseSweep(value: unknown): SweepInput {
  const body = asBody(value);
  return withoutUndefined({
    olderThanMs: optionalCount(body, 'olderThanMs'),
    workspaceId: optionalString(body, 'workspaceId'),
  });
}

/** A single query parameter, or undefined; repeated parameters are refused. */
export function queryParam(query: unknown, name: string): string | undefined {
  const value = asBody(query)[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`query parameter ${name} must be given once`);
  return value;
}

export function parseOutcome(value: string | undefined): SyncOutcome | undefined {
  if (value === undefined) return undefined;
  if (!(SYNC_OUTCOMES as readonly string[]).includes(value)) {
    throw invalid(`outcome must be one of: ${SYNC_OUTCOMES.join(', ')}`);
  }
  return value as SyncOutcome;
}
