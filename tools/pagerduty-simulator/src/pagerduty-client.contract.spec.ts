import {
  buildAxioRankIncidentEvent,
  buildIncidentEvent,
  PagerDutyClient,
  type PagerDutyEvent,
} from '@app/pagerduty';
import { PagerDutySimulator } from './pagerduty-simulator';
import { httpCall } from './testing/http-call';

/**
 * @app/pagerduty's client against the simulator: the outcome classification
 * the outbound pager relies on, over real HTTP. (It lives here because a
 * library may not import a dev tool.)
 */
const KEY = 'clientKEY00000000000000000000001';
const UNKNOWN_KEY = 'clientKEY00000000000000000000999';

function event(dedupKey: string, routingKey = KEY): PagerDutyEvent {
  return buildIncidentEvent({
    action: 'trigger',
    routingKey,
    dedupKey,
    summary: `Incident ${dedupKey}`,
    severity: 'critical',
  });
}

describe('PagerDutyClient against the simulator', () => {
  const sim = new PagerDutySimulator({ routingKeys: [KEY] });
  let sut: PagerDutyClient;

  beforeAll(async () => {
    await sim.start();
    sut = new PagerDutyClient({
      usUrl: sim.enqueueUrl('us'),
      euUrl: sim.enqueueUrl('eu'),
      timeoutMs: 300,
      userAgent: 'axiorank-pagerduty-spec/1.0',
    });
  });
  afterAll(async () => {
    await sut.close();
    await sim.stop();
  });
  beforeEach(() => sim.reset());

  it('classifies 202 as accepted with the dedup key', async () => {
    await expect(sut.send(event('inc_1'), 'us')).resolves.toEqual({
      outcome: 'accepted',
      status: 202,
      dedupKey: 'inc_1',
      message: 'Event processed',
    });
    expect(sim.store.listIncidents({ dedupKey: 'inc_1' })).toHaveLength(1);
  });

  it('keeps PagerDuty errors on a 400, never mentioning the routing key', async () => {
    const result = await sut.send(event('inc_1', UNKNOWN_KEY), 'us');

    expect(result).toEqual({
      outcome: 'permanent',
      status: 400,
      sent: true,
      message: 'Event object is invalid',
      errors: ['Invalid routing key'],
    });
    expect(JSON.stringify(result)).not.toContain(UNKNOWN_KEY);
  });

  it('rejects an invalid event locally without sending it', async () => {
    const bad = {
      ...event('inc_1'),
      payload: { ...event('inc_1').payload!, summary: 'x'.repeat(1025) },
    };
    const result = await sut.send(bad, 'us');

    expect(result).toMatchObject({ outcome: 'permanent', sent: false });
    expect(result.outcome === 'permanent' && result.errors).toEqual([
      'payload.summary must be at most 1024 characters (got 1025)',
    ]);
    expect(sim.store.listRequests()).toHaveLength(0);
  });

  it('classifies 429 as transient and honours Retry-After', async () => {
    await httpCall('POST', `${sim.url}/_sim/faults`, {
      failNext: 1,
      status: 429,
      retryAfterSeconds: 7,
    });
    await expect(sut.send(event('inc_1'), 'us')).resolves.toEqual({
      outcome: 'transient',
      status: 429,
      cause: 'http',
      message: 'Requests for this service are arriving too quickly.  Please retry later.',
      retryAfterMs: 7_000,
    });
  });

  it('classifies a rate-limit 429 without Retry-After as transient', async () => {
    const limited = new PagerDutySimulator({ routingKeys: [KEY], ratePerMinute: 1 });
    await limited.start();
    const client = new PagerDutyClient({
      usUrl: limited.enqueueUrl(),
      euUrl: limited.enqueueUrl('eu'),
      userAgent: 'spec',
    });
    try {
      expect((await client.send(event('a'), 'us')).outcome).toBe('accepted');
      const second = await client.send(event('b'), 'us');
      expect(second).toMatchObject({ outcome: 'transient', status: 429 });
      expect(second).not.toHaveProperty('retryAfterMs');
    } finally {
      await client.close();
      await limited.stop();
    }
  });

  it.each([500, 503])('classifies %s as transient', async (status) => {
    await httpCall('POST', `${sim.url}/_sim/faults`, { failNext: 1, status });
    await expect(sut.send(event('inc_1'), 'us')).resolves.toMatchObject({
      outcome: 'transient',
      status,
      cause: 'http',
    });
  });

  it('classifies a slow answer as a transient timeout (the event may still have been processed)', async () => {
    await httpCall('POST', `${sim.url}/_sim/faults`, { latencyMs: 1_000 });
    const result = await sut.send(event('inc_slow'), 'us');

    expect(result).toEqual({
      outcome: 'transient',
      cause: 'timeout',
      message: 'No answer from PagerDuty within 300 ms',
    });
    expect(sim.store.listIncidents({ dedupKey: 'inc_slow' })).toHaveLength(1);
  });

  it('classifies a request that never gets an answer as a transient timeout', async () => {
    await httpCall('POST', `${sim.url}/_sim/faults`, { hangNext: 1 });
    await expect(sut.send(event('inc_hang'), 'us')).resolves.toMatchObject({
      outcome: 'transient',
      cause: 'timeout',
    });
    expect((await sut.send(event('inc_after'), 'us')).outcome).toBe('accepted');
  });

  it('classifies an unreachable port as a transient network error', async () => {
    const probe = new PagerDutySimulator();
    const { url } = await probe.start();
    await probe.stop();
    const client = new PagerDutyClient({
      usUrl: `${url}/v2/enqueue`,
      euUrl: `${url}/eu/v2/enqueue`,
      userAgent: 'spec',
    });
    try {
      const result = await client.send(event('inc_1'), 'us');
      expect(result).toMatchObject({ outcome: 'transient', cause: 'network' });
      expect(JSON.stringify(result)).not.toContain(KEY);
    } finally {
      await client.close();
    }
  });

  it('uses the EU URL for region "eu"', async () => {
    await sut.send(event('inc_eu'), 'eu');
    await sut.send(event('inc_us'), 'us');
    expect(sim.store.listRequests().map((record) => [record.dedupKey, record.region])).toEqual([
      ['inc_eu', 'eu'],
      ['inc_us', 'us'],
    ]);
  });

  it('delivers a full AxioRank lifecycle, shrunk details included, to one incident', async () => {
    const incident = {
      id: 'inc_life',
      title: 'Agent exfiltrating CRM records',
      severity: 'critical' as const,
      alertCount: 17,
      recommendedActions: Array.from(
        { length: 20_000 },
        (_, i) => `Action ${i} ${'a'.repeat(100)}`,
      ),
      url: 'https://app.axiorank.test/workspaces/ws_1/incidents/inc_life',
    };
    for (const action of ['trigger', 'acknowledge', 'resolve'] as const) {
      const result = await sut.send(
        buildAxioRankIncidentEvent({ action, routingKey: KEY, workspaceId: 'ws_1', incident }),
        'us',
      );
      expect(result.outcome).toBe('accepted');
    }
    const [only] = sim.store.listIncidents({ dedupKey: 'inc_life' });
    expect(only.status).toBe('resolved');
    expect(only.log.map((entry) => entry.outcome)).toEqual(['created', 'acknowledged', 'resolved']);
    expect(sim.store.listRequests().every((record) => record.warnings === undefined)).toBe(true);
  });
});
