import { OutboxMessage } from '@app/platform';
import { WebhookEventEntity } from '../webhooks/entities/webhook-event.entity';

export const SCHEMA = 'inbound_webhook';
export const ENTITIES = [WebhookEventEntity, OutboxMessage];
