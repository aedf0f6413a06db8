import fc from 'fast-check';
import { signPagerDutyPayload, verifyPagerDutySignature } from './pagerduty-signature';

// Public test vector from PagerDuty/go-pagerduty (webhookv3/webhookv3_test.go).
const GO_PAGERDUTY = {
  secret: 'lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK',
  body: '{"event":{"id":"01BWDWL3NYY7LUFPZCC28QUCMK","event_type":"incident.priority_updated","resource_type":"incident","occurred_at":"2021-04-26T17:36:27.458Z","agent":{"html_url":"https://acme.pagerduty.com/users/PLH1HKV","id":"PLH1HKV","self":"https://api.pagerduty.com/users/PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},"client":null,"data":{"id":"PGR0VU2","type":"incident","self":"https://api.pagerduty.com/incidents/PGR0VU2","html_url":"https://acme.pagerduty.com/incidents/PGR0VU2","number":2,"status":"triggered","title":"A little bump in the road","service":{"html_url":"https://acme.pagerduty.com/services/PF9KMXH","id":"PF9KMXH","self":"https://api.pagerduty.com/services/PF9KMXH","summary":"API Service","type":"service_reference"},"assignees":[{"html_url":"https://acme.pagerduty.com/users/PTUXL6G","id":"PTUXL6G","self":"https://api.pagerduty.com/users/PTUXL6G","summary":"User 123","type":"user_reference"}],"escalation_policy":{"html_url":"https://acme.pagerduty.com/escalation_policies/PUS0KTE","id":"PUS0KTE","self":"https://api.pagerduty.com/escalation_policies/PUS0KTE","summary":"Default","type":"escalation_policy_reference"},"teams":[{"html_url":"https://acme.pagerduty.com/teams/PFCVPS0","id":"PFCVPS0","self":"https://api.pagerduty.com/teams/PFCVPS0","summary":"Engineering","type":"team_reference"}],"priority":{"html_url":"https://acme.pagerduty.com/account/incident_priorities","id":"PSO75BM","self":"https://api.pagerduty.com/priorities/PSO75BM","summary":"P1","type":"priority_reference"},"urgency":"high","conference_bridge":{"conference_number":1000,"conference_url":"https://example.com"},"resolve_reason":null}}}',
  valid: 'v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd',
  mismatched: 'v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5',
};

// Computed independently with
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
// (OpenSSL 3.0, UTF-8 locale, so the second secret is keyed by its UTF-8 bytes).
const PING_BODY =
  '{"event":{"id":"01DEMOPING0000000000000000","event_type":"pagey.ping","resource_type":"pagey","occurred_at":"2026-12-04T10:00:00.000Z","agent":null,"client":null,"data":{"message":"Hello from your friend Pagey!","type":"ping"}}}';
const OPENSSL_VECTORS: ReadonlyArray<[string, string, string]> = [
  [
    'an ASCII secret',
    'axiorank-openssl-vector-secret',
    '682c1e0b28d5dc37a7b9b3f96f19ce391967c341d5551d4b3e9881d1fdd055eb',
  ],
  [
    'a non-ASCII secret',
    'sëcret-ключ-🔑',
    '3713a24aa2c593e54de9a27fc6c1cea6d6fd5bc3a5c6d3dee406326ea30ee4f1',
  ],
];

const body = Buffer.from(GO_PAGERDUTY.body, 'utf8');
const hexOf = (header: string): string => header.slice('v1='.length);

