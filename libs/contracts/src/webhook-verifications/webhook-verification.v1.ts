import { IsIn, IsUUID } from 'class-validator';
import { IsNonEmptyString, IsWorkspaceId } from '../common/field.decorators';
import { IsIsoTimestamp } from '../common/is-iso-timestamp.decorator';
import { IsOptionalField } from '../common/is-optional-field.decorator';
import { oneOf } from '../common/one-of';
import {
  WEBHOOK_VERIFICATION_TYPES,
  type WebhookVerificationType,
} from './webhook-verification.constants';

/**
 * Value on `axiorank.webhook-verifications.v1`, keyed by channel id:
 * inbound-webhook received a verified `pagey.ping` for the channel, so
 * channel-config sets `twoWaySync.verifiedAt` to `occurredAt`.
 */
export class WebhookVerificationV1 {
  @IsUUID()
  eventId!: string;

  @IsIn(WEBHOOK_VERIFICATION_TYPES, oneOf(WEBHOOK_VERIFICATION_TYPES))
  type!: WebhookVerificationType;

  @IsIsoTimestamp()
  occurredAt!: string;

  /** The channel's workspace, never taken from the webhook payload. */
  @IsWorkspaceId()
  workspaceId!: string;

  @IsUUID()
  channelId!: string;

  /** PagerDuty's `event.id` of the ping. */
  @IsNonEmptyString()
  pagerdutyEventId!: string;

  /** The `X-Webhook-Id` header of the delivery. */
  @IsOptionalField()
  @IsNonEmptyString()
  webhookId?: string;
}
