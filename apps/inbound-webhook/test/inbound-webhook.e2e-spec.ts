import { randomUUID } from 'node:crypto';
import { signPagerDutyPayload } from '@app/crypto';
import { databaseUrl, freePort, kafkaBrokers, ServiceProcess, waitFor } from '@app/testing';
import { makeIncidentWebhook, makePingWebhook } from '../src/testing/pagerduty-webhook.factory';
import { ChannelPublisher, type TestChannel, testKeyRing } from './support/channels';
import { WebhookClient } from './support/webhook-client';

/**
 * The built service (`node dist/apps/inbound-webhook/main.js`) as deployed, with the most
 * verbose logs: its subcommands work, and no secret or signature reaches a log line.
 */
describe('inbound-webhook as deployed (dist/apps/inbound-webhook/main.js)', () => {
  const keys = testKeyRing();
  const sealedSecret = `e2e-sealed-${randomUUID()}`;
  const legacySecret = `e2elegacy${randomUUID().replace(/-/g, '')}`;
  let env: Record<string, string>;
  let service: ServiceProcess;
  let client: WebhookClient;
  let publisher: ChannelPublisher;
  let sealed: TestChannel;
  let legacy: TestChannel;
  let unopenable: TestChannel;
  const signaturesSent: string[] = [];

  beforeAll(async () => {
    env = {
      DATABASE_URL: databaseUrl(),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      CREDENTIAL_KEYS: keys.spec,
      LOG_LEVEL: 'trace',
    };
    const port = await freePort();
    service = await ServiceProcess.start('inbound-webhook', {
      env,
      port,
      label: `inbound-webhook-e2e-${port}`,
    });
    client = new WebhookClient(service.url);
    publisher = await ChannelPublisher.connect(env.KAFKA_BROKERS);
    sealed = await publisher.create({ storedSecret: 'x' });
    sealed = await publisher.update(sealed, {
      storedSecret: keys.seal(sealedSecret, sealed.workspaceId),
    });
    legacy = await publisher.create({ storedSecret: legacySecret });
    unopenable = await publisher.create({ storedSecret: 'x' });
    unopenable = await publisher.update(unopenable, {
      storedSecret: testKeyRing('gone').seal('unopenable-secret', unopenable.workspaceId),
    });
  });

  afterAll(async () => {
    await publisher?.close();
    await service?.stop();
  });

  it('runs its migrate subcommand and exits 0', async () => {
    const migrate = await ServiceProcess.start('inbound-webhook', {
      env,
      args: ['migrate'],
      readyPath: false,
      label: `inbound-webhook-migrate-${Date.now()}`,
    });

    expect(await migrate.exited).toBe(0);
    expect(migrate.logs).toMatch(/inbound_webhook: 0 migration\(s\) applied/);
  });

  it('refuses an unknown subcommand', async () => {
    const wrong = await ServiceProcess.start('inbound-webhook', {
      env,
      args: ['frobnicate'],
      readyPath: false,
      label: `inbound-webhook-wrong-${Date.now()}`,
    });

    expect(await wrong.exited).toBe(2);
    expect(wrong.logs).toMatch(/unknown command "frobnicate"/);
  });

  it('never writes a signing secret, a sealed secret or a signature to its logs', async () => {
    const send = async (channel: TestChannel, body: object | string, secret: string) => {
      const signature = signPagerDutyPayload(
        typeof body === 'string' ? body : JSON.stringify(body),
        secret,
      );
      signaturesSent.push(signature);
      return client.send(channel.id, body, { signature });
    };
    await waitFor(
      async () => (await send(sealed, makePingWebhook(), sealedSecret)).status === 202,
      {
        timeoutMs: 20_000,
        description: 'the sealed channel to verify',
      },
    );
    await waitFor(
      async () => (await send(legacy, makePingWebhook(), legacySecret)).status === 202,
      { timeoutMs: 20_000, description: 'the legacy channel to verify' },
    );
    const statuses = [
      (
        await send(
          sealed,
          makeIncidentWebhook({ incidentKey: `inc_${randomUUID()}` }),
          sealedSecret,
        )
      ).status,
      (await send(sealed, makeIncidentWebhook({ incidentKey: 'inc_x' }), 'wrong-secret')).status,
      (await send(legacy, 'not json', legacySecret)).status,
      (await send(unopenable, makePingWebhook(), 'unopenable-secret')).status,
    ];
    await waitFor(() => service.logs.includes('cannot be opened'), {
      description: 'the unopenable secret to be logged',
    });

    expect(statuses).toEqual([202, 401, 400, 401]);
    const logs = service.logs;
    expect(logs).toMatch(/webhook event stored/);
    for (const secret of [
      sealedSecret,
      legacySecret,
      'unopenable-secret',
      sealed.snapshot.channel.twoWaySync.signingSecret ?? '',
      unopenable.snapshot.channel.twoWaySync.signingSecret ?? '',
      keys.spec.split(':')[1],
    ]) {
      expect(logs.includes(secret)).toBe(false);
    }
    for (const signature of signaturesSent) {
      expect(logs.includes(signature.slice(3))).toBe(false);
    }
  });
});