describe('verifyPagerDutySignature', () => {
  describe('with the go-pagerduty vector', () => {
    it('accepts the valid signature', () => {
      expect(verifyPagerDutySignature(body, GO_PAGERDUTY.valid, [GO_PAGERDUTY.secret])).toBe(true);
    });

    it('rejects the mismatched signature', () => {
      expect(verifyPagerDutySignature(body, GO_PAGERDUTY.mismatched, [GO_PAGERDUTY.secret])).toBe(
        false,
      );
    });

    it('accepts the valid one beside the mismatched one, in either order', () => {
      const secrets = [GO_PAGERDUTY.secret];
      expect(
        verifyPagerDutySignature(body, `${GO_PAGERDUTY.mismatched},${GO_PAGERDUTY.valid}`, secrets),
      ).toBe(true);
      expect(
        verifyPagerDutySignature(
          body,
          `${GO_PAGERDUTY.valid}, ${GO_PAGERDUTY.mismatched}`,
          secrets,
        ),
      ).toBe(true);
    });

    it('rejects the body re-serialised or with a trailing newline', () => {
      const secrets = [GO_PAGERDUTY.secret];
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(GO_PAGERDUTY.body), null, 1));
      expect(verifyPagerDutySignature(reserialised, GO_PAGERDUTY.valid, secrets)).toBe(false);
      expect(
        verifyPagerDutySignature(
          Buffer.concat([body, Buffer.from('\n')]),
          GO_PAGERDUTY.valid,
          secrets,
        ),
      ).toBe(false);
    });

    it('rejects another secret, and accepts the right one among several (rotation)', () => {
      expect(verifyPagerDutySignature(body, GO_PAGERDUTY.valid, ['other-secret'])).toBe(false);
      expect(
        verifyPagerDutySignature(body, GO_PAGERDUTY.valid, ['new-secret', GO_PAGERDUTY.secret]),
      ).toBe(true);
    });

    it('signs it identically', () => {
      expect(signPagerDutyPayload(body, GO_PAGERDUTY.secret)).toBe(GO_PAGERDUTY.valid);
      expect(signPagerDutyPayload(GO_PAGERDUTY.body, GO_PAGERDUTY.secret)).toBe(GO_PAGERDUTY.valid);
    });
  });

  describe.each(OPENSSL_VECTORS)('with the openssl vector for %s', (_name, secret, hex) => {
    it('signs to the openssl digest', () => {
      expect(signPagerDutyPayload(PING_BODY, secret)).toBe(`v1=${hex}`);
    });

    it('verifies the openssl digest', () => {
      expect(verifyPagerDutySignature(Buffer.from(PING_BODY), `v1=${hex}`, [secret])).toBe(true);
    });
  });

  describe('header parsing', () => {
    const valid = GO_PAGERDUTY.valid;
    const secrets = [GO_PAGERDUTY.secret];
    const otherHex = hexOf(GO_PAGERDUTY.mismatched);

    it.each([
      ['alone', valid],
      ['after a space', ` ${valid}`],
      ['after another v1 and a space', `v1=${otherHex}, ${valid}`],
      ['after another v1 and several spaces and a tab', `v1=${otherHex},  \t${valid}`],
      ['among other versions', `v0=${otherHex},v2=abc,${valid},v3=${hexOf(valid)}`],
      ['with a trailing comma', `${valid},`],
      ['in upper-case hex', `v1=${hexOf(valid).toUpperCase()}`],
    ])('accepts the valid value %s', (_name, header) => {
      expect(verifyPagerDutySignature(body, header, secrets)).toBe(true);
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['empty', ''],
      ['a bare scheme', 'v1='],
      ['only commas', ',,,'],
      ['the right digest under v2', `v2=${hexOf(valid)}`],
      ['the right digest without a scheme', hexOf(valid)],
      ['an upper-case scheme', `V1=${hexOf(valid)}`],
      ['a space inside the value', `v1= ${hexOf(valid)}`],
      ['a truncated digest', valid.slice(0, -2)],
      ['a digest with a byte too many', `${valid}00`],
      ['a non-hex digest', `v1=${hexOf(valid).slice(0, -1)}g`],
      ['the digest in base64', `v1=${Buffer.from(hexOf(valid), 'hex').toString('base64')}`],
      ['semicolon-separated values', `v1=${otherHex};${valid}`],
    ])('rejects %s', (_name, header) => {
      expect(verifyPagerDutySignature(body, header, secrets)).toBe(false);
    });
  });

  describe('secrets', () => {
    it('rejects everything when no secret is configured', () => {
      expect(verifyPagerDutySignature(body, GO_PAGERDUTY.valid, [])).toBe(false);
    });

    it('never verifies with an empty secret', () => {
      // HMAC-SHA256 of an empty body under an empty key.
      const signedWithEmptyKey =
        'v1=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad';
      expect(verifyPagerDutySignature(Buffer.alloc(0), signedWithEmptyKey, [''])).toBe(false);
      expect(() => signPagerDutyPayload('x', '')).toThrow(RangeError);
    });

    it('returns false rather than throwing on values that slipped past the types', () => {
      const loose = verifyPagerDutySignature as (...args: unknown[]) => boolean;
      expect(loose(GO_PAGERDUTY.body, GO_PAGERDUTY.valid, [GO_PAGERDUTY.secret])).toBe(false);
      expect(loose(undefined, GO_PAGERDUTY.valid, [GO_PAGERDUTY.secret])).toBe(false);
      expect(loose(body, 42, [GO_PAGERDUTY.secret])).toBe(false);
      expect(loose(body, GO_PAGERDUTY.valid, undefined)).toBe(false);
      expect(loose(body, GO_PAGERDUTY.valid, [undefined, 7, GO_PAGERDUTY.secret])).toBe(true);
    });
  });

  describe('properties', () => {
    const secret = fc.string({ unit: 'binary', minLength: 1, maxLength: 80 });
    const rawBody = fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes));

    it('verifies any body signed with any secret', () => {
      fc.assert(
        fc.property(rawBody, secret, (payload, key) => {
          const header = signPagerDutyPayload(payload, key);
          expect(header).toMatch(/^v1=[0-9a-f]{64}$/);
          expect(verifyPagerDutySignature(payload, header, [key])).toBe(true);
        }),
        { numRuns: 200 },
      );
    });

    it('rejects any single bit flip in the body', () => {
      fc.assert(
        fc.property(
          rawBody.filter((b) => b.length > 0),
          secret,
          fc.nat(),
          fc.integer({ min: 0, max: 7 }),
          (payload, key, position, bit) => {
            const header = signPagerDutyPayload(payload, key);
            const flipped = Buffer.from(payload);
            flipped[position % flipped.length] ^= 1 << bit;
            expect(verifyPagerDutySignature(flipped, header, [key])).toBe(false);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('rejects the signature under any other secret', () => {
      fc.assert(
        fc.property(rawBody, secret, secret, (payload, key, otherKey) => {
          fc.pre(key !== otherKey);
          const header = signPagerDutyPayload(payload, key);
          expect(verifyPagerDutySignature(payload, header, [otherKey])).toBe(false);
        }),
        { numRuns: 200 },
      );
    });

    it('never throws on arbitrary header strings, and matches none of them', () => {
      const header = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc
          .array(
            fc.oneof(
              fc.string(),
              fc.stringMatching(/^v[0-9]=[0-9a-fA-F]{0,70}$/),
              fc.string({ unit: 'binary' }).map((s) => `v1=${s}`),
            ),
            { maxLength: 8 },
          )
          .map((values) => values.join(',')),
      );
      fc.assert(
        fc.property(header, fc.array(secret, { maxLength: 3 }), (value, secrets) => {
          expect(verifyPagerDutySignature(body, value, secrets)).toBe(false);
        }),
        { numRuns: 300 },
      );
    });

    it('accepts the valid value at any position among other signatures and versions', () => {
      const noise = fc.oneof(
        fc
          .uint8Array({ minLength: 32, maxLength: 32 })
          .map((b) => `v1=${Buffer.from(b).toString('hex')}`),
        fc
          .uint8Array({ minLength: 32, maxLength: 32 })
          .map((b) => `v0=${Buffer.from(b).toString('hex')}`),
        fc
          .uint8Array({ minLength: 32, maxLength: 32 })
          .map((b) => `v2=${Buffer.from(b).toString('hex')}`),
        fc.constant('v1=not-hex'),
      );
      const separator = fc.constantFrom(',', ', ', ',  ', ',\t');
      fc.assert(
        fc.property(
          rawBody,
          secret,
          fc.array(noise, { maxLength: 6 }),
          fc.nat(),
          fc.array(separator, { minLength: 7, maxLength: 7 }),
          (payload, key, others, position, separators) => {
            const values = [...others];
            values.splice(position % (others.length + 1), 0, signPagerDutyPayload(payload, key));
            const header = values.reduce((acc, value, i) => `${acc}${separators[i]}${value}`);
            expect(verifyPagerDutySignature(payload, header, ['unrelated-secret', key])).toBe(true);
            expect(verifyPagerDutySignature(payload, header, ['unrelated-secret'])).toBe(false);
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
