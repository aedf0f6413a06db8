import { randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}

/** 32 letters and digits, the shape of a PagerDuty integration (routing) key. */
export function randomRoutingKey(): string {
  return Array.from({ length: 32 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

export function nowIso(): string {
  return new Date().toISOString();
}
