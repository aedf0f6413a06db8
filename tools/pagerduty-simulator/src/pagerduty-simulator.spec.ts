import { PagerDutySimulator } from './pagerduty-simulator';
import type { EnqueueRecord, SimulatorIncident, SimulatorService } from './simulator.types';
import { httpCall, type HttpReply } from './testing/http-call';

const KEY = 'simKEY0000000000000000000000000A';
const OTHER_KEY = 'simKEY0000000000000000000000000B';

function trigger(dedupKey: string | undefined, overrides: Record<string, unknown> = {}) {
  return {
    routing_key: KEY,
    event_action: 'trigger',
    ...(dedupKey === undefined ? {} : { dedup_key: dedupKey }),
    payload: { summary: `Incident ${dedupKey ?? 'new'}`, source: 'AxioRank', severity: 'critical' },
    ...overrides,
  };
}

function action(eventAction: 'acknowledge' | 'resolve', dedupKey: string, routingKey = KEY) {
  return { routing_key: routingKey, event_action: eventAction, dedup_key: dedupKey };
}

describe('PagerDutySimulator (Events API v2)', () => {
  const sut = new PagerDutySimulator({ routingKeys: [KEY, OTHER_KEY] });
  const enqueue = (body: unknown, region: 'us' | 'eu' = 'us'): Promise<HttpReply> =>
    httpCall('POST', sut.enqueueUrl(region), body);
  const get = async <T = unknown>(path: string): Promise<T> =>
    (await httpCall('GET', `${sut.url}${path}`)).json as T;

  beforeAll(async () => {
    await sut.start();
  });
  afterAll(async () => {
    await sut.stop();
  });
  beforeEach(() => sut.reset());

  it('accepts a trigger with 202 and opens a triggered incident', async () => {
    const reply = await enqueue(trigger('inc_1'));

    expect(reply.status).toBe(202);
    expect(reply.json).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'inc_1',
    });
    const incidents = await get<SimulatorIncident[]>('/_sim/incidents?dedupKey=inc_1');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      number: 1,
      status: 'triggered',
      title: 'Incident inc_1',
      routingKey: KEY,
      dedupKey: 'inc_1',
    });
    expect(incidents[0].id).toMatch(/^Q[0-9A-Z]{13}$/);
    expect(incidents[0].log[0]).toMatchObject({
      action: 'trigger',
      outcome: 'created',
      region: 'us',
    });
  });

  it('deduplicates a second trigger into the same open incident', async () => {
    await enqueue(trigger('inc_1'));
    await enqueue(
      trigger('inc_1', { payload: { summary: 'again', source: 's', severity: 'info' } }),
    );

    const incidents = await get<SimulatorIncident[]>('/_sim/incidents?dedupKey=inc_1');
    expect(incidents).toHaveLength(1);
    expect(incidents[0].log.map((entry: { outcome: string }) => entry.outcome)).toEqual([
      'created',
      'updated',
    ]);
    expect(incidents[0].log[1].payload).toMatchObject({ summary: 'again' });
  });

  it('moves triggered → acknowledged → resolved and drops an acknowledge after resolve', async () => {
    await enqueue(trigger('inc_1'));
    expect((await enqueue(action('acknowledge', 'inc_1'))).status).toBe(202);
    expect((await get<SimulatorIncident[]>('/_sim/incidents?dedupKey=inc_1'))[0].status).toBe(
      'acknowledged',
    );
    expect((await enqueue(action('acknowledge', 'inc_1'))).status).toBe(202);
    expect((await enqueue(action('resolve', 'inc_1'))).status).toBe(202);
    const late = await enqueue(action('acknowledge', 'inc_1'));

    expect(late.status).toBe(202);
    const [incident] = await get<SimulatorIncident[]>('/_sim/incidents?dedupKey=inc_1');
    expect(incident.status).toBe('resolved');
    expect(incident.log.map((entry: { outcome: string }) => entry.outcome)).toEqual([
      'created',
      'acknowledged',
      'unchanged',
      'resolved',
      'dropped',
    ]);
    expect(await get('/_sim/dropped')).toEqual([
      expect.objectContaining({
        dedupKey: 'inc_1',
        action: 'acknowledge',
        reason: 'incident already resolved',
        incidentId: incident.id,
      }),
    ]);
  });

  it('opens a NEW incident for a trigger after resolve', async () => {
    await enqueue(trigger('inc_1'));
    await enqueue(action('resolve', 'inc_1'));
    await enqueue(trigger('inc_1'));

    const incidents = await get<SimulatorIncident[]>('/_sim/incidents?dedupKey=inc_1');
    expect(
      incidents.map((incident: { status: string; number: number }) => [
        incident.number,
        incident.status,
      ]),
    ).toEqual([
      [1, 'resolved'],
      [2, 'triggered'],
    ]);
    expect(incidents[0].id).not.toBe(incidents[1].id);
  });

  it('answers 202 and drops acknowledge/resolve of an unknown key', async () => {
    const reply = await enqueue(action('resolve', 'never-triggered'));

    expect(reply.status).toBe(202);
    expect(reply.json).toMatchObject({ status: 'success', dedup_key: 'never-triggered' });
    expect(await get<SimulatorIncident[]>('/_sim/incidents')).toEqual([]);
    expect(await get('/_sim/dropped')).toEqual([
      expect.objectContaining({ reason: 'no incident for this dedup key', incidentId: null }),
    ]);
    expect((await get<EnqueueRecord[]>('/_sim/requests'))[0]).toMatchObject({
      status: 202,
      effect: 'dropped',
    });
  });

  it('drops a resolve sent with a different routing key than the trigger', async () => {
    await enqueue(trigger('inc_1'));
    await enqueue(action('resolve', 'inc_1', OTHER_KEY));
    expect((await get<SimulatorIncident[]>('/_sim/incidents?dedupKey=inc_1'))[0].status).toBe(
      'triggered',
    );
  });

  it('generates a dedup key for a trigger without one', async () => {
    const reply = await enqueue(trigger(undefined));
    const { dedup_key: generated } = reply.json as { dedup_key: string };
    expect(generated).toMatch(/^[0-9a-f]{32}$/);
    expect(await get<SimulatorIncident[]>(`/_sim/incidents?dedupKey=${generated}`)).toHaveLength(1);
  });

  it('records the region of each request', async () => {
    await enqueue(trigger('us_1'));
    await enqueue(trigger('eu_1'), 'eu');
    const requests = await get<EnqueueRecord[]>('/_sim/requests');
    expect(requests.map((r) => [r.region, r.status, r.path])).toEqual([
      ['us', 202, '/v2/enqueue'],
      ['eu', 202, '/eu/v2/enqueue'],
    ]);
  });

  describe('400 answers', () => {
    const invalid = (errors: unknown): unknown => ({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors,
    });

    it('rejects unparseable JSON as an unrecognized object', async () => {
      const reply = await httpCall('POST', sut.enqueueUrl(), undefined, { raw: '{"routing_key":' });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({
        status: 'Unrecognized object',
        message: 'Event object format is unrecognized',
        errors: ['JSON parse error'],
      });
    });

    it('rejects a JSON value that is not an object', async () => {
      const reply = await enqueue([1, 2]);
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(invalid(['Event must be a JSON object']));
    });

    it('lists every problem of an invalid trigger', async () => {
      const reply = await enqueue({
        routing_key: 'short',
        event_action: 'trigger',
        dedup_key: 'd'.repeat(256),
        payload: { summary: 's'.repeat(1025), severity: 'CRITICAL', timestamp: 'noon' },
        links: [{ text: 'no href' }],
      });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(
        invalid([
          "'routing_key' must be 32 letters or digits",
          "'dedup_key' must be at most 255 characters",
          "'payload.summary' must be at most 1024 characters",
          "'payload.source' is missing or blank",
          "'payload.severity' is invalid (must be one of critical, error, warning, info)",
          "'payload.timestamp' is not a valid ISO 8601 date-time",
          "'links[0].href' is missing",
        ]),
      );
    });

    it('rejects an unknown action and a resolve without dedup key', async () => {
      expect((await enqueue({ routing_key: KEY, event_action: 'close' })).json).toEqual(
        invalid(["'event_action' is invalid (must be one of trigger, acknowledge, resolve)"]),
      );
      expect((await enqueue({ routing_key: KEY, event_action: 'resolve' })).json).toEqual(
        invalid(["'dedup_key' is missing or blank"]),
      );
    });

    it('rejects a trigger with a blank summary', async () => {
      const reply = await enqueue(
        trigger('x', { payload: { summary: '  ', source: 's', severity: 'info' } }),
      );
      expect(reply.json).toEqual(invalid(["'payload.summary' is missing or blank"]));
    });

    it('rejects a well-formed but unregistered routing key', async () => {
      const reply = await enqueue(
        trigger('x', { routing_key: 'unknownKEY0000000000000000000000' }),
      );
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(invalid(['Invalid routing key']));
    });

    it('rejects a body of 512 KB or more', async () => {
      const body = trigger('big', {
        payload: {
          summary: 's',
          source: 's',
          severity: 'info',
          custom_details: { blob: 'x'.repeat(524_288) },
        },
      });
      const reply = await enqueue(body);
      expect(reply.status).toBe(400);
      expect((reply.json as { errors: string[] }).errors[0]).toMatch(/too large/);
    });

    it('warns (but accepts) links placed inside the payload', async () => {
      await enqueue(
        trigger('w', {
          payload: { summary: 's', source: 's', severity: 'info', links: [{ href: 'https://x' }] },
        }),
      );
      expect((await get<EnqueueRecord[]>('/_sim/requests'))[0].warnings).toEqual([
        'payload.links is ignored: links belong at the top level',
      ]);
    });
  });

  describe('fault injection', () => {
    it('fails the next N requests with the chosen status, then recovers', async () => {
      await httpCall('POST', `${sut.url}/_sim/faults`, { failNext: 2, status: 503 });
      const statuses = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push((await enqueue(trigger('f'))).status);
      }
      expect(statuses).toEqual([503, 503, 202]);
      expect((await get<SimulatorIncident[]>('/_sim/incidents')).length).toBe(1);
    });

    it('answers 429 with the throttle body and an optional Retry-After', async () => {
      await httpCall('POST', `${sut.url}/_sim/faults`, {
        failNext: 1,
        status: 429,
        retryAfterSeconds: 3,
      });
      const reply = await enqueue(trigger('f'));
      expect(reply.status).toBe(429);
      expect(reply.headers['retry-after']).toBe('3');
      expect(reply.json).toEqual({
        status: 'throttle event',
        message: 'Requests for this service are arriving too quickly.  Please retry later.',
      });
    });

    it('delays answers by latencyMs until cleared', async () => {
      await httpCall('POST', `${sut.url}/_sim/faults`, { latencyMs: 150 });
      const started = Date.now();
      await enqueue(trigger('slow'));
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);

      await httpCall('DELETE', `${sut.url}/_sim/faults`);
      expect(await get('/_sim/faults')).toMatchObject({ latencyMs: 0, failNext: 0, hangNext: 0 });
    });

    it('never answers a hung request', async () => {
      await httpCall('POST', `${sut.url}/_sim/faults`, { hangNext: 1 });
      await expect(
        httpCall('POST', sut.enqueueUrl(), trigger('hang'), { timeoutMs: 200 }),
      ).rejects.toThrow();
      expect((await enqueue(trigger('after'))).status).toBe(202);
      expect((await get<EnqueueRecord[]>('/_sim/requests'))[0]).toMatchObject({
        outcome: 'hung',
        status: null,
      });
    });

    it('validates fault settings', async () => {
      const reply = await httpCall('POST', `${sut.url}/_sim/faults`, { status: 200 });
      expect(reply.status).toBe(400);
    });
  });

  describe('registration API', () => {
    it('registers a service with a generated 32-character key, idempotently per key', async () => {
      const created = await httpCall('POST', `${sut.url}/_sim/services`, { name: 'Payments' });
      expect(created.status).toBe(201);
      const service = created.json as { id: string; routingKey: string };
      expect(service.routingKey).toMatch(/^[A-Za-z0-9]{32}$/);

      const again = await httpCall('POST', `${sut.url}/_sim/services`, {
        routingKey: service.routingKey,
      });
      expect(again.status).toBe(200);
      expect((again.json as { id: string }).id).toBe(service.id);
      expect((await enqueue(trigger('svc', { routing_key: service.routingKey }))).status).toBe(202);
    });

    it('rejects a malformed routing key, and answers 404/405 for unknown things', async () => {
      expect((await httpCall('POST', `${sut.url}/_sim/services`, { routingKey: 'x' })).status).toBe(
        400,
      );
      expect((await httpCall('GET', `${sut.url}/_sim/incidents/QNOPE`)).status).toBe(404);
      expect((await httpCall('DELETE', `${sut.url}/_sim/incidents`)).status).toBe(405);
      expect((await httpCall('GET', `${sut.url}/nowhere`)).status).toBe(404);
    });

    it('re-registers configured keys after reset', async () => {
      await httpCall('POST', `${sut.url}/_sim/reset`);
      expect((await get<SimulatorService[]>('/_sim/services')).map((s) => s.routingKey)).toEqual([
        KEY,
        OTHER_KEY,
      ]);
    });
  });
});

