import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Pool } from 'undici';
import { dlqTopic, makeChannelSnapshot, TOPICS, type ChannelSnapshotV1 } from '@app/contracts';
import { KeyRing, sealSecret, signPagerDutyPayload } from '@app/crypto';
import { kafkaBrokers, type ServiceProcess, waitFor } from '@app/testing';
import {
  credentialKey,
  ensureTopics,
  metric,
  ScratchDatabase,
  startApp,
  summary,
  topicEnds,
} from './security-support';

/**
 * H1: property-based fuzzing of inbound-webhook's public endpoint. Bodies, signatures and
 * headers come from fast-check; the channel ids are a real channel with a saved signing
 * secret, channels without a secret or with sync off, unknown ids and junk. Nothing unsigned
 * may ever be accepted, stored or published, and nothing may answer 5xx.
 */
describe('H1 inbound-webhook under a fuzzed stream of unsigned and mis-signed webhooks', () => {
  const REQUESTS = 10_000;
  const VALID_EVERY = 250;
  const CONCURRENCY = 12;
  const BODY_LIMIT = 262_144;
  const seed = Number(process.env.FAULTS_SEED ?? Date.now() % 2 ** 31);
  const key = credentialKey('h1');
  const secret = randomBytes(32).toString('base64');
  const ownTopics = [
    TOPICS.incidentSync,
    TOPICS.webhookVerifications,
    dlqTopic(TOPICS.incidentSync),
    dlqTopic(TOPICS.webhookVerifications),
    dlqTopic(TOPICS.channels),
  ];
  let db: ScratchDatabase;
  let inbound: ServiceProcess;
  let producer: Producer;
  let main: ChannelSnapshotV1;
  let noSecret: ChannelSnapshotV1;
  let syncOff: ChannelSnapshotV1;

  const snapshot = (enabled: boolean, withSecret: boolean): ChannelSnapshotV1 => {
    const base = makeChannelSnapshot({});
    const ws = base.channel.workspaceId;
    return makeChannelSnapshot({
      channel: {
        id: base.channel.id,
        workspaceId: ws,
        twoWaySync: {
          enabled,
          signingSecret: withSecret ? sealSecret(secret, ws, KeyRing.parse(key.spec)) : null,
          verifiedAt: null,
        },
      },
    });
  };

  beforeAll(async () => {
    db = await ScratchDatabase.create('faults_h1');
    await ensureTopics();
    producer = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    [main, noSecret, syncOff] = [
      snapshot(true, true),
      snapshot(true, false),
      snapshot(false, true),
    ];
    await producer.send({
      topic: TOPICS.channels,
      acks: -1,
      messages: [main, noSecret, syncOff].map((s) => ({
        key: s.channel.id,
        value: JSON.stringify(s),
      })),
    });
    inbound = await startApp('inbound-webhook', {
      databaseUrl: db.url,
      credentialKeys: key.spec,
      label: 'h1',
      logLevel: 'warn',
      // The per-channel limit would turn most of the fuzz into 429s before the signature check.
      env: { WEBHOOK_RATE_PER_MINUTE: '1000000' },
    });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await inbound?.stop();
    await db?.drop();
  });

  type Target = 'main' | 'no_secret' | 'sync_off' | 'unknown' | 'junk_id';
  type Signature =
    | { kind: 'none' }
    | { kind: 'raw'; value: string }
    | { kind: 'wrong_secret'; secret: string }
    | { kind: 'other_body'; suffix: string }
    | { kind: 'flipped'; at: number }
    | { kind: 'truncated'; length: number }
    | { kind: 'prefixed'; prefix: string }
    | { kind: 'many'; count: number };
  interface FuzzCase {
    target: Target;
    junkId: string;
    body: { kind: 'bytes'; bytes: Uint8Array } | { kind: 'text'; text: string } | { kind: 'huge' };
    signature: Signature;
    contentType: string | null;
    contentEncoding: string | null;
    webhookId: string | null;
    extraHeader: [string, string] | null;
  }

  const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
  const pagerDutyEvent = fc
    .record({
      id: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
      event_type: fc.constantFrom(
        'incident.acknowledged',
        'incident.resolved',
        'pagey.ping',
        'incident.triggered',
        'x',
      ),
      resource_type: fc.constantFrom('incident', 'pagey'),
      occurred_at: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string(),
      ),
      agent: fc.oneof(fc.constant(null), fc.object()),
      data: fc.record({
        id: fc.string(),
        incident_key: fc.oneof(fc.string(), fc.constant(`inc_${randomUUID()}`)),
        number: fc.integer(),
        html_url: fc.webUrl(),
      }),
    })
    .map((event) => JSON.stringify({ event }));

  const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
    target: fc.constantFrom<Target>(
      'main',
      'main',
      'main',
      'main',
      'main',
      'no_secret',
      'sync_off',
      'unknown',
      'junk_id',
    ),
    junkId: fc.oneof(fc.string({ maxLength: 80 }), fc.uuid(), fc.constant('../../health/ready')),
    body: fc.oneof(
      { weight: 40, arbitrary: pagerDutyEvent.map((text) => ({ kind: 'text' as const, text })) },
      { weight: 20, arbitrary: fc.json().map((text) => ({ kind: 'text' as const, text })) },
      {
        weight: 15,
        arbitrary: fc
          .uint8Array({ maxLength: 2048 })
          .map((bytes) => ({ kind: 'bytes' as const, bytes })),
      },
      {
        weight: 10,
        arbitrary: fc.string({ unit: 'binary', maxLength: 512 }).map((text) => ({
          kind: 'text' as const,
          text,
        })),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'huge' as const }) },
    ),
    signature: fc.oneof(
      fc.constant<Signature>({ kind: 'none' }),
      fc
        .oneof(
          printable(200),
          fc.stringMatching(/^v1=[0-9a-f]{64}$/),
          fc
            .array(fc.stringMatching(/^v[0-9]=[0-9a-fA-F]{0,70}$/), { maxLength: 8 })
            .map((parts) => parts.join(',')),
        )
        .map((value): Signature => ({ kind: 'raw', value })),
      fc
        .string({ minLength: 1, maxLength: 64 })
        .filter((s) => s !== secret)
        .map((s): Signature => ({ kind: 'wrong_secret', secret: s })),
      fc.string({ minLength: 1, maxLength: 8 }).map((s): Signature => ({
        kind: 'other_body',
        suffix: s,
      })),
      fc.integer({ min: 0, max: 63 }).map((at): Signature => ({ kind: 'flipped', at })),
      fc.integer({ min: 0, max: 63 }).map((length): Signature => ({ kind: 'truncated', length })),
      fc
        .constantFrom('v0=', 'v2=', 'v1:', 'sha256=', 'v1=v1=', '')
        .map((prefix): Signature => ({ kind: 'prefixed', prefix })),
      fc.integer({ min: 2, max: 60 }).map((count): Signature => ({ kind: 'many', count })),
    ),
    contentType: fc.oneof(
      fc.constant('application/json'),
      fc.constant(null),
      fc.constantFrom('text/plain', 'application/json; charset=utf-16', 'multipart/form-data'),
      printable(60),
    ),
    contentEncoding: fc.oneof(
      { weight: 10, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-junk') },
    ),
    webhookId: fc.oneof(fc.constant(null), fc.uuid(), printable(400)),
    extraHeader: fc.oneof(
      { weight: 5, arbitrary: fc.constant(null) },
      {
        weight: 1,
        arbitrary: fc.tuple(
          fc.constantFrom('x-forwarded-for', 'x-pagerduty-signature-2', 'x-webhook-subscription'),
          printable(100),
        ),
      },
    ),
  });

  const hmac = (bytes: Buffer, key: string) =>
    createHmac('sha256', key).update(bytes).digest('hex');

  /** The request a case describes; its signature is never a valid one for its body. */
  function render(c: FuzzCase): { path: string; body: Buffer; headers: Record<string, string> } {
    const body =
      c.body.kind === 'huge'
        ? Buffer.alloc(BODY_LIMIT + 1 + (c.junkId.length % 1000), 0x7b)
        : c.body.kind === 'bytes'
          ? Buffer.from(c.body.bytes)
          : Buffer.from(c.body.text, 'utf8');
    const real = hmac(body, secret);
    let signature: string | undefined;
    switch (c.signature.kind) {
      case 'none':
        break;
      case 'raw':
        signature = c.signature.value;
        break;
      case 'wrong_secret':
        signature = `v1=${hmac(body, c.signature.secret)}`;
        break;
      case 'other_body':
        signature = `v1=${hmac(Buffer.concat([body, Buffer.from(c.signature.suffix)]), secret)}`;
        break;
      case 'flipped': {
        const i = c.signature.at;
        const flipped = real[i] === '0' ? '1' : '0';
        signature = `v1=${real.slice(0, i)}${flipped}${real.slice(i + 1)}`;
        break;
      }
      case 'truncated':
        signature = `v1=${real.slice(0, c.signature.length)}`;
        break;
      case 'prefixed':
        signature = `${c.signature.prefix}${real}`;
        break;
      case 'many':
        signature = Array.from({ length: c.signature.count }, (_, i) =>
          i === 0 ? `v1=${real.slice(0, 63)}` : `v1=${randomBytes(32).toString('hex')}`,
        ).join(',');
        break;
    }
    const id =
      c.target === 'main'
        ? main.channel.id
        : c.target === 'no_secret'
          ? noSecret.channel.id
          : c.target === 'sync_off'
            ? syncOff.channel.id
            : c.target === 'unknown'
              ? randomUUID()
              : c.junkId;
    const headers: Record<string, string> = { 'user-agent': 'PagerDuty-Webhook/V3.0' };
    if (c.contentType !== null) headers['content-type'] = c.contentType;
    if (c.contentEncoding !== null) headers['content-encoding'] = c.contentEncoding;
    if (c.webhookId !== null) headers['x-webhook-id'] = c.webhookId;
    if (signature !== undefined) headers['x-pagerduty-signature'] = signature;
    if (c.extraHeader) headers[c.extraHeader[0]] = c.extraHeader[1];
    return { path: `/v1/webhooks/pagerduty/${encodeURIComponent(id)}`, body, headers };
  }

  /** A correctly signed event that inbound-webhook stores as ignored: proves the path works. */
  function validIgnored(): { path: string; body: Buffer; headers: Record<string, string> } {
    const body = Buffer.from(
      JSON.stringify({
        event: {
          id: `01${randomUUID().replace(/-/g, '').toUpperCase()}`,
          event_type: 'incident.priority_updated',
          resource_type: 'incident',
          occurred_at: new Date().toISOString(),
          agent: null,
          client: null,
          data: { id: 'QFUZZ', type: 'incident' },
        },
      }),
    );
    return {
      path: `/v1/webhooks/pagerduty/${main.channel.id}`,
      body,
      headers: {
        'content-type': 'application/json',
        'x-pagerduty-signature': signPagerDutyPayload(body, secret),
        'x-webhook-id': randomUUID(),
      },
    };
  }

  it(`accepts none of ${REQUESTS} fuzzed requests, never answers 5xx, stores and publishes nothing`, async () => {
    const started = Date.now();
    const before = await topicEnds(ownTopics);
    const cases = fc.sample(fuzzCase, { numRuns: REQUESTS, seed });
    const pool = new Pool(inbound.url, { connections: CONCURRENCY, keepAliveTimeout: 30_000 });
    const statuses = new Map<number, number>();
    const offenders: string[] = [];
    let validAccepted = 0;
    let validSent = 0;
    let next = 0;

    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= cases.length) return;
        const control = i % VALID_EVERY === VALID_EVERY - 1;
        const request = control ? validIgnored() : render(cases[i]);
        let status: number;
        try {
          const res = await pool.request({ method: 'POST', ...request });
          status = res.statusCode;
          await res.body.dump();
        } catch (error) {
          // A connection reset without an answer counts against the service like a 5xx.
          status = 599;
          offenders.push(`#${i} ${error instanceof Error ? error.message : String(error)}`);
        }
        if (control) {
          validSent++;
          if (status === 202) validAccepted++;
          else offenders.push(`control #${i} answered ${status}`);
          continue;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status < 400 || status >= 500) {
          offenders.push(`#${i} answered ${status}: ${JSON.stringify(cases[i]).slice(0, 300)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    await pool.close();

    // A signed ping at the end: once its verification message is on the topic, the outbox
    // relay has passed everything stored before it.
    const ping = Buffer.from(
      JSON.stringify({
        event: {
          id: `01${randomUUID().replace(/-/g, '').toUpperCase()}`,
          event_type: 'pagey.ping',
          resource_type: 'pagey',
          occurred_at: new Date().toISOString(),
          agent: null,
          client: null,
          data: { message: 'Hello from your friend Pagey!', type: 'ping' },
        },
      }),
    );
    const pinged = await fetch(`${inbound.url}/v1/webhooks/pagerduty/${main.channel.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-pagerduty-signature': signPagerDutyPayload(ping, secret),
      },
      body: ping,
    });
    expect(pinged.status).toBe(202);
    const after = await waitFor(
      async () => {
        const ends = await topicEnds(ownTopics);
        return ends[TOPICS.webhookVerifications] > before[TOPICS.webhookVerifications]
          ? ends
          : null;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'the control ping to be published' },
    );
    const published = ownTopics.reduce((sum, t) => sum + (after[t] - before[t]), 0) - 1;

    const [events] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inbound_webhook.webhook_events`,
    );
    const [outbox] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inbound_webhook.outbox`,
    );
    const metrics = await (await fetch(`${inbound.url}/metrics`)).text();
    const reached =
      metric(metrics, 'webhook_requests_total', { outcome: 'bad_signature' }) +
      metric(metrics, 'webhook_requests_total', { outcome: 'no_secret' });
    const fuzzed = REQUESTS - validSent;
    const accepted = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    summary(
      'H1 webhook fuzz',
      {
        requests: REQUESTS,
        fuzzed,
        accepted,
        valid_accepted: `${validAccepted}/${validSent}`,
        '5xx': fivexx,
        published,
        stored_unsigned: events.n - validAccepted - 1,
        reached_verification: reached,
        statuses: [...statuses]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}:${n}`)
          .join(','),
        seed,
      },
      started,
    );

    expect(offenders.slice(0, 10)).toEqual([]);
    expect(accepted).toBe(0);
    expect(fivexx).toBe(0);
    expect(validAccepted).toBe(validSent);
    expect(published).toBe(0);
    // Only the signed controls and the ping were stored; only the ping reached the outbox.
    expect(events.n).toBe(validAccepted + 1);
    expect(outbox.n).toBe(1);
    // Most of the fuzz got as far as the signature check instead of bouncing off a limit.
    expect(statuses.get(429) ?? 0).toBe(0);
    expect(reached).toBeGreaterThan(fuzzed / 2);
    expect(inbound.running).toBe(true);
    expect((await fetch(`${inbound.url}/health/ready`)).status).toBe(200);
  });
});
