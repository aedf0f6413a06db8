import { randomUUID } from 'node:crypto';
import { databaseUrl, kafkaBrokers } from '@app/testing';
import { makeIncidentWebhook } from '../src/testing/pagerduty-webhook.factory';
import { ChannelPublisher, type TestChannel } from './support/channels';
import {
  metric,
  type RunningInboundWebhook,
  startInboundWebhook,
  waitFor,
} from './support/inbound-webhook-app';
import { WebhookClient } from './support/webhook-client';

describe('per-channel webhook rate limit', () => {
  const secret = `rate-${randomUUID()}`;
  let service: RunningInboundWebhook;
  let client: WebhookClient;
  let publisher: ChannelPublisher;
  let busy: TestChannel;
  let quiet: TestChannel;

  beforeAll(async () => {
    const brokers = kafkaBrokers().join(',');
    service = await startInboundWebhook({
      DATABASE_URL: databaseUrl(),
      KAFKA_BROKERS: brokers,
      WEBHOOK_RATE_PER_MINUTE: '3',
    });
    client = new WebhookClient(service.url);
    publisher = await ChannelPublisher.connect(brokers);
    busy = await publisher.create({ storedSecret: secret });
    quiet = await publisher.create({ storedSecret: secret });
  });

  afterAll(async () => {
    await publisher?.close();
    await service?.close();
  });

  it('answers 429 with Retry-After once a channel spent its minute, while another channel goes on', async () => {
    const send = (channel: TestChannel) =>
      client.send(channel.id, makeIncidentWebhook({ incidentKey: `inc_${randomUUID()}` }), {
        secret,
      });
    // The first request to reach the channel in the replica spends the first token.
    await waitFor(async () => (await send(busy)).status === 202, 'the busy channel in the replica');

    const [second, third, fourth] = [await send(busy), await send(busy), await send(busy)];

    expect([second.status, third.status]).toEqual([202, 202]);
    expect(fourth.status).toBe(429);
    expect(fourth.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(fourth.headers.get('retry-after'))).toBeLessThanOrEqual(20);
    await waitFor(async () => (await send(quiet)).status === 202, 'the quiet channel');
    expect(
      metric(await service.metrics(), 'webhook_requests_total', { outcome: 'rate_limited' }),
    ).toBe(1);
  });
});
