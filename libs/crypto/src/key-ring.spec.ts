import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { CredentialKeyError } from './credential-key-error';
import { KeyRing, keyForId } from './key-ring';

const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(32, 0xb2).toString('base64');

function parseError(spec: string): CredentialKeyError {
  try {
    KeyRing.parse(spec);
  } catch (error: unknown) {
    if (error instanceof CredentialKeyError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(spec)} to be rejected`);
}

describe('KeyRing.parse', () => {
  it.each([undefined, '', '   '])('gives an empty, disabled ring for %p', (spec) => {
    const sut = KeyRing.parse(spec);
    expect(sut.isEnabled).toBe(false);
    expect(sut.primaryKeyId).toBeUndefined();
    expect(sut.keyIds).toEqual([]);
  });

  it('reads one key', () => {
    const sut = KeyRing.parse(`k1:${KEY_A}`);
    expect(sut.isEnabled).toBe(true);
    expect(sut.primaryKeyId).toBe('k1');
    expect(sut.keyIds).toEqual(['k1']);
    expect(keyForId(sut, 'k1')?.export()).toEqual(Buffer.alloc(32, 0xa1));
  });

  it('keeps the order: the first key is primary, every key opens', () => {
    const sut = KeyRing.parse(`k2026_b:${KEY_B},k2025-a:${KEY_A}`);
    expect(sut.primaryKeyId).toBe('k2026_b');
    expect(sut.keyIds).toEqual(['k2026_b', 'k2025-a']);
    expect(keyForId(sut, 'k2025-a')?.export()).toEqual(Buffer.alloc(32, 0xa1));
    expect(keyForId(sut, 'nope')).toBeUndefined();
  });

  it('tolerates spaces around entries and around the colon', () => {
    const sut = KeyRing.parse(` k1 : ${KEY_A} ,  k2:${KEY_B} `);
    expect(sut.keyIds).toEqual(['k1', 'k2']);
  });

  it('accepts unpadded and url-safe base64', () => {
    const bytes = Buffer.from('fb'.repeat(32), 'hex');
    const sut = KeyRing.parse(
      `std:${bytes.toString('base64').replace(/=+$/, '')},url:${bytes.toString('base64url')}`,
    );
    expect(keyForId(sut, 'std')?.export()).toEqual(bytes);
    expect(keyForId(sut, 'url')?.export()).toEqual(bytes);
  });

  it('accepts a 32-character key id and no longer', () => {
    const kid = 'a'.repeat(32);
    expect(KeyRing.parse(`${kid}:${KEY_A}`).primaryKeyId).toBe(kid);
    expect(parseError(`${kid}x:${KEY_A}`).entry).toBe(1);
  });

  it('shows key ids, never key material, when logged or serialised', () => {
    const sut = KeyRing.parse(`k1:${KEY_A},k2:${KEY_B}`);
    const hexA = Buffer.alloc(32, 0xa1).toString('hex');
    for (const rendering of [
      JSON.stringify(sut),
      String(sut),
      inspect(sut, { showHidden: true, depth: 5 }),
    ]) {
      expect(rendering).not.toContain(KEY_A);
      expect(rendering).not.toContain(KEY_B);
      expect(rendering).not.toContain(hexA);
      expect(rendering).not.toContain('a1, a1');
    }
    expect(JSON.parse(JSON.stringify(sut))).toEqual({ keyIds: ['k1', 'k2'] });
  });

  it('holds no enumerable state on the instance', () => {
    expect(Object.keys(KeyRing.parse(`k1:${KEY_A}`))).toEqual([]);
  });
});

describe('KeyRing.parse rejects', () => {
  const short = randomBytes(16).toString('base64');
  const long = randomBytes(48).toString('base64');
  const nonCanonical = `${KEY_A.slice(0, 42)}B=`; // spare low bits set
  const cases: ReadonlyArray<{
    name: string;
    spec: string;
    entry: number;
    keyId: string | undefined;
    mentions: RegExp;
    secret: string;
  }> = [
    {
      name: 'a bare key (no kid)',
      spec: KEY_A,
      entry: 1,
      keyId: undefined,
      mentions: /kid:base64key/,
      secret: KEY_A,
    },
    {
      name: 'kid and key swapped',
      spec: `${KEY_A}:k1`,
      entry: 1,
      keyId: undefined,
      mentions: /invalid key id/,
      secret: KEY_A,
    },
    {
      name: 'an empty kid',
      spec: `:${KEY_A}`,
      entry: 1,
      keyId: undefined,
      mentions: /invalid key id/,
      secret: KEY_A,
    },
    {
      name: 'a kid with a dot',
      spec: `k.1:${KEY_A}`,
      entry: 1,
      keyId: undefined,
      mentions: /invalid key id/,
      secret: KEY_A,
    },
    {
      name: 'a 16-byte key',
      spec: `k1:${KEY_A},k2:${short}`,
      entry: 2,
      keyId: 'k2',
      mentions: /16 bytes/,
      secret: short,
    },
    {
      name: 'a 48-byte key',
      spec: `k1:${long}`,
      entry: 1,
      keyId: 'k1',
      mentions: /48 bytes/,
      secret: long,
    },
    {
      name: 'an empty key',
      spec: `k1:`,
      entry: 1,
      keyId: 'k1',
      mentions: /not base64/,
      secret: KEY_A,
    },
    {
      name: 'a key that is not base64',
      spec: `k1:${KEY_A.slice(0, 40)}!!!=`,
      entry: 1,
      keyId: 'k1',
      mentions: /not base64/,
      secret: KEY_A.slice(0, 40),
    },
    {
      name: 'a key with spare bits set',
      spec: `k1:${nonCanonical}`,
      entry: 1,
      keyId: 'k1',
      mentions: /canonical/,
      secret: nonCanonical,
    },
    {
      name: 'mixed base64 alphabets',
      spec: `k1:${'+_'.repeat(21)}A=`,
      entry: 1,
      keyId: 'k1',
      mentions: /not base64/,
      secret: '+_+_+_',
    },
    {
      name: 'a duplicate kid',
      spec: `k1:${KEY_A},k2:${KEY_B},k1:${KEY_B}`,
      entry: 3,
      keyId: 'k1',
      mentions: /entry 1/,
      secret: KEY_B,
    },
    {
      name: 'a trailing comma',
      spec: `k1:${KEY_A},`,
      entry: 2,
      keyId: undefined,
      mentions: /empty/,
      secret: KEY_A,
    },
    {
      name: 'an empty middle entry',
      spec: `k1:${KEY_A},,k2:${KEY_B}`,
      entry: 2,
      keyId: undefined,
      mentions: /empty/,
      secret: KEY_A,
    },
  ];

  it.each(cases)(
    '$name, naming the entry but not the key',
    ({ spec, entry, keyId, mentions, secret }) => {
      const error = parseError(spec);
      expect(error).toBeInstanceOf(CredentialKeyError);
      expect(error.name).toBe('CredentialKeyError');
      expect(error.entry).toBe(entry);
      expect(error.keyId).toBe(keyId);
      expect(error.message).toContain(`entry ${entry}`);
      if (keyId !== undefined) {
        expect(error.message).toContain(`"${keyId}"`);
      }
      expect(error.message).toMatch(mentions);
      expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(KEY_A.slice(0, 12));
      expect(error.message).not.toContain(KEY_B.slice(0, 12));
    },
  );

  it('never echoes a key of the wrong length (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/),
        fc.uint8Array({ minLength: 8, maxLength: 96 }).filter((b) => b.length !== 32),
        fc.boolean(),
        (kid, bytes, urlSafe) => {
          const key = Buffer.from(bytes).toString(urlSafe ? 'base64url' : 'base64');
          const error = parseError(`${kid}:${key}`);
          expect(error.message).not.toContain(key);
          expect(error.message).not.toContain(key.replace(/=+$/, ''));
          expect(error.message).toContain(`"${kid}"`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never echoes what follows the first colon, whatever the input (property)', () => {
    const secretish = fc.stringMatching(/^[A-Za-z0-9+/=_-]{12,64}$/);
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), secretish, (kid, key) => {
        let error: unknown;
        try {
          KeyRing.parse(`${kid}:${key}`);
        } catch (caught: unknown) {
          error = caught;
        }
        if (error !== undefined) {
          expect(error).toBeInstanceOf(CredentialKeyError);
          expect((error as Error).message).not.toContain(key);
        }
      }),
      { numRuns: 200 },
    );
  });
});
