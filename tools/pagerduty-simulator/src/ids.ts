import { randomBytes, randomInt } from 'node:crypto';

const UPPER_ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = `${UPPER_ALNUM}abcdefghijklmnopqrstuvwxyz`;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function pick(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    out += alphabet[randomInt(alphabet.length)];
  }
  return out;
}

/** PagerDuty-style object id: a prefix letter and upper-case letters/digits. */
export function pagerDutyId(prefix: string, length: number): string {
  return prefix + pick(UPPER_ALNUM, length);
}

export function incidentId(): string {
  return pagerDutyId('Q', 13);
}

export function routingKey(): string {
  return pick(ALNUM, 32);
}

/** 64 characters of base64, the shape of the secrets PagerDuty mints. */
export function signingSecret(): string {
  return randomBytes(48).toString('base64');
}

export function dedupKey(): string {
  return randomBytes(16).toString('hex');
}

/** A ULID (time-ordered, 26 Crockford base32 characters, "01…" for current dates), as PagerDuty's event ids. */
export function ulid(now: number = Date.now()): string {
  let time = '';
  let rest = now;
  for (let i = 0; i < 10; i += 1) {
    time = CROCKFORD[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  return time + pick(CROCKFORD, 16);
}
