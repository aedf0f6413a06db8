import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { KeyRing } from './key-ring';
import { SecretOpenError, type SecretOpenFailure } from './secret-open-error';
import { isSealed, needsReseal, openSecret, sealSecret, sealedKeyId } from './sealed-secret';

// The documented format and associated data, restated here on purpose: if the
// implementation drifts from the README, these tests fail.
const SEALED_FORMAT =
  /^enc:v1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]*):([A-Za-z0-9_-]{22})$/;
const documentedAad = (workspaceId: string): Buffer =>
  Buffer.from(`axiorank.sealed-secret.v1:${workspaceId}`, 'utf8');

const WS = 'ws_1';
const ROUTING_KEY = 'R0UT1NGK3Y00000000000000000000AB';

const keyBytes = (fill: number): Buffer => Buffer.alloc(32, fill);
const spec = (entries: ReadonlyArray<[string, Buffer]>): string =>
  entries.map(([kid, key]) => `${kid}:${key.toString('base64')}`).join(',');
const ringOf = (...entries: Array<[string, Buffer]>): KeyRing => KeyRing.parse(spec(entries));

const K1 = keyBytes(0x11);
const K2 = keyBytes(0x22);
const ring = ringOf(['k1', K1]);

function openFailure(stored: string, workspaceId: string, keyRing: KeyRing): SecretOpenError {
  try {
    openSecret(stored, workspaceId, keyRing);
  } catch (error: unknown) {
    if (error instanceof SecretOpenError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected openSecret to fail');
}

function parts(sealed: string): { kid: string; iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const match = SEALED_FORMAT.exec(sealed);
  if (match === null) {
    throw new Error(`not in the documented format: ${sealed}`);
  }
  const [, kid, iv, ciphertext, tag] = match;
  return {
    kid,
    iv: Buffer.from(iv, 'base64url'),
    ciphertext: Buffer.from(ciphertext, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
  };
}

function assemble(kid: string, iv: Buffer, ciphertext: Buffer, tag: Buffer): string {
  return ['enc', 'v1', kid, iv, ciphertext, tag]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join(':');
}

describe('sealSecret', () => {
  it('writes the documented format under the primary key', () => {
    const sealed = sealSecret(ROUTING_KEY, WS, ringOf(['k2', K2], ['k1', K1]));
    expect(sealed).toMatch(SEALED_FORMAT);
    const { kid, iv, ciphertext, tag } = parts(sealed);
    expect(kid).toBe('k2');
    expect(iv).toHaveLength(12);
    expect(tag).toHaveLength(16);
    expect(ciphertext).toHaveLength(Buffer.byteLength(ROUTING_KEY));
    expect(sealed).not.toContain(ROUTING_KEY);
  });

  it('uses a fresh IV every time', () => {
    const ivs = new Set(
      Array.from({ length: 50 }, () => parts(sealSecret(ROUTING_KEY, WS, ring)).iv.toString('hex')),
    );
    expect(ivs.size).toBe(50);
  });

  it('interoperates: raw node:crypto opens it with the documented format and AAD', () => {
    const plaintext = 'signing secret · ключ · 🔑';
    const { iv, ciphertext, tag } = parts(sealSecret(plaintext, 'ws_ünï', ring));
    const decipher = createDecipheriv('aes-256-gcm', K1, iv, { authTagLength: 16 });
    decipher.setAAD(documentedAad('ws_ünï'));
    decipher.setAuthTag(tag);
    const opened = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    expect(opened.toString('utf8')).toBe(plaintext);
  });

  it('refuses to seal with an empty ring', () => {
    expect(() => sealSecret(ROUTING_KEY, WS, KeyRing.parse(undefined))).toThrow(
      /key ring is empty/,
    );
  });

  it.each([
    ['an empty workspace id', ROUTING_KEY, ''],
    ['a workspace id with a lone surrogate', ROUTING_KEY, 'ws_\uD800'],
    ['a plaintext with a lone surrogate', 'abc\uDC00', WS],
  ])('rejects %s as a caller error', (_name, plaintext, workspaceId) => {
    expect(() => sealSecret(plaintext, workspaceId, ring)).toThrow(TypeError);
  });
});

describe('openSecret', () => {
  // Known answers produced outside this code base (Python `cryptography`,
  // AESGCM) with key 00 01 02 … 1f: values sealed today must open forever.
  const katRing = KeyRing.parse('k2026:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=');
  it.each([
    [
      'ws_1',
      'enc:v1:k2026:yv66vvrO263eyviI:2JP1cps0CFB1Um3tSy25Dz0Q8GHvKVpEfu80QY65JL0:Rr7qKtNJYUhnP9i7ZX-NjQ',
      'R0UT1NGK3Y00000000000000000000AB',
    ],
    [
      'ws_ünïcødé',
      'enc:v1:k2026:AAAAAAAAAAAAAAAB:Zr_Yki2aVz59SzJLidIaNaK_zO60CYUKoocjG5EQg8GuBw:noZzf7xihlqv10HGVuntxA',
      'signing secret · ключ · 🔑',
    ],
    ['ws_1', 'enc:v1:k2026:AQIDBAUGBwgJCgsM::tm1POUXfbyHCOI-MVB-ykw', ''],
  ])('opens a known answer for workspace %s', (workspaceId, stored, expected) => {
    expect(isSealed(stored)).toBe(true);
    expect(openSecret(stored, workspaceId, katRing)).toBe(expected);
    expect(openFailure(stored, 'ws_2', katRing).reason).toBe('authentication_failed');
  });

  it('opens a value written by raw node:crypto in the documented format', () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', K1, iv, { authTagLength: 16 });
    cipher.setAAD(documentedAad(WS));
    const ciphertext = Buffer.concat([cipher.update(ROUTING_KEY, 'utf8'), cipher.final()]);
    const stored = assemble('k1', iv, ciphertext, cipher.getAuthTag());
    expect(openSecret(stored, WS, ring)).toBe(ROUTING_KEY);
  });

  it('rejects an authentic value that is not UTF-8 as malformed', () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', K1, iv, { authTagLength: 16 });
    cipher.setAAD(documentedAad(WS));
    const ciphertext = Buffer.concat([cipher.update(Buffer.from([0xff, 0xfe])), cipher.final()]);
    const stored = assemble('k1', iv, ciphertext, cipher.getAuthTag());
    expect(openFailure(stored, WS, ring).reason).toBe('malformed');
  });

  it('round-trips any unicode string for any workspace id (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
        (plaintext, workspaceId) => {
          const sealed = sealSecret(plaintext, workspaceId, ring);
          expect(isSealed(sealed)).toBe(true);
          expect(openSecret(sealed, workspaceId, ring)).toBe(plaintext);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('round-trips grapheme strings, including combining sequences (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-composite' }), (plaintext) => {
        expect(openSecret(sealSecret(plaintext, WS, ring), WS, ring)).toBe(plaintext);
      }),
      { numRuns: 200 },
    );
  });

  it('fails under any other workspace id (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        (plaintext, workspaceId, otherWorkspaceId) => {
          fc.pre(workspaceId !== otherWorkspaceId);
          const sealed = sealSecret(plaintext, workspaceId, ring);
          expect(openFailure(sealed, otherWorkspaceId, ring).reason).toBe('authentication_failed');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fails on any single-character change, never returning text (property)', () => {
    const base64urlChar = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
    );
    const replacement = fc.oneof(
      base64urlChar,
      fc.constantFrom(':', '=', '+', '/', ' ', '.', '\n'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.nat(),
        replacement,
        (plaintext, position, char) => {
          const sealed = sealSecret(plaintext, WS, ring);
          const index = position % sealed.length;
          fc.pre(char !== sealed[index]);
          const mutated = sealed.slice(0, index) + char + sealed.slice(index + 1);
          expect(() => openSecret(mutated, WS, ring)).toThrow(SecretOpenError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fails authentication on any bit flip in IV, ciphertext or tag (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }),
        fc.constantFrom('iv', 'ciphertext', 'tag'),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (plaintext, field, position, bit) => {
          const sealed = parts(sealSecret(plaintext, WS, ring));
          const bytes = Buffer.from(sealed[field]);
          bytes[position % bytes.length] ^= 1 << bit;
          const tampered = { ...sealed, [field]: bytes };
          const stored = assemble('k1', tampered.iv, tampered.ciphertext, tampered.tag);
          expect(openFailure(stored, WS, ring).reason).toBe('authentication_failed');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fails as malformed on any truncation that keeps the "enc:" marker (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), fc.nat(), (plaintext, cut) => {
        const sealed = sealSecret(plaintext, WS, ring);
        const truncated = sealed.slice(0, 4 + (cut % (sealed.length - 4)));
        expect(openFailure(truncated, WS, ring).reason).toBe('malformed');
      }),
      { numRuns: 200 },
    );
  });

  it('reports an unknown key id, and a changed key as an authentication failure', () => {
    const sealed = sealSecret(ROUTING_KEY, WS, ring);
    const unknown = openFailure(sealed, WS, ringOf(['k2', K2]));
    expect(unknown.reason).toBe('unknown_key');
    expect(unknown.keyId).toBe('k1');
    expect(openFailure(sealed, WS, KeyRing.parse(undefined)).reason).toBe('unknown_key');
    expect(openFailure(sealed, WS, ringOf(['k1', K2])).reason).toBe('authentication_failed');
  });

  describe('with malformed values', () => {
    const good = sealSecret(ROUTING_KEY, WS, ring);
    const { iv, ciphertext, tag } = parts(good);
    // A 16-byte tag leaves 4 spare bits in its last character. Node's decoder
    // ignores them, so without a canonical check this variant would still open.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const tagText = tag.toString('base64url');
    const spareBitTag = tagText.slice(0, -1) + alphabet[alphabet.indexOf(tagText[21]) | 1];
    const spareBits = `${good.slice(0, -22)}${spareBitTag}`;

    it('builds a spare-bit variant that decodes to the same tag', () => {
      expect(Buffer.from(spareBitTag, 'base64url')).toEqual(tag);
      expect(spareBitTag).not.toBe(tagText);
    });

    const cases: ReadonlyArray<[string, string]> = [
      ['the bare prefix', 'enc:'],
      ['the prefix and version', 'enc:v1:'],
      ['an unknown version', good.replace('enc:v1:', 'enc:v2:')],
      ['an upper-case scheme', good.replace('enc:', 'ENC:')],
      ['a missing part', good.split(':').slice(0, 5).join(':')],
      ['an extra part', `${good}:AAAA`],
      ['a blank key id', good.replace(':k1:', '::')],
      ['an invalid key id', good.replace(':k1:', ':k.1:')],
      ['an 8-byte IV', assemble('k1', iv.subarray(0, 8), ciphertext, tag)],
      ['a 16-byte IV', assemble('k1', Buffer.concat([iv, iv.subarray(0, 4)]), ciphertext, tag)],
      ['a 12-byte tag', assemble('k1', iv, ciphertext, tag.subarray(0, 12))],
      ['a padded tag', `${good}==`],
      ['a standard-base64 character', `${good.slice(0, -22)}+${good.slice(-21)}`],
      ['spare bits set in the tag', spareBits],
      ['surrounding whitespace', ` ${good}`],
      ['an embedded newline', good.replace(':k1:', ':k1\n:')],
      ['a plaintext with a colon', 'user:password'],
    ];

    it.each(cases)('rejects %s', (_name, stored) => {
      expect(stored).not.toBe(good);
      expect(isSealed(stored)).toBe(false);
      expect(sealedKeyId(stored)).toBeUndefined();
      expect(openFailure(stored, WS, ring).reason).toBe('malformed');
    });
  });

  describe('with legacy plaintext', () => {
    it('returns a routing key stored before any key existed unchanged', () => {
      expect(openSecret(ROUTING_KEY, WS, ring)).toBe(ROUTING_KEY);
      expect(openSecret(ROUTING_KEY, WS, KeyRing.parse(''))).toBe(ROUTING_KEY);
      expect(isSealed(ROUTING_KEY)).toBe(false);
    });

    it('returns a PagerDuty signing secret unchanged', () => {
      const secret = 'lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK';
      expect(openSecret(secret, WS, ring)).toBe(secret);
    });

    it('returns any value without a colon unchanged (property)', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'binary' }).filter((s) => !s.includes(':')),
          (stored) => {
            expect(openSecret(stored, WS, ring)).toBe(stored);
            expect(isSealed(stored)).toBe(false);
            expect(needsReseal(stored, ring)).toBe(true);
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  it('never puts the secret, the stored value or key material in its messages', () => {
    const keyText = K1.toString('base64');
    const sealed = sealSecret(ROUTING_KEY, WS, ring);
    const failures = [
      openFailure(sealed, 'ws_2', ring),
      openFailure(sealed, WS, ringOf(['k9', K2])),
      openFailure(`${sealed}x`, WS, ring),
      openFailure(sealed.replace('enc:', 'xnc:'), WS, ring),
    ];
    expect(failures.map((f) => f.reason).sort()).toEqual<SecretOpenFailure[]>([
      'authentication_failed',
      'malformed',
      'malformed',
      'unknown_key',
    ]);
    for (const failure of failures) {
      expect(failure.name).toBe('SecretOpenError');
      for (const forbidden of [
        ROUTING_KEY,
        sealed,
        keyText,
        K1.toString('hex'),
        ...sealed.split(':').slice(3),
      ]) {
        expect(failure.message).not.toContain(forbidden);
      }
    }
  });

  it('rejects an unusable workspace id as a caller error', () => {
    expect(() => openSecret(ROUTING_KEY, '', ring)).toThrow(TypeError);
    expect(() => openSecret(ROUTING_KEY, '\uDFFF', ring)).toThrow(TypeError);
  });
});