describe('PagerDutySimulator rate limit', () => {
  let now = Date.parse('2026-12-04T10:00:00Z');
  const sut = new PagerDutySimulator({
    routingKeys: [KEY, OTHER_KEY],
    ratePerMinute: 3,
    now: () => now,
  });
  const send = async (routingKey: string, dedupKey: string): Promise<number> =>
    (await httpCall('POST', sut.enqueueUrl(), trigger(dedupKey, { routing_key: routingKey })))
      .status;

  beforeAll(async () => {
    await sut.start();
  });
  afterAll(async () => {
    await sut.stop();
  });

  it('answers 429 past N events per rolling minute per routing key', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push(await send(KEY, `r${i}`));
    }
    expect(statuses).toEqual([202, 202, 202, 429]);
    expect(await send(OTHER_KEY, 'other')).toBe(202);

    const throttled = await httpCall('POST', sut.enqueueUrl(), trigger('r4'));
    expect(throttled.json).toEqual({
      status: 'throttle event',
      message: 'Requests for this service are arriving too quickly.  Please retry later.',
    });

    now += 60_001;
    expect(await send(KEY, 'r5')).toBe(202);
  });
});

describe('PagerDutySimulator options', () => {
  it('accepts any well-formed key when acceptAnyKey is on, and never throttles when enforcement is off', async () => {
    const sut = new PagerDutySimulator({
      acceptAnyKey: true,
      ratePerMinute: 1,
      enforceRate: false,
    });
    await sut.start();
    try {
      const key = 'anyKEY0000000000000000000000000Z';
      for (let i = 0; i < 3; i += 1) {
        expect(
          (await httpCall('POST', sut.enqueueUrl(), trigger(`a${i}`, { routing_key: key }))).status,
        ).toBe(202);
      }
      const services = (await httpCall('GET', `${sut.url}/_sim/services`)).json as Array<{
        autoRegistered: boolean;
      }>;
      expect(services).toEqual([
        expect.objectContaining({ routingKey: key, autoRegistered: true }),
      ]);
      expect(
        (await httpCall('POST', sut.enqueueUrl(), trigger('bad', { routing_key: 'x' }))).status,
      ).toBe(400);
    } finally {
      await sut.stop();
    }
  });

  it('fast mode answers 202 to anything and records only counters and arrivals', async () => {
    let now = 1_000;
    const sut = new PagerDutySimulator({ fastMode: true, now: () => now });
    await sut.start();
    try {
      await httpCall('POST', sut.enqueueUrl(), {
        routing_key: 'whatever',
        event_action: 'trigger',
        dedup_key: 'k',
      });
      now = 2_000;
      await httpCall('POST', sut.enqueueUrl('eu'), { event_action: 'resolve', dedup_key: 'k' });
      const garbage = await httpCall('POST', sut.enqueueUrl(), undefined, { raw: 'not json' });
      expect(garbage.status).toBe(202);

      expect((await httpCall('GET', `${sut.url}/_sim/arrivals?dedupKey=k`)).json).toEqual({
        k: [
          { at: 1_000, action: 'trigger' },
          { at: 2_000, action: 'resolve' },
        ],
      });
      const stats = (await httpCall('GET', `${sut.url}/_sim/stats`)).json as Record<
        string,
        unknown
      >;
      expect(stats.mode).toBe('fast');
      expect(stats.accepted).toEqual({
        total: 3,
        byRegion: { us: 2, eu: 1 },
        byAction: { trigger: 1, resolve: 1, unknown: 1 },
      });
      expect((await httpCall('GET', `${sut.url}/_sim/incidents`)).json).toEqual([]);
      expect((await httpCall('GET', `${sut.url}/_sim/requests`)).json).toEqual([]);
    } finally {
      await sut.stop();
    }
  });
});
