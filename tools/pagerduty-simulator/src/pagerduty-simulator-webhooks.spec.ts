import { verifyPagerDutySignature } from '@app/crypto';
import type {
  PagerDutyIncidentWebhookEvent,
  PagerDutyWebhookEnvelope,
  PagerDutyWebhookEvent,
} from '@app/pagerduty';
import { PagerDutySimulator } from './pagerduty-simulator';
import { httpCall } from './testing/http-call';
import { WebhookReceiver, type ReceivedWebhook } from './testing/webhook-receiver';
import type {
  SimulatorIncident,
  SimulatorService,
  WebhookDelivery,
  WebhookSubscription,
} from './simulator.types';

function eventOf(hook: ReceivedWebhook): PagerDutyWebhookEvent {
  return (hook.body as PagerDutyWebhookEnvelope).event;
}

const KEY = 'hookKEY000000000000000000000000A';
const SECRET = 'first-secret-0123456789';
const ROTATED = 'second-secret-9876543210';

describe('PagerDutySimulator V3 webhooks', () => {
  const receiver = new WebhookReceiver();
  const sut = new PagerDutySimulator({
    routingKeys: [KEY],
    webhookBackoffMs: 10,
    webhookMaxAttempts: 4,
    webhookTimeoutMs: 150,
  });
  let serviceId: string;

  const post = async <T = unknown>(path: string, body?: unknown): Promise<T> =>
    (await httpCall('POST', `${sut.url}${path}`, body)).json as T;
  const get = async <T = unknown>(path: string): Promise<T> =>
    (await httpCall('GET', `${sut.url}${path}`)).json as T;
  const subscribe = (body: Record<string, unknown> = {}): Promise<WebhookSubscription> =>
    post<WebhookSubscription>(`/_sim/services/${serviceId}/webhooks`, {
      url: receiver.url,
      secrets: [SECRET],
      ...body,
    });
  const openIncident = async (dedupKey: string): Promise<SimulatorIncident> => {
    await httpCall('POST', sut.enqueueUrl(), {
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary: `Title ${dedupKey}`, source: 'AxioRank', severity: 'error' },
    });
    return (await get<SimulatorIncident[]>(`/_sim/incidents?dedupKey=${dedupKey}`))[0];
  };

  beforeAll(async () => {
    await receiver.start();
    await sut.start();
  });
  afterAll(async () => {
    await sut.stop();
    await receiver.stop();
  });
  beforeEach(async () => {
    sut.reset();
    receiver.clear();
    serviceId = (await get<SimulatorService[]>('/_sim/services'))[0].id;
  });

  it('sends a signed incident.acknowledged when a responder acknowledges', async () => {
    const subscription = await subscribe();
    const incident = await openIncident('inc_1');

    const answer = await post<unknown>(`/_sim/incidents/${incident.id}/acknowledge`, {
      user: { id: 'PJANE01', name: 'Jane Doe' },
    });
    await sut.whenWebhooksIdle();

    expect(answer).toMatchObject({ changed: true, incident: { status: 'acknowledged' } });
    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    expect(hook.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'PagerDuty-Webhook/V3.0',
      'x-webhook-subscription': subscription.id,
    });
    expect(hook.headers['x-webhook-id']).toEqual(expect.any(String));
    expect(
      verifyPagerDutySignature(hook.raw, hook.headers['x-pagerduty-signature'] as string, [SECRET]),
    ).toBe(true);
    expect(
      verifyPagerDutySignature(hook.raw, hook.headers['x-pagerduty-signature'] as string, [
        'wrong',
      ]),
    ).toBe(false);

    const event = eventOf(hook) as PagerDutyIncidentWebhookEvent;
    expect(event.id).toMatch(/^01[0-9A-HJKMNP-TV-Z]{24}$/);
    expect(event).toMatchObject({
      event_type: 'incident.acknowledged',
      resource_type: 'incident',
      agent: { id: 'PJANE01', summary: 'Jane Doe', type: 'user_reference' },
      client: null,
      data: {
        id: incident.id,
        type: 'incident',
        number: incident.number,
        status: 'acknowledged',
        incident_key: 'inc_1',
        title: 'Title inc_1',
        service: { id: serviceId, type: 'service_reference' },
        assignees: [],
        teams: [],
        priority: null,
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
        escalation_policy: { type: 'escalation_policy_reference' },
      },
    });
    expect(Date.parse(event.occurred_at)).not.toBeNaN();
    expect(event.data.self).toBe(`https://api.pagerduty.com/incidents/${incident.id}`);
  });

  it('signs with every secret during rotation, each value verifying on its own', async () => {
    const subscription = await subscribe();
    const rotated = await post<WebhookSubscription>(
      `/_sim/subscriptions/${subscription.id}/secrets`,
      {
        secret: ROTATED,
      },
    );
    expect(rotated.secrets).toEqual([SECRET, ROTATED]);

    await post(`/_sim/subscriptions/${subscription.id}/ping`);
    await sut.whenWebhooksIdle();

    const { raw, headers } = receiver.received[0];
    const header = headers['x-pagerduty-signature'] as string;
    const values = header.split(',');
    expect(values).toHaveLength(2);
    expect(values.every((value) => /^v1=[0-9a-f]{64}$/.test(value))).toBe(true);
    expect(verifyPagerDutySignature(raw, values[0], [SECRET])).toBe(true);
    expect(verifyPagerDutySignature(raw, values[1], [ROTATED])).toBe(true);
    expect(verifyPagerDutySignature(raw, header, [ROTATED])).toBe(true);

    const finished = await post<WebhookSubscription>(
      `/_sim/subscriptions/${subscription.id}/secrets`,
      {
        secret: 'only-new',
        keepExisting: false,
      },
    );
    expect(finished.secrets).toEqual(['only-new']);
  });

  it('mints a secret when the subscription is created without one', async () => {
    const subscription = await post<WebhookSubscription>(`/_sim/services/${serviceId}/webhooks`, {
      url: receiver.url,
    });
    expect(subscription.secrets).toHaveLength(1);
    expect(subscription.secrets[0]).toMatch(/^[A-Za-z0-9+/]{64}$/);
  });

  it('sends pagey.ping', async () => {
    const subscription = await subscribe();
    const reply = await httpCall('POST', `${sut.url}/_sim/subscriptions/${subscription.id}/ping`);
    await sut.whenWebhooksIdle();

    expect(reply.status).toBe(202);
    expect((receiver.received[0].body as { event: unknown }).event).toEqual({
      id: (reply.json as { eventId: string }).eventId,
      event_type: 'pagey.ping',
      resource_type: 'pagey',
      occurred_at: expect.any(String),
      agent: null,
      client: null,
      data: { message: 'Hello from your friend Pagey!', type: 'ping' },
    });
  });

  it('retries 5xx with the same X-Webhook-Id and event id until delivered', async () => {
    await subscribe();
    const incident = await openIncident('inc_retry');
    receiver.answerNext({ status: 500 }, { status: 503 });

    await post(`/_sim/incidents/${incident.id}/resolve`);
    await sut.whenWebhooksIdle();

    expect(receiver.received).toHaveLength(3);
    const webhookIds = new Set(receiver.received.map((hook) => hook.headers['x-webhook-id']));
    const eventIds = new Set(receiver.received.map((hook) => eventOf(hook).id));
    expect(webhookIds.size).toBe(1);
    expect(eventIds.size).toBe(1);
    const [delivery] = await get<WebhookDelivery[]>('/_sim/webhooks');
    expect(delivery).toMatchObject({
      status: 'delivered',
      eventType: 'incident.resolved',
      incidentId: incident.id,
      webhookId: receiver.received[0].headers['x-webhook-id'],
    });
    expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([500, 503, 202]);
  });

  it('retries 429 and timeouts, and gives up after the maximum attempts', async () => {
    await subscribe();
    const incident = await openIncident('inc_fail');
    receiver.answerNext(
      { status: 429 },
      { status: 202, delayMs: 400 },
      { status: 500 },
      { status: 500 },
    );

    await post(`/_sim/incidents/${incident.id}/acknowledge`);
    await sut.whenWebhooksIdle();

    const [delivery] = await get<WebhookDelivery[]>('/_sim/webhooks');
    expect(delivery.status).toBe('failed');
    expect(delivery.attempts).toHaveLength(4);
    expect(delivery.attempts[0].status).toBe(429);
    expect(delivery.attempts[1].error).toMatch(/no answer within 150 ms/);
  });

  it('drops a delivery answered with another 4xx, and disables the subscription after 3 drops', async () => {
    const subscription = await subscribe();
    receiver.answerNext({ status: 401 }, { status: 404 }, { status: 410 });
    for (const dedupKey of ['d1', 'd2', 'd3', 'd4']) {
      const incident = await openIncident(dedupKey);
      await post(`/_sim/incidents/${incident.id}/acknowledge`);
      await sut.whenWebhooksIdle();
    }

    const deliveries = await get<WebhookDelivery[]>('/_sim/webhooks');
    expect(deliveries.map((delivery: { status: string }) => delivery.status)).toEqual([
      'dropped',
      'dropped',
      'dropped',
      'skipped',
    ]);
    expect(deliveries[0].attempts).toHaveLength(1);
    expect(receiver.received).toHaveLength(3);
    expect(
      (await get<WebhookSubscription>(`/_sim/subscriptions/${subscription.id}`)).disabledUntil,
    ).not.toBeNull();

    await post(`/_sim/subscriptions/${subscription.id}/enable`);
    await post(`/_sim/subscriptions/${subscription.id}/ping`);
    await sut.whenWebhooksIdle();
    expect(receiver.received).toHaveLength(4);
  });

  it('keeps deliveries of one incident in order even when the first needs retries', async () => {
    await subscribe();
    const incident = await openIncident('inc_order');
    receiver.answerNext({ status: 500 }, { status: 500 });

    await post(`/_sim/incidents/${incident.id}/acknowledge`);
    await post(`/_sim/incidents/${incident.id}/resolve`);
    await sut.whenWebhooksIdle();

    const types = receiver.received.map((hook) => eventOf(hook).event_type);
    expect(types).toEqual([
      'incident.acknowledged',
      'incident.acknowledged',
      'incident.acknowledged',
      'incident.resolved',
    ]);
  });

  it('echoes Events API acknowledge/resolve with a service agent, unless switched off', async () => {
    const echoing = await subscribe();
    await subscribe({ includeIntegrationActions: false });
    await openIncident('inc_echo');

    await httpCall('POST', sut.enqueueUrl(), {
      routing_key: KEY,
      event_action: 'resolve',
      dedup_key: 'inc_echo',
    });
    await sut.whenWebhooksIdle();

    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    expect(hook.headers['x-webhook-subscription']).toBe(echoing.id);
    expect(eventOf(hook)).toMatchObject({
      event_type: 'incident.resolved',
      agent: { id: serviceId, type: 'service_reference' },
      data: { status: 'resolved', incident_key: 'inc_echo' },
    });
  });

  it('sends incident.triggered only to subscriptions that ask for it', async () => {
    await subscribe({ events: ['incident.triggered'] });
    await subscribe();
    await openIncident('inc_trig');
    await sut.whenWebhooksIdle();

    expect(receiver.received.map((hook) => eventOf(hook).event_type)).toEqual([
      'incident.triggered',
    ]);
  });

  it('answers 409 to a responder resolving a resolved incident, and no webhook', async () => {
    await subscribe();
    const incident = await openIncident('inc_done');
    await post(`/_sim/incidents/${incident.id}/resolve`);
    const again = await httpCall('POST', `${sut.url}/_sim/incidents/${incident.id}/resolve`);
    await sut.whenWebhooksIdle();

    expect(again.status).toBe(409);
    expect(receiver.received).toHaveLength(1);
  });

  it('passes custom headers through and rejects bad subscription input', async () => {
    await subscribe({ headers: { 'x-custom': 'yes' } });
    await post(
      `/_sim/subscriptions/${(await get<WebhookSubscription[]>('/_sim/subscriptions'))[0].id}/ping`,
    );
    await sut.whenWebhooksIdle();
    expect(receiver.received[0].headers['x-custom']).toBe('yes');

    const bad = await httpCall('POST', `${sut.url}/_sim/services/${serviceId}/webhooks`, {
      url: 'ftp://x',
    });
    expect(bad.status).toBe(400);
    const badEvents = await httpCall('POST', `${sut.url}/_sim/services/${serviceId}/webhooks`, {
      url: receiver.url,
      events: ['incident.exploded'],
    });
    expect(badEvents.status).toBe(400);
  });
});