describe('key rotation helpers', () => {
  it('reads the key id of a sealed value only', () => {
    const sealed = sealSecret(ROUTING_KEY, WS, ring);
    expect(sealedKeyId(sealed)).toBe('k1');
    expect(sealedKeyId(ROUTING_KEY)).toBeUndefined();
    expect(sealedKeyId('enc:v1:k1:broken')).toBeUndefined();
  });

  it('flags plaintext, non-primary and malformed values for resealing', () => {
    const rotated = ringOf(['k2', K2], ['k1', K1]);
    const underOld = sealSecret(ROUTING_KEY, WS, ring);
    const underNew = sealSecret(ROUTING_KEY, WS, rotated);
    expect(needsReseal(ROUTING_KEY, rotated)).toBe(true);
    expect(needsReseal(underOld, rotated)).toBe(true);
    expect(needsReseal(underNew, rotated)).toBe(false);
    expect(needsReseal('enc:v1:broken', rotated)).toBe(true);
  });

  it('never asks to reseal when sealing is disabled', () => {
    const empty = KeyRing.parse(undefined);
    expect(needsReseal(ROUTING_KEY, empty)).toBe(false);
    expect(needsReseal(sealSecret(ROUTING_KEY, WS, ring), empty)).toBe(false);
  });

  it('rotates: open under the old key, reseal under the new, drop the old key', () => {
    const before = sealSecret(ROUTING_KEY, WS, ring);
    const rotated = ringOf(['k2', K2], ['k1', K1]);
    const after = sealSecret(openSecret(before, WS, rotated), WS, rotated);
    expect(sealedKeyId(after)).toBe('k2');
    expect(needsReseal(after, rotated)).toBe(false);
    expect(openSecret(after, WS, ringOf(['k2', K2]))).toBe(ROUTING_KEY);
    expect(openFailure(before, WS, ringOf(['k2', K2])).reason).toBe('unknown_key');
  });
});
