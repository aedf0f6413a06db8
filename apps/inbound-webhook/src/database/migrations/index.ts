import { CreateWebhookEvents1764892800000 } from './1764892800000-create-webhook-events';

/** Every migration of the inbound_webhook schema, oldest first. */
export const MIGRATIONS = [CreateWebhookEvents1764892800000];
