import { randomUUID } from 'node:crypto';
import { bearer, kafkaBrokers, waitFor, type ServiceProcess } from '@app/testing';
// eslint-disable-next-line no-restricted-imports
import { OutboundHarness } from '../../../apps/outbound-pager/test/outbound-harness';
import {
  ACTIONS,
  allSimIncidents,
  allSimRequests,
  deliveryRows,
  eventsApiActions,
  IncidentStream,
  jobKey,
  knob,
  LIFECYCLE,
  lifecycleEvent,
  seconds,
  simStats,
  summary,
} from './fault-kit';

type Region = 'us' | 'eu';

const started = Date.now();
/** Progress lines for a run being debugged (FAULTS_VERBOSE=1). */
const verbose = (line: string) => {
  if (process.env.FAULTS_VERBOSE)
    process.stderr.write(`[faults F2 +${seconds(started)}] ${line}\n`);
};

interface Replica {
  name: string;
  /** Resolves once the process is ready (a replacement: live), so that the stream goes on meanwhile. */
  process: Promise<ServiceProcess>;
  killed: boolean;
  /** Each replica reaches the simulator through its own region's URL: the region tells who sent a request. */
  region: Region;
  /** The simulator's last request seq before this process started, and before its replacement did. */
  firstSeq: number;
  lastSeq: number;
}

interface Kill {
  victim: Replica;
  deliveredBefore: number;
  recordedBefore: number;
  /** Jobs still pending in the queue right after the kill (the victim's answers not committed). */
  pending: Set<string>;
  /** Pending jobs the victim had already sent and PagerDuty had accepted: the only ones that may repeat. */
  answeredNotCommitted: Set<string>;
}

/**
 * Issue 9, F2: two outbound-pager replicas (same consumer group, same database) deliver a stream
 * of incident lifecycles while one of them is SIGKILLed three times at different points; each is
 * replaced. Nothing is lost, order per dedup key holds, and no job is sent twice, except the
 * one case at-least-once delivery cannot avoid: a request PagerDuty had accepted when its sender
 * died, before the answer was committed. The test predicts exactly which jobs those are from a
 * snapshot of the queue taken right after each kill, and then demands that these and only these
 * were repeated, once per kill that caught them (PagerDuty deduplicates them on dedup_key).
 */
