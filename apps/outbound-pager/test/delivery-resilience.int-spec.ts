import { randomUUID } from 'node:crypto';
import { waitFor } from '@app/testing';
import { OutboundHarness } from './outbound-harness';

/** Delivery survives PagerDuty failing and the service being killed: nothing lost, nothing doubled. */
describe('outbound-pager, durable delivery', () => {
  const harness = new OutboundHarness();
  const ws = `ws_res_${randomUUID().slice(0, 8)}`;
  let channel: Awaited<ReturnType<OutboundHarness['publishChannel']>>;

  beforeAll(async () => {
    // PagerDuty's per-key limit (120/min) would make a long stream on one key take minutes;
    // the limiter has tests of its own, so here both sides allow more.
    await harness.start(
      { PAGERDUTY_RATE_PER_MINUTE: '6000', PAGERDUTY_RATE_BURST: '1000' },
      { PD_SIM_RATE_PER_MINUTE: '6000' },
    );
    channel = await harness.publishChannel({ workspaceId: ws, name: 'Resilient' });
    await harness.waitUntilKnown(channel);
  });

  afterAll(() => harness.stop());
  afterEach(() => harness.simFaults(null));

  const lifecycle = async (ids: string[]) => {
    for (const type of ['incident.opened', 'incident.acknowledged', 'incident.resolved'] as const) {
      for (const id of ids)
        await harness.publishIncident(type, { id, title: `Lifecycle ${id}` }, ws);
    }
  };

  it('retries through 500s and 429s and then delivers everything, in order per incident', async () => {
    await harness.simFaults({ failNext: 12, status: 500 });
    const ids = Array.from({ length: 5 }, () => `inc_${randomUUID()}`);
    await lifecycle(ids.slice(0, 3));
    await waitFor(
      async () =>
        (await harness.deliveries(ws, channel.id)).some(
          (d) => d.attempts > 1 || d.pagerduty?.status === 500,
        ),
      { timeoutMs: 20_000, description: 'a failed attempt to be recorded' },
    );
    await harness.simFaults({ failNext: 8, status: 429, retryAfterSeconds: 1 });
    await lifecycle(ids.slice(3));
    for (const id of ids) {
      const found = await harness.waitForSimState(id, 'resolved', 60_000);
      expect(found).toHaveLength(1);
      expect(found[0].log.filter((l) => l.via === 'events_api').map((l) => l.action)).toEqual([
        'trigger',
        'acknowledge',
        'resolve',
      ]);
    }
    const rows = (await harness.deliveries(ws, channel.id)).filter((d) => ids.includes(d.dedupKey));
    expect(rows).toHaveLength(15);
    expect(rows.every((d) => d.outcome === 'delivered')).toBe(true);
    const retried = rows.filter((d) => d.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    const requests = (
      await Promise.all(ids.map((id) => harness.simRequests({ dedupKey: id })))
    ).flat();
    const failed = requests.filter((r) => r.status === 500 || r.status === 429).length;
    expect(failed).toBeGreaterThan(0);
    expect(requests.filter((r) => r.outcome === 'accepted')).toHaveLength(15);
    // Every attempt is a request PagerDuty saw, and every failed one was retried.
    expect(rows.reduce((n, d) => n + d.attempts, 0)).toBe(requests.length);
    process.stdout.write(
      `retry test: ${requests.length} requests, ${failed} failed (500/429), 15 delivered\n`,
    );
  });

  it('records a 400 as permanent with PagerDuty’s errors and does not retry it', async () => {
    const id = `inc_${randomUUID()}`;
    await harness.simFaults({ failNext: 1, status: 400 });
    await harness.publishIncident('incident.opened', { id, title: 'Rejected' }, ws);
    const row = await waitFor(
      async () =>
        (await harness.deliveries(ws, channel.id)).find(
          (d) => d.dedupKey === id && d.outcome === 'failed',
        ),
      { timeoutMs: 20_000, description: 'a failed delivery' },
    );
    expect(row.attempts).toBe(1);
    expect(row.pagerduty?.status).toBe(400);
    expect(row.reason).toBe('rejected_by_pagerduty');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await harness.simRequests({ dedupKey: id })).toHaveLength(1);
  });

  it('loses nothing and opens no second incident when killed with SIGKILL mid-stream', async () => {
    const ids = Array.from({ length: 60 }, () => `inc_${randomUUID()}`);
    const produced = lifecycle(ids);
    // Kill while events are still arriving and being delivered.
    await waitFor(
      async () => (await harness.simIncidents({ routingKey: channel.plaintextKey })).length > 10,
      {
        timeoutMs: 30_000,
        description: 'the first deliveries',
      },
    );
    await harness.pager.stop('SIGKILL');
    await produced;
    await harness.startPager();
    for (const id of ids) {
      const found = await harness.waitForSimState(id, 'resolved', 60_000);
      expect(found).toHaveLength(1);
      const actions = found[0].log.filter((l) => l.via === 'events_api').map((l) => l.action);
      // At least once: a request in flight at the kill may be repeated, never reordered.
      expect(actions.filter((a) => a === 'trigger').length).toBeGreaterThanOrEqual(1);
      expect(actions.indexOf('acknowledge')).toBeGreaterThan(actions.lastIndexOf('trigger'));
      expect(actions.indexOf('resolve')).toBeGreaterThan(actions.lastIndexOf('acknowledge'));
    }
    const requests = (
      await Promise.all(ids.map((id) => harness.simRequests({ dedupKey: id })))
    ).flat();
    const duplicates = requests.filter((r) => r.outcome === 'accepted').length - ids.length * 3;
    process.stdout.write(
      `kill-and-restart: produced ${ids.length * 3}, delivered ${requests.length}, duplicates ${duplicates}\n`,
    );
    // Only requests in flight at the moment of the kill can be repeated (at most workers × batch
    // size = 8 × 20), each at most once, and a repeat changes nothing in PagerDuty (same dedup key).
    expect(duplicates).toBeLessThanOrEqual(160);
    const perJob = new Map<string, number>();
    for (const r of requests.filter((q) => q.outcome === 'accepted')) {
      const key = `${String((r.body as { dedup_key?: string }).dedup_key)}:${String((r.body as { event_action?: string }).event_action)}`;
      perJob.set(key, (perJob.get(key) ?? 0) + 1);
    }
    expect(Math.max(...perJob.values())).toBeLessThanOrEqual(2);
  });
});
