import { type KeyObject, createSecretKey } from 'node:crypto';
import { CredentialKeyError } from './credential-key-error';

export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const KEY_BYTES = 32;
const STANDARD_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const URL_SAFE_BASE64 = /^[A-Za-z0-9_-]+={0,2}$/;

/*
 * Key material lives here rather than on the instance, so a KeyRing that ends
 * up in a log line, JSON.stringify or util.inspect shows key ids only. Only the
 * sealing functions of this library reach it (through keyForId, which the
 * package index does not export).
 */
const material = new WeakMap<KeyRing, ReadonlyMap<string, KeyObject>>();

/**
 * The set of AES-256 keys from `CREDENTIAL_KEYS` (`kid:base64key,...`). The
 * first key seals; every key opens, so a new key is put first and the old one
 * kept until `needsReseal` finds nothing left under it.
 */
export class KeyRing {
  readonly #keyIds: readonly string[];

  private constructor(keys: ReadonlyMap<string, KeyObject>) {
    this.#keyIds = Object.freeze([...keys.keys()]);
    material.set(this, keys);
  }

  /** An empty or unset spec gives an empty ring: sealing is disabled and values stay plaintext. */
  static parse(spec: string | undefined): KeyRing {
    const keys = new Map<string, KeyObject>();
    if (spec === undefined || spec.trim() === '') {
      return new KeyRing(keys);
    }
    const firstEntryOf = new Map<string, number>();
    spec.split(',').forEach((raw, index) => {
      const entry = index + 1;
      const text = raw.trim();
      if (text === '') {
        throw new CredentialKeyError(entry, undefined, 'is empty (check for a stray comma)');
      }
      const colon = text.indexOf(':');
      if (colon < 0) {
        throw new CredentialKeyError(entry, undefined, 'is not in the form kid:base64key');
      }
      const kid = text.slice(0, colon).trim();
      if (!KEY_ID_PATTERN.test(kid)) {
        // The id is not echoed: a malformed id may well be a pasted key.
        throw new CredentialKeyError(
          entry,
          undefined,
          'has an invalid key id: use 1 to 32 letters, digits, "_" or "-"',
        );
      }
      const previous = firstEntryOf.get(kid);
      if (previous !== undefined) {
        throw new CredentialKeyError(entry, kid, `repeats the key id of entry ${previous}`);
      }
      const bytes = decodeKey(text.slice(colon + 1).trim(), entry, kid);
      keys.set(kid, createSecretKey(bytes));
      bytes.fill(0);
      firstEntryOf.set(kid, entry);
    });
    return new KeyRing(keys);
  }

  /** False for an empty ring: callers store plaintext, as before keys existed. */
  get isEnabled(): boolean {
    return this.#keyIds.length > 0;
  }

  /** The key id new values are sealed under; undefined for an empty ring. */
  get primaryKeyId(): string | undefined {
    return this.#keyIds[0];
  }

  /** All key ids, primary first. */
  get keyIds(): readonly string[] {
    return this.#keyIds;
  }

  toJSON(): { keyIds: readonly string[] } {
    return { keyIds: this.#keyIds };
  }

  toString(): string {
    return `KeyRing(${this.#keyIds.join(', ')})`;
  }
}

/** Library-internal: the key for `kid`, or undefined when the ring lacks it. */
export function keyForId(ring: KeyRing, kid: string): KeyObject | undefined {
  return material.get(ring)?.get(kid);
}

function decodeKey(encoded: string, entry: number, kid: string): Buffer {
  const urlSafe = URL_SAFE_BASE64.test(encoded);
  if (!urlSafe && !STANDARD_BASE64.test(encoded)) {
    throw new CredentialKeyError(entry, kid, 'has a key that is not base64');
  }
  const bytes = Buffer.from(encoded, urlSafe ? 'base64url' : 'base64');
  const canonical = bytes.toString(urlSafe ? 'base64url' : 'base64').replace(/=+$/, '');
  if (canonical !== encoded.replace(/=+$/, '')) {
    throw new CredentialKeyError(entry, kid, 'has a key that is not canonical base64');
  }
  if (bytes.length !== KEY_BYTES) {
    throw new CredentialKeyError(
      entry,
      kid,
      `has a key of ${bytes.length} bytes; AES-256 needs exactly ${KEY_BYTES} (generate one with: openssl rand -base64 32)`,
    );
  }
  return bytes;
}
