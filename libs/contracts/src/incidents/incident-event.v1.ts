import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsUUID, ValidateIf, ValidateNested } from 'class-validator';
import { IsWorkspaceId } from '../common/field.decorators';
import { IsIsoTimestamp } from '../common/is-iso-timestamp.decorator';
import { oneOf } from '../common/one-of';
import { INCIDENT_EVENT_TYPES, type IncidentEventType } from './incident-event.constants';
import { IncidentResolutionV1 } from './incident-resolution.v1';
import { IncidentV1 } from './incident.v1';

/** Value on `axiorank.incidents.v1`, keyed by incident id. */
export class IncidentEventV1 {
  @IsUUID()
  eventId!: string;

  @IsIn(INCIDENT_EVENT_TYPES, oneOf(INCIDENT_EVENT_TYPES))
  type!: IncidentEventType;

  @IsIsoTimestamp()
  occurredAt!: string;

  @IsWorkspaceId()
  workspaceId!: string;

  @IsDefined({ message: '$property is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => IncidentV1)
  incident!: IncidentV1;

  /** Required on `incident.resolved`; checked whenever present on the other types. */
  @ValidateIf(
    (event: IncidentEventV1) =>
      event.type === 'incident.resolved' ||
      (event.resolution !== undefined && event.resolution !== null),
  )
  @IsDefined({ message: '$property is required when type is incident.resolved' })
  @IsObject()
  @ValidateNested()
  @Type(() => IncidentResolutionV1)
  resolution?: IncidentResolutionV1;
}
