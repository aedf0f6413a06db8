import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsUUID, ValidateNested } from 'class-validator';
import { IsWorkspaceId } from '../common/field.decorators';
import { IsIsoTimestamp } from '../common/is-iso-timestamp.decorator';
import { oneOf } from '../common/one-of';
import { ALERT_EVENT_TYPES, type AlertEventType } from './alert-event.constants';
import { AlertV1 } from './alert.v1';

/** Value on `axiorank.alerts.v1`, keyed by alert id: a high-risk AI-agent tool call. */
export class AlertEventV1 {
  @IsUUID()
  eventId!: string;

  @IsIn(ALERT_EVENT_TYPES, oneOf(ALERT_EVENT_TYPES))
  type!: AlertEventType;

  @IsIsoTimestamp()
  occurredAt!: string;

  @IsWorkspaceId()
  workspaceId!: string;

  @IsDefined({ message: '$property is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => AlertV1)
  alert!: AlertV1;
}
