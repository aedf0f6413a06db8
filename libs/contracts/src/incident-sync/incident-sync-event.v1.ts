import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { IsAggregateId, IsWorkspaceId } from '../common/field.decorators';
import { IsIsoTimestamp } from '../common/is-iso-timestamp.decorator';
import { oneOf } from '../common/one-of';
import {
  INCIDENT_SYNC_EVENT_TYPES,
  INCIDENT_SYNC_SOURCES,
  type IncidentSyncEventType,
  type IncidentSyncSource,
} from './incident-sync-event.constants';
import { PagerDutyIncidentRefV1 } from './pagerduty-incident-ref.v1';
import { SyncActorV1 } from './sync-actor.v1';

/**
 * Value on `axiorank.incident-sync.v1`, keyed by incident id: an acknowledge or
 * resolve reported by PagerDuty. `workspaceId` is the channel's, never the
 * payload's, so consumers apply it only to an incident of that workspace.
 */
export class IncidentSyncEventV1 {
  @IsUUID()
  eventId!: string;

  @IsIn(INCIDENT_SYNC_EVENT_TYPES, oneOf(INCIDENT_SYNC_EVENT_TYPES))
  type!: IncidentSyncEventType;

  /** PagerDuty's `occurred_at`. */
  @IsIsoTimestamp()
  occurredAt!: string;

  @IsWorkspaceId()
  workspaceId!: string;

  /** The AxioRank incident id (PagerDuty's `incident_key`). */
  @IsAggregateId()
  incidentId!: string;

  @IsUUID()
  channelId!: string;

  @IsIn(INCIDENT_SYNC_SOURCES, oneOf(INCIDENT_SYNC_SOURCES))
  source!: IncidentSyncSource;

  @IsDefined({ message: '$property is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => PagerDutyIncidentRefV1)
  pagerduty!: PagerDutyIncidentRefV1;

  /** Null or absent when PagerDuty reports no agent (e.g. an automatic resolve). */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SyncActorV1)
  actor?: SyncActorV1 | null;
}
