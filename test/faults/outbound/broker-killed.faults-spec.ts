import { randomUUID } from 'node:crypto';
import { startPrivateKafka, waitFor, type PrivateKafkaBroker } from '@app/testing';
// eslint-disable-next-line no-restricted-imports
import { OutboundHarness } from '../../../apps/outbound-pager/test/outbound-harness';
import {
  ACTIONS,
  allSimIncidents,
  allSimRequests,
  eventsApiActions,
  IncidentStream,
  jobKey,
  knob,
  LIFECYCLE,
  lifecycleEvent,
  seconds,
  simStats,
  sleep,
  summary,
} from './fault-kit';

/**
 * Issue 9, F1: the Kafka broker is SIGKILLed while 1,000 incident lifecycles (opened →
 * acknowledged → resolved) are being produced and delivered, then restarted. Every incident ends
 * resolved in PagerDuty, as exactly one PagerDuty incident, its events in order, none repeated.
 *
 * A private broker (never the run's shared one). The incidents are spread over many workspaces,
 * one channel (routing key) each, so that each key carries 60 events: within the product's
 * default token bucket (burst 60, 120/min), which therefore stays on, while the simulator does
 * not enforce PagerDuty's limit and answers at once.
 */
describe('F1: Kafka broker killed mid-stream (outbound-pager)', () => {
  const INCIDENTS = knob('FAULTS_F1_INCIDENTS', 1000);
  const CHANNELS = knob('FAULTS_F1_CHANNELS', 50);
  /** Incidents per step; a step sends the opens of one group, acks of the previous, resolves of the one before. */
  const GROUP = 50;
  /** How far production may run ahead of PagerDuty, in events, so the stream is still flowing at the kill. */
  const WINDOW = 450;
  const TOTAL = INCIDENTS * 3;
  const KILL_AT = Math.floor(TOTAL * 0.3);

  const harness = new OutboundHarness();
  const run = randomUUID().slice(0, 8);
  let broker: PrivateKafkaBroker;
  let stream: IncidentStream;
  const channels: { id: string; workspaceId: string }[] = [];

  beforeAll(async () => {
    broker = await startPrivateKafka();
    await harness.start(
      { LOG_LEVEL: 'warn' },
      { PD_SIM_ENFORCE_RATE: 'false' },
      { brokers: [broker.brokers] },
    );
    for (let i = 0; i < CHANNELS; i++) {
      const workspaceId = `ws_f1_${run}_${i}`;
      const channel = await harness.publishChannel({ workspaceId, name: `F1 on-call ${i}` });
      channels.push({ id: channel.id, workspaceId });
    }
    // The channels are on axiorank.channels.v1 of the private broker; wait until the pager knows them all.
    await waitFor(
      async () =>
        (await Promise.all(channels.map((c) => harness.deliveries(c.workspaceId, c.id)))).length,
      { timeoutMs: 60_000, intervalMs: 500, description: 'every channel in the pager’s replica' },
    );
    stream = new IncidentStream([broker.brokers]);
    await stream.connect();
  }, 240_000);

  afterAll(async () => {
    await stream?.close();
    await harness.stop();
    await broker?.close();
  }, 120_000);

  it('delivers every lifecycle exactly once and in order across a broker SIGKILL and restart', async () => {
    const started = Date.now();
    const ids = Array.from({ length: INCIDENTS }, (_, i) => `inc_f1_${run}_${i}`);
    const workspaceOf = (i: number) => channels[i % CHANNELS].workspaceId;
    const groups = Math.ceil(INCIDENTS / GROUP);
    let produced = 0;
    let producedAtKill = -1;
    let acceptedAtKill = -1;
    let brokerDownMs = 0;

    const accepted = async () => (await simStats(harness.simulator.url)).accepted.total;

    const produce = async () => {
      for (let step = 0; step < groups + 2; step++) {
        const events = LIFECYCLE.flatMap((type, phase) => {
          const group = step - phase;
          if (group < 0 || group >= groups) return [];
          return ids
            .slice(group * GROUP, (group + 1) * GROUP)
            .map((id, k) => lifecycleEvent(type, id, workspaceOf(group * GROUP + k)));
        });
        // Back-pressure paces the stream so that it is still flowing at the kill; while the broker
        // is down, sends either wait here (nothing consumed, nothing delivered) or are resent.
        await waitFor(async () => (await accepted()) >= produced - WINDOW, {
          timeoutMs: 180_000,
          intervalMs: 100,
          description: 'PagerDuty to catch up with the stream',
        });
        await stream.publish(events);
        produced += events.length;
      }
    };

    const killBroker = async () => {
      await waitFor(async () => (await accepted()) >= KILL_AT, {
        timeoutMs: 180_000,
        intervalMs: 100,
        description: `${KILL_AT} events delivered before the kill`,
      });
      producedAtKill = produced;
      await broker.kill('SIGKILL');
      const down = Date.now();
      acceptedAtKill = await accepted();
      // Let the clients notice a dead broker before it comes back.
      await sleep(2000);
      await broker.restart();
      brokerDownMs = Date.now() - down;
    };

    await Promise.all([produce(), killBroker()]);

    // The kill happened in the middle: part of the stream was produced and delivered after it.
    expect(producedAtKill).toBeLessThan(TOTAL);
    expect(acceptedAtKill).toBeLessThan(TOTAL);

    await waitFor(
      async () => {
        const { incidents } = await simStats(harness.simulator.url);
        return (incidents.resolved ?? 0) >= INCIDENTS;
      },
      { timeoutMs: 300_000, intervalMs: 500, description: `${INCIDENTS} resolved incidents` },
    );

    const incidents = await allSimIncidents(harness.simulator.url);
    const byKey = new Map<string, typeof incidents>();
    for (const incident of incidents) {
      byKey.set(incident.dedupKey, [...(byKey.get(incident.dedupKey) ?? []), incident]);
    }
    expect(byKey.size).toBe(INCIDENTS);
    const wrong = ids.filter((id) => {
      const found = byKey.get(id) ?? [];
      return (
        found.length !== 1 ||
        found[0].status !== 'resolved' ||
        eventsApiActions(found[0]).join() !== ACTIONS.join()
      );
    });
    expect(wrong).toEqual([]);

    const requests = await allSimRequests(harness.simulator.url);
    const acceptedRequests = requests.filter((r) => r.outcome === 'accepted');
    const perJob = new Map<string, number>();
    for (const r of acceptedRequests) {
      const key = jobKey(r.dedupKey, r.eventAction);
      perJob.set(key, (perJob.get(key) ?? 0) + 1);
    }
    const duplicates = acceptedRequests.length - perJob.size;
    expect(perJob.size).toBe(TOTAL);
    expect(duplicates).toBe(0);
    expect(requests.filter((r) => r.outcome !== 'accepted')).toEqual([]);

    // What an operator sees: the pager rode out the outage without a restart, history all delivered.
    expect(harness.pager.running).toBe(true);
    await harness.pager.waitForStatus('/health/ready', 200, 60_000);
    const history = (
      await Promise.all(channels.map((c) => harness.deliveries(c.workspaceId, c.id)))
    ).flat();
    expect(history).toHaveLength(TOTAL);
    expect(history.filter((d) => d.outcome !== 'delivered')).toEqual([]);
    expect(history.every((d) => d.attempts === 1)).toBe(true);

    summary(
      `F1 broker killed: produced=${produced} delivered=${perJob.size} duplicates=${duplicates} ` +
        `incidents=${byKey.size} requests=${requests.length} channels=${CHANNELS} ` +
        `killed_at_produced=${producedAtKill} killed_at_delivered=${acceptedAtKill} broker_down=${(brokerDownMs / 1000).toFixed(1)}s ` +
        `producer_resends=${stream.resends} run=${seconds(started)}`,
    );
  }, 600_000);
});
