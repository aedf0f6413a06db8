import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { HEADERS, parseMessage, TOPICS } from '@app/contracts';
import { signPagerDutyPayload, verifyPagerDutySignature } from '@app/crypto';
import {
  makeIncidentWebhook,
  makePingWebhook,
  PAGERDUTY_TEST_VECTOR,
} from '../src/testing/pagerduty-webhook.factory';
import { ChannelPublisher, type TestChannel, testKeyRing } from './support/channels';
import {
  metric,
  type RunningInboundWebhook,
  startInboundWebhook,
  waitFor,
} from './support/inbound-webhook-app';
import { TopicRecorder } from './support/topic-recorder';
import { percentiles, WebhookClient } from './support/webhook-client';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new Error(`${name} must be set (test/global-setup.ts)`);
  return value;
};

const HOUR = 3_600_000;
const hexOf = (signature: string) => signature.slice('v1='.length);

describe('POST /v1/webhooks/pagerduty/:channelId against real Kafka and PostgreSQL', () => {
  const keys = testKeyRing();
  const secrets = {
    sealed: `sealed-${randomUUID()}`,
    legacy: `legacy${randomUUID().replace(/-/g, '')}`,
    later: `later-${randomUUID()}`,
    off: `off-${randomUUID()}`,
    fuzz: `fuzz-${randomUUID()}`,
  };
  let service: RunningInboundWebhook;
  let client: WebhookClient;
  let publisher: ChannelPublisher;
  let recorder: TopicRecorder;
  let sealed: TestChannel;
  let legacy: TestChannel;
  let noSecret: TestChannel;
  let off: TestChannel;
  let vector: TestChannel;
  let unopenable: TestChannel;
  let fuzz: TestChannel;
  const report: Record<string, unknown> = {};

  const settle = async () => {
    await waitFor(() => service.outboxDrained(), 'the outbox to drain');
    await recorder.caughtUp();
  };
  const syncEventsFor = (channel: TestChannel, incidentKey?: string) =>
    recorder
      .forChannel(channel.id, TOPICS.incidentSync)
      .filter((m) => incidentKey === undefined || m.value.incidentId === incidentKey);

  beforeAll(async () => {
    const brokers = env('KAFKA_BROKERS');
    service = await startInboundWebhook({
      DATABASE_URL: env('DATABASE_URL'),
      KAFKA_BROKERS: brokers,
      CREDENTIAL_KEYS: keys.spec,
      WEBHOOK_RATE_PER_MINUTE: '100000',
    });
    client = new WebhookClient(service.url);
    publisher = await ChannelPublisher.connect(brokers);
    recorder = await TopicRecorder.start(brokers, [
      TOPICS.incidentSync,
      TOPICS.webhookVerifications,
    ]);

    sealed = await publisher.create({ storedSecret: 'pending' });
    sealed = await publisher.update(sealed, {
      storedSecret: keys.seal(secrets.sealed, sealed.workspaceId),
    });
    legacy = await publisher.create({ storedSecret: secrets.legacy });
    noSecret = await publisher.create({ storedSecret: null });
    off = await publisher.create({ twoWaySync: false, storedSecret: secrets.off });
    vector = await publisher.create({ storedSecret: PAGERDUTY_TEST_VECTOR.secret });
    const otherRing = testKeyRing('other');
    unopenable = await publisher.create({ storedSecret: 'x' });
    unopenable = await publisher.update(unopenable, {
      storedSecret: otherRing.seal('never-opened', unopenable.workspaceId),
    });
    fuzz = await publisher.create({ storedSecret: secrets.fuzz });

    // The replica has every channel once an unsigned request is refused for want of a signature.
    for (const channel of [sealed, legacy, noSecret, vector, unopenable, fuzz]) {
      await waitFor(
        async () => (await client.send(channel.id, '{}', { signature: null })).status === 401,
        `channel ${channel.id} in the replica`,
      );
    }
    await waitFor(
      async () =>
        (await client.send(sealed.id, makePingWebhook(), { secret: secrets.sealed })).status ===
        202,
      'the sealed secret (version 2) in the replica',
    );
    client.timings.length = 0;
  });

  afterAll(async () => {
    const timings = percentiles(client?.timings ?? []);
    report.timings = timings;
    process.stdout.write(`\ninbound-webhook test report: ${JSON.stringify(report)}\n`);
    await recorder?.stop();
    await publisher?.close();
    await service?.close();
  });

  describe('rejections', () => {
    it('answers 404 for an unknown channel, an id that is no UUID, and a channel with two-way sync off', async () => {
      const body = makeIncidentWebhook({ incidentKey: 'inc_404' });

      const unknown = await client.send(randomUUID(), body, { secret: secrets.off });
      const notUuid = await client.send('not-a-channel', body, { secret: secrets.off });
      const disabled = await client.send(off.id, body, { secret: secrets.off });

      expect([unknown.status, notUuid.status, disabled.status]).toEqual([404, 404, 404]);
      expect(disabled.body).toEqual(unknown.body);
      expect(unknown.body).toMatchObject({ statusCode: 404 });
    });

    describe('signature headers', () => {
      const incidentKey = `inc_sig_${randomUUID()}`;
      const bytes = Buffer.from(JSON.stringify(makeIncidentWebhook({ incidentKey })));
      const valid = () => signPagerDutyPayload(bytes, secrets.sealed);
      const other = () => signPagerDutyPayload(bytes, 'someone-elses-secret');

      it.each<[string, () => string | null]>([
        ['missing', () => null],
        ['empty', () => ''],
        ['a bare scheme', () => 'v1='],
        ['not hex', () => `v1=${'zz'.repeat(32)}`],
        ['signed with another secret', other],
        ['one hex digit short', () => valid().slice(0, -1)],
        ['one hex digit long', () => `${valid()}0`],
        ['half the digest', () => valid().slice(0, 3 + 32)],
        ['the right digest under another version', () => `v0=${hexOf(valid())}`],
        ['the right digest without a scheme', () => hexOf(valid())],
        ['two wrong values', () => `${other()},v1=${'0'.repeat(64)}`],
        [
          'signed with the sealed (stored) form of the secret',
          () =>
            signPagerDutyPayload(bytes, sealed.snapshot.channel.twoWaySync.signingSecret ?? 'x'),
        ],
      ])('answers 401 for a signature that is %s', async (_, signature) => {
        const res = await client.send(sealed.id, bytes, { signature: signature() });

        expect(res.status).toBe(401);
        expect(res.body).toEqual({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'signature verification failed',
        });
      });

      it('published nothing for any of them', async () => {
        await settle();

        expect(syncEventsFor(sealed, incidentKey)).toEqual([]);
      });
    });

    it('accepts a two-value header during rotation, the valid value first or second', async () => {
      const [firstKey, secondKey] = [`inc_rot_${randomUUID()}`, `inc_rot_${randomUUID()}`];
      const first = makeIncidentWebhook({ incidentKey: firstKey });
      const second = makeIncidentWebhook({ incidentKey: secondKey });
      const wrong = `v1=${'a'.repeat(64)}`;

      const a = await client.send(sealed.id, first, {
        signature: `${signPagerDutyPayload(JSON.stringify(first), secrets.sealed)},${wrong}`,
      });
      const b = await client.send(sealed.id, second, {
        signature: `${wrong}, ${signPagerDutyPayload(JSON.stringify(second), secrets.sealed)}`,
      });

      expect([a.status, b.status]).toEqual([202, 202]);
      await settle();
      expect(syncEventsFor(sealed, firstKey)).toHaveLength(1);
      expect(syncEventsFor(sealed, secondKey)).toHaveLength(1);
    });

    it('answers 401 for a body changed by one byte after signing', async () => {
      const incidentKey = `inc_byte_${randomUUID()}`;
      const bytes = Buffer.from(JSON.stringify(makeIncidentWebhook({ incidentKey })));
      const signature = signPagerDutyPayload(bytes, secrets.sealed);
      const changed = Buffer.from(bytes);
      const at = changed.indexOf('inc_byte_') + 4;
      changed[at] = changed[at] ^ 0x01;

      const res = await client.send(sealed.id, changed, { signature });

      expect(res.status).toBe(401);
      await settle();
      expect(
        recorder
          .forChannel(sealed.id)
          .filter((m) => JSON.stringify(m.value).includes(incidentKey.slice(9))),
      ).toEqual([]);
    });

    it('answers 413 with a small JSON body for 300 KB, before looking at the signature', async () => {
      const before = metric(await service.metrics(), 'webhook_requests_total', {
        outcome: 'too_large',
      });
      const big = Buffer.alloc(300 * 1024, 'a');

      const res = await client.send(sealed.id, big, { signature: 'v1=whatever' });

      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'body exceeds 262144 bytes',
      });
      const after = await service.metrics();
      expect(metric(after, 'webhook_requests_total', { outcome: 'too_large' })).toBe(before + 1);
      expect(metric(after, 'webhook_requests_total', { outcome: 'bad_signature' })).toBeGreaterThan(
        0,
      );
    });

    it('accepts a signed body of exactly 262,144 bytes', async () => {
      const ping = makePingWebhook();
      const skeleton = JSON.stringify({ ...ping, padding: '' });
      const bytes = Buffer.from(
        JSON.stringify({ ...ping, padding: 'p'.repeat(262_144 - Buffer.byteLength(skeleton)) }),
      );
      expect(bytes.length).toBe(262_144);

      const res = await client.send(legacy.id, bytes, { secret: secrets.legacy });

      expect(res.status).toBe(202);
    });

    it('answers 401 for a channel whose sealed secret cannot be opened, and says so in a metric', async () => {
      const body = makeIncidentWebhook({ incidentKey: 'inc_unopenable' });

      const res = await client.send(unopenable.id, body, { secret: 'never-opened' });

      expect(res.status).toBe(401);
      expect(
        metric(await service.metrics(), 'webhook_signing_secret_unusable_total', {
          reason: 'unknown_key',
        }),
      ).toBeGreaterThan(0);
    });

    it('answers 400 for a verified body that is not a webhook event', async () => {
      for (const body of ['not json', '[]', '{"event":{}}', '{"event":{"id":"E1"}}']) {
        const res = await client.send(legacy.id, body, { secret: secrets.legacy });

        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
    });
  });

  describe('verification ping', () => {
    it('answers 401 before the signing secret is saved, then 202 and a verification message', async () => {
      const ping = makePingWebhook();

      const early = await client.send(noSecret.id, ping, { secret: secrets.later });
      expect(early.status).toBe(401);

      noSecret = await publisher.update(noSecret, {
        storedSecret: keys.seal(secrets.later, noSecret.workspaceId),
      });
      const later = await waitFor(async () => {
        const res = await client.send(noSecret.id, ping, {
          secret: secrets.later,
          webhookId: 'wh-ping-1',
        });
        return res.status === 202 ? res : undefined;
      }, 'the saved secret to reach the replica');

      expect(later.body).toEqual({ status: 'accepted' });
      await settle();
      const verifications = recorder.forChannel(noSecret.id, TOPICS.webhookVerifications);
      expect(verifications).toHaveLength(1);
      const [message] = verifications;
      expect(message.key).toBe(noSecret.id);
      expect(message.headers[HEADERS.origin]).toBe('pagerduty');
      expect(message.value).toMatchObject({
        type: 'channel.webhook_verified',
        workspaceId: noSecret.workspaceId,
        channelId: noSecret.id,
        pagerdutyEventId: ping.event.id,
        webhookId: 'wh-ping-1',
      });
      expect(parseMessage(TOPICS.webhookVerifications, JSON.stringify(message.value)).ok).toBe(
        true,
      );
    });
  });

  describe('acknowledge and resolve', () => {
    it('publishes exactly one sync event, with the workspace of the channel', async () => {
      const incidentKey = `inc_ack_${randomUUID()}`;
      const body = makeIncidentWebhook({ incidentKey, number: 42, incidentId: 'Q1ACK' });
      // Whatever the payload claims, the channel decides the workspace.
      (body as Record<string, unknown>).workspace_id = 'ws_someone_else';

      const res = await client.send(sealed.id, body, {
        secret: secrets.sealed,
        webhookId: 'wh-ack-1',
      });

      expect(res.status).toBe(202);
      expect(res.body).toEqual({ status: 'accepted' });
      await settle();
      const events = syncEventsFor(sealed, incidentKey);
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event.key).toBe(incidentKey);
      expect(event.headers).toMatchObject({
        [HEADERS.origin]: 'pagerduty',
        [HEADERS.channelId]: sealed.id,
        [HEADERS.correlationId]: 'wh-ack-1',
      });
      expect(event.value).toEqual({
        eventId: expect.any(String),
        type: 'incident.acknowledged',
        occurredAt: body.event.occurred_at,
        workspaceId: sealed.workspaceId,
        incidentId: incidentKey,
        channelId: sealed.id,
        source: 'pagerduty',
        pagerduty: {
          eventId: body.event.id,
          incidentId: 'Q1ACK',
          incidentNumber: 42,
          htmlUrl: 'https://acme.pagerduty.com/incidents/Q1ACK',
        },
        actor: { id: 'PUSER01', name: 'Jane Doe', type: 'user_reference' },
      });
      expect(parseMessage(TOPICS.incidentSync, JSON.stringify(event.value)).ok).toBe(true);

      const [row] = await service.dataSource.query<
        { webhook_id: string; raw_body: Buffer; message_event_id: string; outcome: string }[]
      >(
        `SELECT webhook_id, raw_body, message_event_id, outcome FROM inbound_webhook.webhook_events
          WHERE channel_id = $1 AND pagerduty_event_id = $2`,
        [sealed.id, body.event.id],
      );
      expect(row.webhook_id).toBe('wh-ack-1');
      expect(row.outcome).toBe('synced');
      expect(row.message_event_id).toBe(event.value.eventId);
      expect(row.raw_body.equals(Buffer.from(JSON.stringify(body)))).toBe(true);
    });

    it('publishes a resolve our own outbound-pager made, keeping the agent type (legacy plaintext secret)', async () => {
      const incidentKey = `inc_res_${randomUUID()}`;
      const body = makeIncidentWebhook({
        eventType: 'incident.resolved',
        incidentKey,
        agent: { id: 'PSVC001', type: 'service_reference', summary: 'AxioRank' },
      });

      const res = await client.send(legacy.id, body, { secret: secrets.legacy });

      expect(res.status).toBe(202);
      await settle();
      const events = syncEventsFor(legacy, incidentKey);
      expect(events).toHaveLength(1);
      expect(events[0].value).toMatchObject({
        type: 'incident.resolved',
        workspaceId: legacy.workspaceId,
        actor: { id: 'PSVC001', name: 'AxioRank', type: 'service_reference' },
      });
    });

    it('turns the same delivery sent three times, and three concurrent copies, into one sync event each', async () => {
      const before = metric(await service.metrics(), 'webhook_duplicates_total');
      const sequentialKey = `inc_dup_${randomUUID()}`;
      const concurrentKey = `inc_dup_${randomUUID()}`;
      const sequential = Buffer.from(
        JSON.stringify(makeIncidentWebhook({ incidentKey: sequentialKey })),
      );
      const concurrent = Buffer.from(
        JSON.stringify(makeIncidentWebhook({ incidentKey: concurrentKey })),
      );

      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (
            await client.send(sealed.id, sequential, {
              secret: secrets.sealed,
              webhookId: 'wh-dup',
            })
          ).status,
        );
      }
      const parallel = await Promise.all(
        [1, 2, 3].map(() =>
          client.send(sealed.id, concurrent, { secret: secrets.sealed, webhookId: 'wh-dup-2' }),
        ),
      );

      expect([...statuses, ...parallel.map((r) => r.status)]).toEqual([
        202, 202, 202, 202, 202, 202,
      ]);
      await settle();
      expect(syncEventsFor(sealed, sequentialKey)).toHaveLength(1);
      expect(syncEventsFor(sealed, concurrentKey)).toHaveLength(1);
      const duplicates = metric(await service.metrics(), 'webhook_duplicates_total') - before;
      expect(duplicates).toBe(4);
      report.duplicates = {
        deliveries: 6,
        distinctEvents: 2,
        syncEvents:
          syncEventsFor(sealed, sequentialKey).length + syncEventsFor(sealed, concurrentKey).length,
        counted: duplicates,
      };
    });
  });

  describe('verified events that are ignored', () => {
    it("accepts PagerDuty's public test vector as a verified incident.priority_updated and ignores it", async () => {
      const before = metric(await service.metrics(), 'webhook_events_ignored_total', {
        reason: 'event_type',
      });

      const wrong = await client.send(vector.id, PAGERDUTY_TEST_VECTOR.body, {
        signature: PAGERDUTY_TEST_VECTOR.mismatchedSignature,
      });
      const right = await client.send(vector.id, PAGERDUTY_TEST_VECTOR.body, {
        signature: PAGERDUTY_TEST_VECTOR.validSignature,
      });

      expect(wrong.status).toBe(401);
      expect(right.status).toBe(202);
      expect(
        metric(await service.metrics(), 'webhook_events_ignored_total', { reason: 'event_type' }),
      ).toBe(before + 1);
      const [row] = await service.dataSource.query<
        { outcome: string; ignored_reason: string; raw_body: Buffer }[]
      >(
        `SELECT outcome, ignored_reason, raw_body FROM inbound_webhook.webhook_events WHERE channel_id = $1`,
        [vector.id],
      );
      expect(row).toMatchObject({ outcome: 'ignored', ignored_reason: 'event_type' });
      expect(row.raw_body.toString('utf8')).toBe(PAGERDUTY_TEST_VECTOR.body);
      await settle();
      expect(recorder.forChannel(vector.id)).toEqual([]);
    });

    it.each([
      [
        'incident.triggered',
        'event_type',
        { eventType: 'incident.triggered', incidentKey: 'inc_trig' },
      ],
      ['an acknowledge without incident_key', 'no_incident_key', {}],
      [
        'an acknowledge older than the window',
        'stale',
        { incidentKey: 'inc_old', occurredAt: new Date(Date.now() - 100 * HOUR).toISOString() },
      ],
    ])('answers 202 to %s, counts it as %s and publishes nothing', async (_, reason, options) => {
      const before = metric(await service.metrics(), 'webhook_events_ignored_total', { reason });
      const channel = await publisher.create({ storedSecret: secrets.legacy });
      await waitFor(
        async () => (await client.send(channel.id, '{}', { signature: null })).status === 401,
        'channel',
      );

      const res = await client.send(channel.id, makeIncidentWebhook(options), {
        secret: secrets.legacy,
      });

      expect(res.status).toBe(202);
      expect(metric(await service.metrics(), 'webhook_events_ignored_total', { reason })).toBe(
        before + 1,
      );
      await settle();
      expect(recorder.forChannel(channel.id)).toEqual([]);
    });
  });

  describe('fuzzed bodies and headers', () => {
    it('never answers 5xx and never publishes without a valid signature', async () => {
      const printable = fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 200,
      });
      const eventLike = fc
        .record({
          id: fc.oneof(fc.uuid(), fc.anything()),
          event_type: fc.oneof(
            fc.constantFrom(
              'incident.acknowledged',
              'incident.resolved',
              'pagey.ping',
              'incident.triggered',
            ),
            fc.anything(),
          ),
          occurred_at: fc.oneof(fc.constant(new Date().toISOString()), fc.anything()),
          agent: fc.oneof(
            fc.constant(null),
            fc.record({ id: fc.anything(), summary: fc.anything(), type: fc.anything() }),
          ),
          data: fc.oneof(
            fc.record({
              id: fc.anything(),
              incident_key: fc.oneof(fc.uuid(), fc.anything()),
              number: fc.anything(),
              html_url: fc.anything(),
            }),
            fc.anything(),
          ),
        })
        .map((event) => Buffer.from(JSON.stringify({ event }) ?? 'null'));
      const body = fc.oneof(
        fc.uint8Array({ maxLength: 1024 }).map((b) => Buffer.from(b)),
        fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
        eventLike,
        fc
          .uuid()
          .map((key) =>
            Buffer.from(JSON.stringify(makeIncidentWebhook({ incidentKey: `inc_fuzz_${key}` }))),
          ),
      );
      const signatureFor = (bytes: Buffer) =>
        fc.oneof(
          fc.constant<string | null>(null),
          printable,
          fc.constant(signPagerDutyPayload(bytes, secrets.fuzz)),
          fc.constant(signPagerDutyPayload(bytes, secrets.legacy)),
          fc.constant(`v0=${hexOf(signPagerDutyPayload(bytes, secrets.fuzz))}`),
          fc.constant(signPagerDutyPayload(Buffer.concat([bytes, Buffer.from(' ')]), secrets.fuzz)),
          printable.map((junk) => `${junk},${signPagerDutyPayload(bytes, secrets.fuzz)}`),
          fc
            .string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), maxLength: 70 })
            .map((hex) => `v1=${hex}`),
        );
      const request = body.chain((bytes) =>
        fc.record({
          bytes: fc.constant(bytes),
          signature: signatureFor(bytes),
          webhookId: fc.option(printable, { nil: null }),
          contentType: fc.constantFrom(
            'application/json',
            'text/plain',
            'application/octet-stream',
            '',
          ),
        }),
      );

      const validlySigned = new Set<string>();
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(request, async ({ bytes, signature, webhookId, contentType }) => {
          const res = await client.send(fuzz.id, bytes, {
            signature,
            webhookId,
            headers: contentType === '' ? {} : { 'content-type': contentType },
          });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status).toBeLessThan(500);
          const valid = verifyPagerDutySignature(bytes, signature, [secrets.fuzz]);
          if (!valid) {
            expect(res.status).toBe(401);
          } else {
            expect([202, 400]).toContain(res.status);
            try {
              const id = (JSON.parse(bytes.toString('utf8')) as { event?: { id?: unknown } }).event
                ?.id;
              if (typeof id === 'string') validlySigned.add(id);
            } catch {
              // not JSON: answered 400, nothing to publish
            }
          }
        }),
        { numRuns: 300 },
      );

      await settle();
      const published = recorder.forChannel(fuzz.id);
      for (const message of published) {
        const pagerdutyEventId =
          message.topic === TOPICS.incidentSync
            ? (message.value.pagerduty as { eventId: string }).eventId
            : (message.value.pagerdutyEventId as string);
        expect(validlySigned.has(pagerdutyEventId)).toBe(true);
      }
      const eventIds = published.map((m) => m.value.eventId);
      expect(new Set(eventIds).size).toBe(eventIds.length);
      report.fuzz = {
        runs: 300,
        statuses: Object.fromEntries(statuses),
        published: published.length,
      };
    });
  });
});