describe('F2: outbound-pager replicas killed mid-stream', () => {
  const INCIDENTS = knob('FAULTS_F2_INCIDENTS', 300);
  const CHANNELS = 3;
  /** Kill points, as shares of the stream already delivered to PagerDuty. */
  const KILL_POINTS = [0.05, 0.4, 0.7];
  const TOTAL = INCIDENTS * 3;
  const WORKERS = 2;
  const BATCH = 4;
  const TIMEOUT_MS = 2000;
  /** The worker's lease (delivery-worker.service.ts): the snapshot must be taken inside it. */
  const LEASE_MS = TIMEOUT_MS * 2 + 5000;

  const harness = new OutboundHarness();
  const run = randomUUID().slice(0, 8);
  const channels: { id: string; workspaceId: string }[] = [];
  let stream: IncidentStream;
  const regionUrl = (region: Region) =>
    `${harness.simulator.url}${region === 'eu' ? '/eu' : ''}/v2/enqueue`;

  beforeAll(async () => {
    // A few requests in flight per replica, each answered after 300 ms: a kill catches some of
    // them answered by PagerDuty but not yet committed. The token bucket has tests of its own.
    await harness.start(
      {
        DELIVERY_WORKERS: String(WORKERS),
        DELIVERY_BATCH_SIZE: String(BATCH),
        PAGERDUTY_TIMEOUT_MS: String(TIMEOUT_MS),
        PAGERDUTY_RATE_PER_MINUTE: '6000',
        PAGERDUTY_RATE_BURST: '1000',
        LOG_LEVEL: 'warn',
      },
      { PD_SIM_ENFORCE_RATE: 'false' },
    );
    await harness.simFaults({ latencyMs: 300 });
    for (let i = 0; i < CHANNELS; i++) {
      const workspaceId = `ws_f2_${run}_${i}`;
      const channel = await harness.publishChannel({ workspaceId, name: `F2 on-call ${i}` });
      channels.push({ id: channel.id, workspaceId });
    }
    stream = new IncidentStream(kafkaBrokers());
    await stream.connect();
  }, 180_000);

  afterAll(async () => {
    await stream?.close();
    await harness.simFaults(null);
    await harness.stop();
  }, 120_000);

  const maxSeq = async () =>
    (await allSimRequests(harness.simulator.url)).reduce((m, r) => Math.max(m, r.seq), 0);

  it('loses nothing, keeps order and repeats only what PagerDuty accepted from a dying replica', async () => {
    const testStarted = Date.now();
    const replica = (
      name: string,
      region: Region,
      firstSeq: number,
      process: ServiceProcess | Promise<ServiceProcess>,
    ): Replica => {
      const ready = Promise.resolve(process);
      // Awaited after the kills; a failed start must not go unhandled meanwhile.
      ready.catch(() => undefined);
      return { name, process: ready, killed: false, region, firstSeq, lastSeq: Infinity };
    };
    const replicas: Replica[] = [
      replica('A1', 'us', 0, harness.pager),
      replica('B1', 'eu', 0, await harness.startReplica({ PAGERDUTY_EVENTS_URL: regionUrl('eu') })),
    ];
    const known = () =>
      Promise.all(
        replicas.map((r) =>
          Promise.all(
            channels.map(async (c) => {
              const res = await fetch(
                `${(await r.process).url}/v1/workspaces/${c.workspaceId}/channels/${c.id}/deliveries?limit=1`,
                { headers: bearer(c.workspaceId) },
              );
              if (res.status !== 200) throw new Error(`${r.name}: ${res.status}`);
            }),
          ),
        ),
      );
    await waitFor(() => known().then(() => true), {
      timeoutMs: 60_000,
      intervalMs: 500,
      description: 'every channel in both replicas',
    });

    const ids = Array.from({ length: INCIDENTS }, (_, i) => `inc_f2_${run}_${i}`);
    const channelIds = channels.map((c) => c.id);
    const workspaceOf = (i: number) => channels[i % CHANNELS].workspaceId;
    for (const type of LIFECYCLE) {
      await stream.publish(ids.map((id, i) => lifecycleEvent(type, id, workspaceOf(i))));
    }

    verbose(`stream of ${TOTAL} events published`);
    const delivered = async () => (await simStats(harness.simulator.url)).accepted.total;
    const kills: Kill[] = [];
    for (const point of KILL_POINTS) {
      // A1, B1, A2: the replica that has run longest is the victim, never the one just started.
      const victim = replicas.filter((r) => !r.killed)[0];
      const victimProcess = await victim.process;
      // Kill while the victim is delivering and has work in hand: jobs waiting in the queue, not
      // only in Kafka (after a kill the group stops consuming until the dead member's session
      // expires, and a replacement is ready only once it has joined the group).
      await waitFor(
        async () =>
          (await delivered()) >= Math.floor(TOTAL * point) &&
          (await deliveryRows(channelIds)).filter((r) => r.status === 'pending').length >=
            WORKERS * BATCH &&
          (await allSimRequests(harness.simulator.url, victim.region)).some(
            (r) => r.seq > victim.firstSeq,
          ),
        {
          timeoutMs: 240_000,
          intervalMs: 250,
          description: `${Math.round(point * 100)}% delivered, more queued, ${victim.name} delivering`,
        },
      );
      const deliveredBefore = await delivered();
      await victimProcess.stop('SIGKILL');
      victim.killed = true;
      const killedAt = Date.now();
      const rows = await deliveryRows(channelIds);
      const snapshotMs = Date.now() - killedAt;
      // Later, another replica may take the victim's leased jobs; until then the snapshot is exact.
      expect(snapshotMs).toBeLessThan(LEASE_MS);
      const pending = new Set(
        rows.filter((r) => r.status === 'pending').map((r) => jobKey(r.dedup_key, r.action)),
      );
      kills.push({
        victim,
        deliveredBefore,
        recordedBefore: rows.length,
        pending,
        answeredNotCommitted: new Set(),
      });
      victim.lastSeq = await maxSeq();
      replicas.push(
        replica(
          `${victim.name[0]}${replicas.filter((r) => r.region === victim.region).length + 1}`,
          victim.region,
          victim.lastSeq,
          // Live is enough to be a victim later; readiness (group joined) is awaited at the end.
          harness.startReplica({ PAGERDUTY_EVENTS_URL: regionUrl(victim.region) }, '/health/live'),
        ),
      );
      verbose(
        `kill ${kills.length} ${victim.name}: delivered ${deliveredBefore}, queue ${rows.length} rows, ${pending.size} pending, snapshot ${snapshotMs} ms`,
      );
    }
    const survivors = await Promise.all(replicas.filter((r) => !r.killed).map((r) => r.process));

    await waitFor(
      async () => ((await simStats(harness.simulator.url)).incidents.resolved ?? 0) >= INCIDENTS,
      { timeoutMs: 240_000, intervalMs: 500, description: `${INCIDENTS} resolved incidents` },
    );
    verbose('every incident resolved in the simulator');
    const rows = await waitFor(
      async () => {
        const found = await deliveryRows(channelIds);
        return found.length === TOTAL && found.every((r) => r.status !== 'pending') ? found : null;
      },
      { timeoutMs: 60_000, description: 'every job settled in the queue' },
    );
    expect(rows.filter((r) => r.status !== 'delivered')).toEqual([]);

    // Each kill happened mid-stream, with jobs left in the queue to deliver after it.
    for (const kill of kills) expect(kill.pending.size).toBeGreaterThan(0);

    // Who sent what: region and seq range name the replica process.
    const requests = await allSimRequests(harness.simulator.url);
    expect(requests.filter((r) => r.outcome !== 'accepted')).toEqual([]);
    const sentBy = (replica: Replica) =>
      requests.filter(
        (r) => r.region === replica.region && r.seq > replica.firstSeq && r.seq <= replica.lastSeq,
      );
    kills.forEach((kill) => {
      for (const r of sentBy(kill.victim)) {
        const key = jobKey(r.dedupKey, r.eventAction);
        if (kill.pending.has(key)) kill.answeredNotCommitted.add(key);
      }
      // At most what one replica has in flight: its workers × their batch.
      expect(kill.answeredNotCommitted.size).toBeLessThanOrEqual(WORKERS * BATCH);
    });

    const perJob = new Map<string, number>();
    for (const r of requests) {
      const key = jobKey(r.dedupKey, r.eventAction);
      perJob.set(key, (perJob.get(key) ?? 0) + 1);
    }
    expect(perJob.size).toBe(TOTAL);
    const expected = (key: string) =>
      1 + kills.filter((k) => k.answeredNotCommitted.has(key)).length;
    const unexpected = [...perJob].filter(([key, count]) => count !== expected(key));
    // No job whose answer was committed was sent again, and every uncommitted one was, once.
    expect(unexpected).toEqual([]);
    const repeats = requests.length - perJob.size;

    const incidents = await allSimIncidents(harness.simulator.url);
    expect(incidents).toHaveLength(INCIDENTS);
    const disorder = incidents.filter((incident) => {
      const want = ACTIONS.flatMap((action) =>
        Array<string>(perJob.get(jobKey(incident.dedupKey, action)) ?? 0).fill(action),
      );
      return incident.status !== 'resolved' || eventsApiActions(incident).join() !== want.join();
    });
    expect(disorder).toEqual([]);
    expect(new Set(incidents.map((i) => i.dedupKey))).toEqual(new Set(ids));
    for (const survivor of survivors) {
      expect(survivor.running).toBe(true);
      await survivor.waitForStatus('/health/ready', 200, 120_000);
    }

    summary(
      `F2 pager killed x3 (2 replicas): produced=${TOTAL} delivered=${perJob.size} lost=0 ` +
        `incidents=${incidents.length} requests=${requests.length} repeats=${repeats} ` +
        `(per kill ${kills.map((k) => `${k.victim.name}:${k.answeredNotCommitted.size}`).join(',')}; ` +
        `all answered by PagerDuty but uncommitted at the kill, same dedup_key+action) ` +
        `committed_repeated=0 order_violations=0 ` +
        `killed_at_delivered=${kills.map((k) => k.deliveredBefore).join('/')} ` +
        `pending_at_kills=${kills.map((k) => k.pending.size).join('/')} ` +
        `recorded_at_first_kill=${kills[0].recordedBefore}/${TOTAL} run=${seconds(testStarted)}`,
    );
  }, 600_000);
});
