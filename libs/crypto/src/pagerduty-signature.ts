import { createHmac, timingSafeEqual } from 'node:crypto';

const SCHEME = 'v1=';
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Verifies `X-PagerDuty-Signature` (`v1=<hex>[,v1=<hex>...]`) over the raw
 * request bytes. True when any v1 value matches the HMAC-SHA256 of the body
 * under any of `secrets`; other versions are ignored. Never throws: anything
 * missing, empty or malformed is simply not a match.
 */
export function verifyPagerDutySignature(
  rawBody: Buffer,
  header: string | undefined | null,
  secrets: readonly string[],
): boolean {
  if (!(rawBody instanceof Uint8Array) || typeof header !== 'string' || !Array.isArray(secrets)) {
    return false;
  }
  const candidates = parseV1Signatures(header);
  if (candidates.length === 0) {
    return false;
  }
  // An empty secret would let anyone sign, so it never verifies anything.
  const expected = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length > 0)
    .map((secret) => hmacSha256(rawBody, secret));
  let matched = false;
  for (const digest of expected) {
    for (const candidate of candidates) {
      // Both are 32 bytes by construction, so timingSafeEqual cannot throw.
      matched = timingSafeEqual(digest, candidate) || matched;
    }
  }
  return matched;
}

/** `v1=<lowercase hex HMAC-SHA256>` of the body, as PagerDuty would send it. */
export function signPagerDutyPayload(rawBody: Buffer | string, secret: string): string {
  if (secret.length === 0) {
    throw new RangeError('A PagerDuty signing secret must not be empty');
  }
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  return SCHEME + hmacSha256(body, secret).toString('hex');
}

function hmacSha256(body: Uint8Array, secret: string): Buffer {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest();
}

function parseV1Signatures(header: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const value = part.trim();
    if (value.startsWith(SCHEME)) {
      const hex = value.slice(SCHEME.length);
      if (SHA256_HEX.test(hex)) {
        signatures.push(Buffer.from(hex, 'hex'));
      }
    }
  }
  return signatures;
}
