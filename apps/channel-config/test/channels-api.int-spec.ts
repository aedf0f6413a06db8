import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { HEADERS, parseMessage, TOPICS } from '@app/contracts';
import { isSealed, KeyRing, openSecret } from '@app/crypto';
import {
  consumeAll,
  kafkaBrokers,
  type ServiceProcess,
  TEST_JWT_SECRET,
  tokenFor,
  waitFor,
} from '@app/testing';
import {
  ChannelApi,
  type ChannelBody,
  credentialKey,
  newRoutingKey,
  newSigningSecret,
  newWorkspaceId,
  PUBLIC_WEBHOOK_BASE_URL,
  Simulator,
  startChannelConfig,
  storedChannel,
  ScratchDatabase,
} from './support/harness';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PAGERDUTY_TIMEOUT_MS = 800;

describe('channel-config channels API (built service, real PostgreSQL and Kafka, PagerDuty simulator)', () => {
  const keys = credentialKey('k1');
  const ring = KeyRing.parse(keys);
  /** Every routing key and signing secret this suite sends; none may ever come back out. */
  const secrets: string[] = [];
  let db: ScratchDatabase;
  let sim: Simulator;
  let service: ServiceProcess;
  let api: ChannelApi;

  const routingKey = (): string => {
    const key = newRoutingKey();
    secrets.push(key);
    return key;
  };
  const signingSecret = (): string => {
    const secret = newSigningSecret();
    secrets.push(secret);
    return secret;
  };
  const path = ChannelApi.path;

  async function createChannel(
    workspaceId: string,
    fields: Record<string, unknown> = {},
  ): Promise<ChannelBody> {
    const res = await api.create(workspaceId, {
      name: 'Security on-call',
      routingKey: routingKey(),
      ...fields,
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  beforeAll(async () => {
    [db, sim] = await Promise.all([ScratchDatabase.create('cc_api'), Simulator.start()]);
    service = await startChannelConfig({
      databaseUrl: db.url,
      brokers: kafkaBrokers().join(','),
      simulator: sim,
      credentialKeys: keys,
      env: { PAGERDUTY_TIMEOUT_MS: String(PAGERDUTY_TIMEOUT_MS) },
      label: 'channel-config-api',
    });
    api = new ChannelApi(service.url);
  });

  afterAll(async () => {
    await Promise.allSettled([service?.stop(), sim?.stop()]);
    await db?.drop();
  });

  describe('CRUD over HTTP', () => {
    it("creates a channel and answers 201 with DESIGN's Channel resource, the routing key shown only as a hint", async () => {
      const ws = newWorkspaceId('create');
      const key = routingKey();
      const quietHours = { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' };

      const res = await api.create(ws, {
        name: 'Security on-call',
        routingKey: key,
        region: 'eu',
        mode: 'alerts',
        severityFloor: 'medium',
        quietHours,
        hourlyCap: 20,
        twoWaySync: true,
      });

      expect(res.status).toBe(201);
      const id = res.body.id;
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        workspaceId: ws,
        type: 'pagerduty',
        name: 'Security on-call',
        routingKeyHint: `…${key.slice(-4)}`,
        region: 'eu',
        mode: 'alerts',
        severityFloor: 'medium',
        quietHours,
        hourlyCap: 20,
        twoWaySync: {
          enabled: true,
          webhookUrl: `${PUBLIC_WEBHOOK_BASE_URL}/v1/webhooks/pagerduty/${id}`,
          signingSecretSet: false,
          verifiedAt: null,
        },
        encryptedAtRest: true,
        credentials: { usable: true, problems: [] },
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      expect(res.text).not.toContain(key);
    });

    it('fills the documented defaults when only a name and a routing key are given', async () => {
      const ws = newWorkspaceId('defaults');
      const channel = await createChannel(ws);

      expect(channel).toMatchObject({
        region: 'us',
        mode: 'incidents',
        severityFloor: 'high',
        quietHours: null,
        hourlyCap: null,
        twoWaySync: { enabled: false, webhookUrl: null, signingSecretSet: false, verifiedAt: null },
      });
    });

    it('lists, gets, updates with PATCH and PUT, saves the signing secret and deletes', async () => {
      const ws = newWorkspaceId('crud');
      const first = await createChannel(ws, { name: 'Primary', hourlyCap: 5 });
      const second = await createChannel(ws, { name: 'Secondary', region: 'eu' });

      const list = await api.as<ChannelBody[]>(ws, 'GET', path(ws));
      expect(list.status).toBe(200);
      expect(list.body.map((c) => c.name)).toEqual(['Primary', 'Secondary']);

      const got = await api.get(ws, first.id);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(first);

      const patched = await api.as(ws, 'PATCH', path(ws, first.id), {
        name: 'Primary (renamed)',
        severityFloor: 'critical',
        quietHours: { start: '23:30', end: '06:00', timezone: 'America/New_York' },
        hourlyCap: null,
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({
        ...first,
        name: 'Primary (renamed)',
        severityFloor: 'critical',
        quietHours: { start: '23:30', end: '06:00', timezone: 'America/New_York' },
        hourlyCap: null,
        updatedAt: expect.stringMatching(ISO),
      });
      expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(
        Date.parse(first.updatedAt),
      );
      expect((await api.get(ws, first.id)).body).toEqual(patched.body);

      const newKey = routingKey();
      const put = await api.as(ws, 'PUT', path(ws, first.id), {
        routingKey: newKey,
        region: 'eu',
        mode: 'alerts',
        twoWaySync: true,
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({
        name: 'Primary (renamed)',
        routingKeyHint: `…${newKey.slice(-4)}`,
        region: 'eu',
        mode: 'alerts',
        twoWaySync: {
          enabled: true,
          webhookUrl: `${PUBLIC_WEBHOOK_BASE_URL}/v1/webhooks/pagerduty/${first.id}`,
          signingSecretSet: false,
        },
      });

      const saved = await api.setSigningSecret(ws, first.id, signingSecret());
      expect(saved.status).toBe(204);
      expect(saved.text).toBe('');
      expect((await api.get(ws, first.id)).body.twoWaySync).toEqual({
        enabled: true,
        webhookUrl: `${PUBLIC_WEBHOOK_BASE_URL}/v1/webhooks/pagerduty/${first.id}`,
        signingSecretSet: true,
        verifiedAt: null,
      });

      const off = await api.as(ws, 'PATCH', path(ws, first.id), { twoWaySync: false });
      expect(off.body.twoWaySync).toMatchObject({ enabled: false, webhookUrl: null });

      const deleted = await api.as(ws, 'DELETE', path(ws, first.id));
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await api.get(ws, first.id)).status).toBe(404);
      expect((await api.as(ws, 'DELETE', path(ws, first.id))).status).toBe(404);
      expect((await api.as(ws, 'PATCH', path(ws, first.id), { name: 'x' })).status).toBe(404);
      const after = await api.as<ChannelBody[]>(ws, 'GET', path(ws));
      expect(after.body.map((c) => c.id)).toEqual([second.id]);
    });

    it('refuses a signing secret while two-way sync is off (409), and keeps none', async () => {
      const ws = newWorkspaceId('secret-off');
      const channel = await createChannel(ws);

      const res = await api.setSigningSecret(ws, channel.id, signingSecret());

      expect(res.status).toBe(409);
      expect((await api.get(ws, channel.id)).body.twoWaySync.signingSecretSet).toBe(false);
    });

    it('answers 404 for a channel id that is not a UUID or does not exist', async () => {
      const ws = newWorkspaceId('missing');
      expect((await api.get(ws, 'not-a-uuid')).status).toBe(404);
      expect((await api.get(ws, randomUUID())).status).toBe(404);
      expect((await api.sendTest(ws, randomUUID())).status).toBe(404);
    });
  });

  describe('invalid input', () => {
    const messagesOf = (body: unknown): string[] => {
      const message = (body as { message?: unknown }).message;
      return Array.isArray(message) ? (message as string[]) : [String(message)];
    };
    const expectFieldsNamed = (body: unknown, fields: string[]) => {
      const messages = messagesOf(body);
      for (const field of fields) {
        expect(
          messages.filter((m) => m.startsWith(`${field} `) || m.startsWith(`${field}:`)),
        ).not.toEqual([]);
      }
    };

    it('answers 400 naming every field at fault at once, unknown fields included, and creates nothing', async () => {
      const ws = newWorkspaceId('invalid');
      const badKey = `${newRoutingKey().slice(0, 31)}!`;

      const res = await api.create(ws, {
        name: '',
        routingKey: badKey,
        region: 'mars',
        mode: 'sometimes',
        severityFloor: 'urgent',
        quietHours: { start: '25:00', end: '7pm', timezone: 'Mars/Olympus_Mons', color: 'red' },
        hourlyCap: 0,
        twoWaySync: 'yes',
        webhookSecret: 'smuggled',
      });

      expect(res.status).toBe(400);
      expectFieldsNamed(res.body, [
        'name',
        'routingKey',
        'region',
        'mode',
        'severityFloor',
        'quietHours.start',
        'quietHours.end',
        'quietHours.timezone',
        'quietHours.color',
        'hourlyCap',
        'twoWaySync',
        'webhookSecret',
      ]);
      expect(res.text).not.toContain(badKey);
      expect((await api.as<ChannelBody[]>(ws, 'GET', path(ws))).body).toEqual([]);
    });

    it.each([
      ['31 characters', newRoutingKey().slice(1)],
      ['33 characters', `${newRoutingKey()}a`],
      ['a character that is not a letter or digit', `${newRoutingKey().slice(0, 31)}-`],
      ['a number', 1e31],
    ])('rejects a routing key of %s', async (_, bad) => {
      const ws = newWorkspaceId('badkey');
      const res = await api.create(ws, { name: 'x', routingKey: bad });
      expect(res.status).toBe(400);
      const messages = messagesOf(res.body);
      expect(messages.length).toBeGreaterThan(0);
      expect(messages.filter((m) => !m.startsWith('routingKey '))).toEqual([]);
    });

    it('names both required fields when the body is empty, and rejects a malformed JSON body', async () => {
      const ws = newWorkspaceId('empty');
      const empty = await api.create(ws, {});
      expect(empty.status).toBe(400);
      expectFieldsNamed(empty.body, ['name', 'routingKey']);

      const malformed = await api.raw('POST', path(ws), {
        headers: { authorization: `Bearer ${tokenFor(ws)}`, 'content-type': 'application/json' },
      });
      const broken = await fetch(`${service.url}${path(ws)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokenFor(ws)}`, 'content-type': 'application/json' },
        body: '{"name": "x", "routingKey": ',
      });
      expect([malformed.status, broken.status]).toEqual([400, 400]);
    });

    it('rejects an invalid update naming every field, and leaves the channel as it was', async () => {
      const ws = newWorkspaceId('badpatch');
      const channel = await createChannel(ws, {
        quietHours: { start: '22:00', end: '07:00', timezone: 'UTC' },
      });

      const res = await api.as(ws, 'PATCH', path(ws, channel.id), {
        routingKey: 'too-short',
        region: 'moon',
        hourlyCap: 1.5,
        quietHours: { start: '7am', end: '07:00', timezone: 'Nowhere/City' },
        id: randomUUID(),
      });

      expect(res.status).toBe(400);
      expectFieldsNamed(res.body, [
        'routingKey',
        'region',
        'hourlyCap',
        'quietHours.start',
        'quietHours.timezone',
        'id',
      ]);
      expect((await api.get(ws, channel.id)).body).toEqual(channel);
    });

    it('rejects null for a field that cannot be empty (a 400, not a 500), and keeps the channel', async () => {
      const ws = newWorkspaceId('nulls');
      const channel = await createChannel(ws);

      const res = await api.as(ws, 'PATCH', path(ws, channel.id), {
        name: null,
        routingKey: null,
        region: null,
        mode: null,
        severityFloor: null,
        twoWaySync: null,
      });

      expect(res.status).toBe(400);
      expectFieldsNamed(res.body, [
        'name',
        'routingKey',
        'region',
        'mode',
        'severityFloor',
        'twoWaySync',
      ]);
      for (const field of ['name', 'region', 'mode', 'severityFloor', 'twoWaySync']) {
        const one = await api.as(ws, 'PUT', path(ws, channel.id), { [field]: null });
        expect(one.status).toBe(400);
      }
      expect((await api.get(ws, channel.id)).body).toEqual(channel);
    });

    it('rejects a name PostgreSQL cannot store (a NUL character) with a 400', async () => {
      const ws = newWorkspaceId('nul');
      const res = await api.create(ws, { name: 'on\u0000call', routingKey: routingKey() });
      expect(res.status).toBe(400);
      expectFieldsNamed(res.body, ['name']);
    });

    it("rejects a blank name, and a UTC offset where the channel topic's contract wants an IANA zone", async () => {
      const ws = newWorkspaceId('blank');
      const res = await api.create(ws, {
        name: '   ',
        routingKey: routingKey(),
        quietHours: { start: '22:00', end: '07:00', timezone: '+01:00' },
      });
      expect(res.status).toBe(400);
      expectFieldsNamed(res.body, ['name', 'quietHours.timezone']);
    });

    it('rejects a malformed signing secret and unknown fields beside it', async () => {
      const ws = newWorkspaceId('badsecret');
      const channel = await createChannel(ws, { twoWaySync: true });
      const url = path(ws, channel.id, 'signing-secret');

      const missing = await api.as(ws, 'PUT', url, {});
      const short = await api.as(ws, 'PUT', url, { signingSecret: 'short' });
      const extra = await api.as(ws, 'PUT', url, { signingSecret: signingSecret(), also: 1 });

      expect([missing.status, short.status, extra.status]).toEqual([400, 400, 400]);
      expectFieldsNamed(missing.body, ['signingSecret']);
      expectFieldsNamed(extra.body, ['also']);
      expect((await api.get(ws, channel.id)).body.twoWaySync.signingSecretSet).toBe(false);
    });
  });

  describe('auth', () => {
    const jwt = new JwtService();
    const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = () => Math.floor(Date.now() / 1000);

    it.each([
      ['no Authorization header', () => undefined],
      ['a Basic header', () => `Basic ${Buffer.from('user:pass').toString('base64')}`],
      ['a bearer that is not a JWT', () => 'Bearer not-a-token'],
      [
        'a token signed with another secret',
        (ws: string) => `Bearer ${tokenFor(ws, { secret: 'another-secret-0123456789abcdef' })}`,
      ],
      ['an expired token', (ws: string) => `Bearer ${tokenFor(ws, { expiresIn: -60 })}`],
      [
        'an unsigned token (alg: none)',
        (ws: string) =>
          `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ workspace_id: ws, iat: now(), exp: now() + 600 })}.`,
      ],
      [
        'a token signed with HS512 instead of HS256',
        (ws: string) =>
          `Bearer ${jwt.sign({ workspace_id: ws }, { secret: TEST_JWT_SECRET, algorithm: 'HS512' })}`,
      ],
      [
        'a token without workspace_id',
        () => `Bearer ${jwt.sign({ sub: 'u1' }, { secret: TEST_JWT_SECRET })}`,
      ],
    ])('answers 401 to %s, on every route, and changes nothing', async (_, header) => {
      const ws = newWorkspaceId('unauth');
      const channel = await createChannel(ws, { twoWaySync: true });
      const authorization = header(ws);
      const headers: Record<string, string> = authorization ? { authorization } : {};
      const calls: [Parameters<ChannelApi['raw']>[0], string, unknown][] = [
        ['GET', path(ws), undefined],
        ['POST', path(ws), { name: 'x', routingKey: routingKey() }],
        ['GET', path(ws, channel.id), undefined],
        ['PATCH', path(ws, channel.id), { name: 'hijacked' }],
        ['PUT', path(ws, channel.id), { name: 'hijacked' }],
        ['PUT', path(ws, channel.id, 'signing-secret'), { signingSecret: signingSecret() }],
        ['POST', path(ws, channel.id, 'test'), undefined],
        ['DELETE', path(ws, channel.id), undefined],
      ];

      for (const [method, url, body] of calls) {
        const res = await api.raw(method, url, { headers, body });
        expect({ method, url, status: res.status }).toEqual({ method, url, status: 401 });
      }
      expect((await api.get(ws, channel.id)).body).toEqual(channel);
      expect((await api.as<ChannelBody[]>(ws, 'GET', path(ws))).body).toHaveLength(1);
    });

    it("answers 404, never 403, for another workspace's channel on every route, and changes nothing", async () => {
      const owner = newWorkspaceId('owner');
      const intruder = newWorkspaceId('intruder');
      const ownerKey = routingKey();
      await sim.register(ownerKey);
      const target = await createChannel(owner, {
        name: 'Owner',
        routingKey: ownerKey,
        twoWaySync: true,
      });
      const own = await createChannel(intruder, { name: 'Intruder' });
      const before = await storedChannel(db, target.id);
      const routes = (
        ws: string,
        id: string,
      ): [Parameters<ChannelApi['raw']>[0], string, unknown][] => [
        ['GET', path(ws, id), undefined],
        ['PATCH', path(ws, id), { name: 'hijacked' }],
        ['PUT', path(ws, id), { routingKey: newRoutingKey() }],
        ['PUT', path(ws, id, 'signing-secret'), { signingSecret: newSigningSecret() }],
        ['POST', path(ws, id, 'test'), undefined],
        ['DELETE', path(ws, id), undefined],
      ];

      // The owner's workspace in the URL with the intruder's token, and the intruder's own
      // workspace with the owner's channel id: both look exactly like a channel that does not exist.
      for (const ws of [owner, intruder]) {
        const probe = routes(ws, target.id);
        const nothing = routes(ws, randomUUID());
        for (let i = 0; i < probe.length; i++) {
          const [method, url, body] = probe[i];
          const res = await api.as(intruder, method, url, body);
          const control = await api.as(intruder, nothing[i][0], nothing[i][1], nothing[i][2]);
          expect({ method, url, status: res.status }).toEqual({ method, url, status: 404 });
          expect(res.body).toEqual({
            ...(control.body as object),
            message: String(control.body.message).replace(/[0-9a-f-]{36}/, target.id),
          });
        }
      }

      expect((await api.get(owner, target.id)).body).toEqual(target);
      expect(await storedChannel(db, target.id)).toEqual(before);
      expect(await sim.requests({ routingKey: ownerKey })).toEqual([]);
      const ownerList = await api.as<ChannelBody[]>(owner, 'GET', path(owner));
      const intruderList = await api.as<ChannelBody[]>(intruder, 'GET', path(intruder));
      expect(ownerList.body.map((c) => c.id)).toEqual([target.id]);
      expect(intruderList.body.map((c) => c.id)).toEqual([own.id]);
      // Asking for the owner's list with the intruder's token is a 404 too, not an empty list.
      expect((await api.as(intruder, 'GET', path(owner))).status).toBe(404);
    });
  });

  describe('Send test', () => {
    it('triggers a throwaway incident, resolves it at once, and reports what PagerDuty answered', async () => {
      const ws = newWorkspaceId('sendtest');
      const key = routingKey();
      await sim.register(key);
      const channel = await createChannel(ws, { name: 'Payments on-call', routingKey: key });

      const res = await api.sendTest(ws, channel.id);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ok: true,
        dedupKey: expect.stringMatching(/^axiorank-test-/),
        trigger: { status: 202, message: 'Event processed' },
        resolve: { status: 202, message: 'Event processed' },
      });
      const incidents = await sim.incidents({ dedupKey: res.body.dedupKey });
      expect(incidents).toHaveLength(1);
      expect(incidents[0]).toMatchObject({ routingKey: key, status: 'resolved' });
      expect(incidents[0].log.map((e) => `${e.action}:${e.outcome}`)).toEqual([
        'trigger:created',
        'resolve:resolved',
      ]);
      expect(incidents[0].title).toMatch(/test/i);
      expect(incidents[0].title).toMatch(/AxioRank/);
      expect(await sim.openIncidents(key)).toEqual([]);

      // Each Send test is a new throwaway incident, never an update of an earlier one.
      const again = await api.sendTest(ws, channel.id);
      expect(again.status).toBe(200);
      expect(again.body.dedupKey).not.toBe(res.body.dedupKey);
      expect(await sim.openIncidents(key)).toEqual([]);
    });

    it("sends to PagerDuty's EU endpoint for an EU channel", async () => {
      const ws = newWorkspaceId('sendtest-eu');
      const key = routingKey();
      await sim.register(key);
      const channel = await createChannel(ws, { routingKey: key, region: 'eu' });

      const res = await api.sendTest(ws, channel.id);

      expect(res.status).toBe(200);
      const requests = await sim.requests({ dedupKey: res.body.dedupKey });
      expect(requests.map((r) => `${r.eventAction}@${r.region}`)).toEqual([
        'trigger@eu',
        'resolve@eu',
      ]);
    });

    it("shows PagerDuty's own status and message for a routing key PagerDuty does not know, and opens nothing", async () => {
      const ws = newWorkspaceId('sendtest-wrong');
      const unknownKey = routingKey();
      const channel = await createChannel(ws, { routingKey: unknownKey });

      const res = await api.sendTest(ws, channel.id);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        ok: false,
        dedupKey: expect.stringMatching(/^axiorank-test-/),
        trigger: {
          status: 400,
          message: 'Event object is invalid',
          errors: ['Invalid routing key'],
        },
        resolve: null,
      });
      expect(await sim.incidents({ routingKey: unknownKey })).toEqual([]);
      expect(res.text).not.toContain(unknownKey);
    });

    it('leaves nothing open when PagerDuty takes the trigger but answers too late', async () => {
      const ws = newWorkspaceId('sendtest-slow');
      const key = routingKey();
      await sim.register(key);
      const channel = await createChannel(ws, { routingKey: key });
      // The simulator processes each event, then answers after the client gave up.
      await sim.faults({ latencyMs: PAGERDUTY_TIMEOUT_MS + 400 });
      const res = await api.sendTest(ws, channel.id).finally(() => sim.faults(null));

      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(res.body.ok).toBe(false);
      expect(res.body.trigger).toEqual({
        status: null,
        message: expect.stringMatching(/No answer from PagerDuty/),
      });
      const incidents = await sim.incidents({ dedupKey: res.body.dedupKey });
      expect(incidents.map((i) => i.status)).toEqual(['resolved']);
      expect(await sim.openIncidents(key)).toEqual([]);
    });
  });

  describe('channel events on axiorank.channels.v1', () => {
    it('publishes every change as a snapshot with sealed secrets, in order, and a tombstone on delete', async () => {
      const ws = newWorkspaceId('events');
      const key = routingKey();
      const secret = signingSecret();
      const channel = await createChannel(ws, { name: 'v1', routingKey: key, twoWaySync: true });
      expect((await api.as(ws, 'PATCH', path(ws, channel.id), { name: 'v2' })).status).toBe(200);
      expect((await api.setSigningSecret(ws, channel.id, secret)).status).toBe(204);
      expect(
        (await api.as(ws, 'PUT', path(ws, channel.id), { name: 'v4', severityFloor: 'low' }))
          .status,
      ).toBe(200);
      expect((await api.as(ws, 'DELETE', path(ws, channel.id))).status).toBe(204);

      const mine = (
        await consumeAll(TOPICS.channels, {
          until: (messages) => messages.some((m) => m.key === channel.id && m.value === null),
          timeoutMs: 20_000,
        })
      ).filter((m) => m.key === channel.id);

      expect(mine).toHaveLength(5);
      expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
      const snapshots = mine.slice(0, 4).map((m) => {
        const parsed = parseMessage(TOPICS.channels, m.value);
        if (!parsed.ok || parsed.tombstone) throw new Error(`not a snapshot: ${m.value}`);
        return parsed.message;
      });
      expect(snapshots.map((s) => [s.version, s.channel.name])).toEqual([
        [1, 'v1'],
        [2, 'v2'],
        [3, 'v2'],
        [4, 'v4'],
      ]);
      for (const snapshot of snapshots) {
        expect(snapshot.channel).toMatchObject({
          id: channel.id,
          workspaceId: ws,
          routingKeyHint: `…${key.slice(-4)}`,
        });
        expect(isSealed(snapshot.channel.routingKey)).toBe(true);
        expect(openSecret(snapshot.channel.routingKey, ws, ring)).toBe(key);
      }
      expect(snapshots[1].channel.twoWaySync.signingSecret).toBeNull();
      const sealedSecret = snapshots[3].channel.twoWaySync.signingSecret ?? '';
      expect(isSealed(sealedSecret)).toBe(true);
      expect(openSecret(sealedSecret, ws, ring)).toBe(secret);
      for (const m of mine) {
        expect(m.value ?? '').not.toContain(key);
        expect(m.value ?? '').not.toContain(secret);
        expect(m.headers[HEADERS.channelId]).toBe(channel.id);
        expect(m.headers[HEADERS.origin]).toBe('axiorank');
      }
      expect(mine[4].value).toBeNull();
    });
  });

  describe('channel events under concurrent changes', () => {
    it('gives simultaneous updates of one channel distinct versions, published in that order, the last one winning', async () => {
      const ws = newWorkspaceId('concurrent');
      const channel = await createChannel(ws, { name: 'n0' });

      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          api.as(ws, 'PATCH', path(ws, channel.id), { name: `n${i + 1}` }),
        ),
      );

      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      const final = (await api.get(ws, channel.id)).body.name;
      const mine = (
        await consumeAll(TOPICS.channels, {
          until: (all) => all.filter((m) => m.key === channel.id).length >= 9,
          timeoutMs: 20_000,
        })
      ).filter((m) => m.key === channel.id);
      const snapshots = mine.map((m) => {
        const parsed = parseMessage(TOPICS.channels, m.value);
        if (!parsed.ok || parsed.tombstone) throw new Error(`not a snapshot: ${m.value}`);
        return parsed.message;
      });
      expect(snapshots.map((s) => s.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(snapshots[8].channel.name).toBe(final);
      expect(new Set(snapshots.slice(1).map((s) => s.channel.name)).size).toBe(8);
    });
  });

  describe('OpenAPI', () => {
    it('serves the contract at /docs, with the routing key and signing secret write-only', async () => {
      const res = await fetch(`${service.url}/docs/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as {
        paths: Record<string, Record<string, unknown>>;
        components: {
          schemas: Record<string, { properties: Record<string, { writeOnly?: boolean }> }>;
        };
      };
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/v1/workspaces/{workspaceId}/channels',
          '/v1/workspaces/{workspaceId}/channels/{id}',
          '/v1/workspaces/{workspaceId}/channels/{id}/signing-secret',
          '/v1/workspaces/{workspaceId}/channels/{id}/test',
        ]),
      );
      const { schemas } = doc.components;
      expect(schemas.CreateChannelDto.properties.routingKey.writeOnly).toBe(true);
      expect(schemas.SigningSecretDto.properties.signingSecret.writeOnly).toBe(true);
      expect(Object.keys(schemas.ChannelResponseDto.properties)).not.toContain('routingKey');
      expect((await fetch(`${service.url}/docs`)).status).toBe(200);
    });
  });

  describe('sealing at rest', () => {
    it('stores the routing key and signing secret sealed, bound to the workspace', async () => {
      const ws = newWorkspaceId('sealed');
      const key = routingKey();
      const secret = signingSecret();
      const channel = await createChannel(ws, { routingKey: key, twoWaySync: true });
      await api.setSigningSecret(ws, channel.id, secret);

      const row = await storedChannel(db, channel.id);
      const dump = JSON.stringify(
        await db.query('SELECT * FROM channel_config.channels WHERE id = $1', [channel.id]),
      );
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(secret);
      expect(row.routing_key_hint).toBe(`…${key.slice(-4)}`);
      expect(isSealed(row.routing_key)).toBe(true);
      expect(isSealed(row.signing_secret ?? '')).toBe(true);
      expect(openSecret(row.routing_key, ws, ring)).toBe(key);
      expect(openSecret(row.signing_secret ?? '', ws, ring)).toBe(secret);
      // A sealed value copied into another workspace's row is useless there.
      expect(() => openSecret(row.routing_key, newWorkspaceId('other'), ring)).toThrow();
      expect(() => openSecret(row.signing_secret ?? '', newWorkspaceId('other'), ring)).toThrow();
      expect((await api.get(ws, channel.id)).body.encryptedAtRest).toBe(true);
    });
  });

  describe('secrets are never shown', () => {
    it('keeps every routing key and signing secret out of responses, logs and metrics', async () => {
      // One more pass through every route that handles a secret, failures included.
      const ws = newWorkspaceId('leaks');
      const key = routingKey();
      await sim.register(key);
      const channel = await createChannel(ws, { routingKey: key, twoWaySync: true });
      await api.setSigningSecret(ws, channel.id, signingSecret());
      await api.as(ws, 'PATCH', path(ws, channel.id), { routingKey: routingKey() });
      await api.as(ws, 'PATCH', path(ws, channel.id), { routingKey: key });
      await api.sendTest(ws, channel.id);
      await api.as(ws, 'PATCH', path(ws, channel.id), { routingKey: `${routingKey()}x` });
      await api.as(ws, 'PUT', path(ws, channel.id, 'signing-secret'), {
        signingSecret: `${signingSecret()}!`,
      });
      await api.as(newWorkspaceId('other'), 'PATCH', path(ws, channel.id), {
        routingKey: routingKey(),
      });
      await api.as(ws, 'DELETE', path(ws, channel.id));
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      const openApi = await (await fetch(`${service.url}/docs/openapi.json`)).text();
      // The outbox relay has published by now, so its log lines are in as well.
      await waitFor(() => service.logs.includes('request completed'), {
        description: 'request logs',
      });

      expect(api.responses.length).toBeGreaterThan(50);
      expect(metrics).toContain('channel_changes_total');
      const places = { responses: api.responses.join('\n'), logs: service.logs, metrics, openApi };
      const leaks = Object.entries(places).flatMap(([where, text]) =>
        secrets.filter((s) => text.includes(s)).map((s) => `${where}: …${s.slice(-4)}`),
      );
      expect(leaks).toEqual([]);
      expect(secrets.length).toBeGreaterThan(30);
    });
  });
});
