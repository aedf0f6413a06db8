import type { ResolutionReason } from '@app/contracts';
import type { Severity } from '@app/severity';
import type { BlastRadius } from './incident-record';

export interface OpenIncidentInput {
  workspaceId: string;
  /** Generated (`inc_<uuid>`) when absent. */
  id?: string;
  title: string;
  severity: Severity;
  alertCount?: number;
  blastRadius?: Partial<BlastRadius>;
  recommendedActions?: string[];
  url?: string;
}

/** Fields to change; a given `blastRadius` replaces the previous one. */
export type UpdateIncidentInput = Partial<Omit<OpenIncidentInput, 'workspaceId' | 'id'>>;

/** The reasons a person or the sweep may give; `pagerduty` comes only from sync events. */
export type LocalResolutionReason = Exclude<ResolutionReason, 'pagerduty'>;

/** Tracing a command carries into the event it produces. */
export interface CommandContext {
  correlationId?: string;
  traceparent?: string;
}

export interface SweepInput {
  olderThanMs?: number;
  workspaceId?: string;
}

export interface SweepResult {
  olderThanMs: number;
  resolved: string[];
  failed: { id: string; error: string }[];
}
