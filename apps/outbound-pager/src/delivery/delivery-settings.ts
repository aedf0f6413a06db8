export const DELIVERY_SETTINGS = Symbol('DELIVERY_SETTINGS');

export interface DeliverySettings {
  workers: number;
  batchSize: number;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  ratePerMinute: number;
  rateBurst: number;
  /** PagerDuty request timeout; a lease outlives it. */
  requestTimeoutMs: number;
  appBaseUrl: string;
}
