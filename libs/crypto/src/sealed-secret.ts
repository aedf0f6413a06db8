import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_ID_PATTERN, type KeyRing, keyForId } from './key-ring';
import { SecretOpenError } from './secret-open-error';

/*
 * Sealed format (see README): enc:v1:<kid>:<iv>:<ciphertext>:<tag>, the last
 * three canonical unpadded base64url. AES-256-GCM, 96-bit random IV, 128-bit
 * tag, associated data = UTF-8 of AAD_CONTEXT + workspace id.
 *
 * ':' is reserved: a stored value containing it is never legacy plaintext. A
 * sealed value has five, so no single-character edit, not even one to the
 * "enc" prefix, and no truncation that keeps the prefix can turn it into a
 * value that reads back as plaintext.
 */
const SEPARATOR = ':';
const SCHEME = 'enc';
const VERSION = 'v1';
const AAD_CONTEXT = 'axiorank.sealed-secret.v1:';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const LONE_SURROGATE = /\p{Cs}/u;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface Envelope {
  readonly kid: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** Seals `plaintext` for `workspaceId` under the ring's primary key. Throws if the ring is empty. */
export function sealSecret(plaintext: string, workspaceId: string, ring: KeyRing): string {
  assertText(plaintext, 'plaintext');
  const aad = associatedData(workspaceId);
  const kid = ring.primaryKeyId;
  const key = kid === undefined ? undefined : keyForId(ring, kid);
  if (kid === undefined || key === undefined) {
    throw new Error('Cannot seal a secret: the key ring is empty (CREDENTIAL_KEYS is not set)');
  }
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [SCHEME, VERSION, kid, iv, ciphertext, tag]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join(SEPARATOR);
}

/**
 * Returns the plaintext of a sealed value, or a legacy plaintext value (no ':')
 * unchanged. Anything else throws SecretOpenError; it never returns other text.
 */
export function openSecret(stored: string, workspaceId: string, ring: KeyRing): string {
  const aad = associatedData(workspaceId);
  if (isLegacyPlaintext(stored)) {
    return stored;
  }
  const envelope = parseEnvelope(stored);
  if (envelope === undefined) {
    throw new SecretOpenError('malformed');
  }
  const key = keyForId(ring, envelope.kid);
  if (key === undefined) {
    throw new SecretOpenError('unknown_key', envelope.kid);
  }
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, envelope.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(envelope.tag);
    plaintext = Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]);
  } catch {
    throw new SecretOpenError('authentication_failed', envelope.kid);
  }
  try {
    return strictUtf8.decode(plaintext);
  } catch {
    // Authentic but not UTF-8: not something sealSecret wrote.
    throw new SecretOpenError('malformed', envelope.kid);
  }
}

/** True for a structurally well-formed sealed value (it may still fail to open). */
export function isSealed(stored: string): boolean {
  return parseEnvelope(stored) !== undefined;
}

/** The key id of a well-formed sealed value; undefined for plaintext and malformed values. */
export function sealedKeyId(stored: string): string | undefined {
  return parseEnvelope(stored)?.kid;
}

/**
 * For key rotation: true when the value is plaintext, sealed under a key other
 * than the primary, or malformed (opening it reports why). False when the ring
 * is empty, since there is nothing to seal with.
 */
export function needsReseal(stored: string, ring: KeyRing): boolean {
  return ring.isEnabled && sealedKeyId(stored) !== ring.primaryKeyId;
}

function isLegacyPlaintext(stored: string): boolean {
  return !stored.includes(SEPARATOR);
}

function parseEnvelope(stored: string): Envelope | undefined {
  const parts = stored.split(SEPARATOR);
  if (parts.length !== 6) {
    return undefined;
  }
  const [scheme, version, kid, ivText, ciphertextText, tagText] = parts;
  if (scheme !== SCHEME || version !== VERSION || !KEY_ID_PATTERN.test(kid)) {
    return undefined;
  }
  const iv = decodeBase64Url(ivText);
  const ciphertext = decodeBase64Url(ciphertextText);
  const tag = decodeBase64Url(tagText);
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || ciphertext === undefined) {
    return undefined;
  }
  return { kid, iv, ciphertext, tag };
}

/** Canonical unpadded base64url only: Node's decoder skips stray characters and ignores spare bits. */
function decodeBase64Url(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) {
    return undefined;
  }
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function associatedData(workspaceId: string): Buffer {
  assertText(workspaceId, 'workspaceId');
  if (workspaceId.length === 0) {
    throw new TypeError('workspaceId must not be empty');
  }
  return Buffer.from(AAD_CONTEXT + workspaceId, 'utf8');
}

/* Lone surrogates would be replaced by U+FFFD in UTF-8, so two different
 * strings would seal alike: a caller bug, reported as one. */
function assertText(value: string, name: string): void {
  if (typeof value !== 'string' || LONE_SURROGATE.test(value)) {
    throw new TypeError(`${name} must be a well-formed string`);
  }
}
