import { parseMessage, TOPICS } from '@app/contracts';
import { isSealed, KeyRing, openSecret, sealedKeyId } from '@app/crypto';
import { consumeAll, kafkaBrokers, type ServiceProcess } from '@app/testing';
import {
  ChannelApi,
  type ChannelConfigOptions,
  credentialKey,
  newRoutingKey,
  newSigningSecret,
  newWorkspaceId,
  runReseal,
  Simulator,
  startChannelConfig,
  storedChannel,
  ScratchDatabase,
} from './support/harness';

/**
 * One deployment's life: channels saved before any credential key existed, then a key, then the
 * re-seal command, then a key rotation. Its own database, because the command walks every row.
 */
describe('channel-config sealing at rest: legacy plaintext rows, the re-seal command and key rotation', () => {
  const k1 = credentialKey('k1');
  const k2 = credentialKey('k2');
  const ws = newWorkspaceId('legacy');
  const legacyKey = newRoutingKey();
  const legacySecret = newSigningSecret();
  const laterKey = newRoutingKey();
  /** A second legacy channel whose routing key is replaced once a key exists. */
  const mixedOldKey = newRoutingKey();
  const mixedNewKey = newRoutingKey();
  const mixedSecret = newSigningSecret();
  const secrets = [legacyKey, legacySecret, laterKey, mixedOldKey, mixedNewKey, mixedSecret];
  /** Every process this suite ran, for the log scan at the end. */
  const processes: ServiceProcess[] = [];
  let db: ScratchDatabase;
  let sim: Simulator;
  let service: ServiceProcess | undefined;
  let api: ChannelApi;
  let legacyId: string;
  let laterId: string;
  let mixedId: string;

  const options = (credentialKeys?: string): ChannelConfigOptions => ({
    databaseUrl: db.url,
    brokers: kafkaBrokers().join(','),
    simulator: sim,
    credentialKeys,
  });

  async function restart(credentialKeys?: string): Promise<void> {
    await service?.stop();
    service = await startChannelConfig({
      ...options(credentialKeys),
      label: 'channel-config-sealing',
    });
    processes.push(service);
    api = new ChannelApi(service.url);
  }

  async function reseal(credentialKeys: string) {
    const run = await runReseal(options(credentialKeys));
    processes.push(run.process);
    expect(run.exitCode).toBe(0);
    return run.report;
  }

  const rows = () => db.query('SELECT * FROM channel_config.channels ORDER BY id');

  async function expectSendTestWorks(id: string, routingKey: string): Promise<void> {
    const res = await api.sendTest(ws, id);
    expect({ status: res.status, ok: res.body.ok }).toEqual({ status: 200, ok: true });
    const [incident] = await sim.incidents({ dedupKey: res.body.dedupKey });
    expect(incident).toMatchObject({ routingKey, status: 'resolved' });
  }

  beforeAll(async () => {
    [db, sim] = await Promise.all([ScratchDatabase.create('cc_sealing'), Simulator.start()]);
    await Promise.all([legacyKey, laterKey, mixedNewKey].map((key) => sim.register(key)));
  });

  afterAll(async () => {
    await Promise.allSettled([service?.stop(), sim?.stop()]);
    await db?.drop();
  });

  it('without CREDENTIAL_KEYS stores the routing key and signing secret as before (plaintext) and says so', async () => {
    await restart(undefined);
    const created = await api.create(ws, {
      name: 'Legacy',
      routingKey: legacyKey,
      twoWaySync: true,
    });
    expect(created.status).toBe(201);
    legacyId = created.body.id;
    expect((await api.setSigningSecret(ws, legacyId, legacySecret)).status).toBe(204);

    const row = await storedChannel(db, legacyId);
    expect([row.routing_key, row.signing_secret]).toEqual([legacyKey, legacySecret]);
    expect(created.body.encryptedAtRest).toBe(false);
    await expectSendTestWorks(legacyId, legacyKey);

    const mixed = await api.create(ws, {
      name: 'Mixed',
      routingKey: mixedOldKey,
      twoWaySync: true,
    });
    mixedId = mixed.body.id;
    expect((await api.setSigningSecret(ws, mixedId, mixedSecret)).status).toBe(204);
  });

  it('the re-seal command refuses to run without CREDENTIAL_KEYS instead of reporting nothing to do', async () => {
    const before = await rows();

    const run = await runReseal(options(undefined));
    processes.push(run.process);

    expect(run.exitCode).toBe(2);
    expect(run.report).toBeUndefined();
    expect(run.process.logs).toMatch(/CREDENTIAL_KEYS is not set/);
    expect(await rows()).toEqual(before);
  });

  it('a database error on a channel route answers 500 without logging the row it failed on', async () => {
    // The legacy case is the dangerous one: the row holds the plaintext routing key.
    const plainKey = newRoutingKey();
    secrets.push(plainKey);
    await db.query(
      `ALTER TABLE channel_config.channels ADD CONSTRAINT test_refuses_name CHECK (name <> 'refused')`,
    );
    try {
      const res = await api.create(ws, { name: 'refused', routingKey: plainKey });
      expect(res.status).toBe(500);
      expect(res.text).not.toContain(plainKey);
      await new Promise((r) => setTimeout(r, 200));
      expect(service?.logs).toContain('SQLSTATE 23514');
    } finally {
      await db.query(`ALTER TABLE channel_config.channels DROP CONSTRAINT test_refuses_name`);
    }
  });

  it('after a restart with a key, the plaintext row still pages unchanged, and new channels are sealed', async () => {
    await restart(k1);

    const legacy = await api.get(ws, legacyId);
    expect(legacy.body).toMatchObject({
      encryptedAtRest: false,
      twoWaySync: { signingSecretSet: true },
    });
    await expectSendTestWorks(legacyId, legacyKey);
    expect((await storedChannel(db, legacyId)).routing_key).toBe(legacyKey);

    const later = await api.create(ws, { name: 'Later', routingKey: laterKey });
    expect(later.body.encryptedAtRest).toBe(true);
    laterId = later.body.id;
    const row = await storedChannel(db, laterId);
    expect(sealedKeyId(row.routing_key)).toBe('k1');
    await expectSendTestWorks(laterId, laterKey);
  });

  it('encryptedAtRest stays false while the signing secret is still plaintext beside a newly sealed routing key', async () => {
    const res = await api.as(ws, 'PATCH', ChannelApi.path(ws, mixedId), {
      routingKey: mixedNewKey,
    });

    expect(res.status).toBe(200);
    const row = await storedChannel(db, mixedId);
    expect(sealedKeyId(row.routing_key)).toBe('k1');
    expect(row.signing_secret).toBe(mixedSecret);
    expect(res.body).toMatchObject({
      routingKeyHint: `…${mixedNewKey.slice(-4)}`,
      encryptedAtRest: false,
    });
    await expectSendTestWorks(mixedId, mixedNewKey);
  });

  it('the re-seal command seals the legacy row, reports what it changed, and the channel still pages', async () => {
    const before = await storedChannel(db, legacyId);

    const report = await reseal(k1);

    expect(report).toEqual({ scanned: 3, changed: 2, failed: [] });
    const row = await storedChannel(db, legacyId);
    const dump = JSON.stringify(await db.query('SELECT * FROM channel_config.channels'));
    for (const secret of secrets) expect(dump).not.toContain(secret);
    expect(sealedKeyId(row.routing_key)).toBe('k1');
    expect(sealedKeyId(row.signing_secret ?? '')).toBe('k1');
    const ring = KeyRing.parse(k1);
    expect(openSecret(row.routing_key, ws, ring)).toBe(legacyKey);
    expect(openSecret(row.signing_secret ?? '', ws, ring)).toBe(legacySecret);
    expect(() => openSecret(row.routing_key, newWorkspaceId('other'), ring)).toThrow();
    expect(() => openSecret(row.signing_secret ?? '', newWorkspaceId('other'), ring)).toThrow();
    expect(row.version).toBe(before.version + 1);

    const shown = await api.get(ws, legacyId);
    expect(shown.body).toMatchObject({
      encryptedAtRest: true,
      twoWaySync: { signingSecretSet: true },
    });
    const mixed = await storedChannel(db, mixedId);
    expect(openSecret(mixed.signing_secret ?? '', ws, ring)).toBe(mixedSecret);
    expect((await api.get(ws, mixedId)).body.encryptedAtRest).toBe(true);
    await expectSendTestWorks(legacyId, legacyKey);

    // The running service's outbox relay publishes the re-sealed snapshot.
    const messages = await consumeAll(TOPICS.channels, {
      until: (all) =>
        all.some((m) => m.key === legacyId && m.value?.includes(`"version":${row.version}`)),
      timeoutMs: 20_000,
    });
    const latest = messages.filter((m) => m.key === legacyId).pop();
    const parsed = parseMessage(TOPICS.channels, latest?.value ?? null);
    if (!parsed.ok || parsed.tombstone) throw new Error(`not a snapshot: ${latest?.value}`);
    expect(parsed.message.version).toBe(row.version);
    expect(parsed.message.channel.routingKey).toBe(row.routing_key);
    expect(parsed.message.channel.twoWaySync.signingSecret).toBe(row.signing_secret);
    expect(latest?.value).not.toContain(legacyKey);
    expect(latest?.value).not.toContain(legacySecret);
  });

  it('a second re-seal changes nothing', async () => {
    const before = await rows();

    expect(await reseal(k1)).toEqual({ scanned: 3, changed: 0, failed: [] });

    expect(await rows()).toEqual(before);
  });

  it('rotation: with a new first key, the re-seal moves every row to it and the channels still page', async () => {
    await restart(`${k2},${k1}`);

    expect(await reseal(`${k2},${k1}`)).toEqual({ scanned: 3, changed: 3, failed: [] });

    for (const id of [legacyId, laterId, mixedId]) {
      const row = await storedChannel(db, id);
      expect(isSealed(row.routing_key)).toBe(true);
      expect(sealedKeyId(row.routing_key)).toBe('k2');
    }
    expect(sealedKeyId((await storedChannel(db, legacyId)).signing_secret ?? '')).toBe('k2');
    await expectSendTestWorks(legacyId, legacyKey);
    await expectSendTestWorks(laterId, laterKey);
    await expectSendTestWorks(mixedId, mixedNewKey);
    expect(await reseal(`${k2},${k1}`)).toEqual({ scanned: 3, changed: 0, failed: [] });
  });

  it('no routing key or signing secret appears in any log line of any of these processes', () => {
    expect(processes.length).toBeGreaterThanOrEqual(8);
    const leaks = processes.flatMap((p, i) =>
      secrets
        .filter((s) => p.logs.includes(s))
        .map((s) => `process ${i} (${p.logFile}): …${s.slice(-4)}`),
    );
    expect(leaks).toEqual([]);
  });
});
