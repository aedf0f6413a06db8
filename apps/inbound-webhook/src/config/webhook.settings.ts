export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

/** The part of the configuration the webhook use case needs. */
export interface WebhookSettings {
  maxAgeMs: number;
  ratePerMinute: number;
  storeTimeoutMs: number;
}
