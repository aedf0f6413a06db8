import { randomUUID } from 'node:crypto';
import { kafkaBrokers, waitFor } from '@app/testing';
// eslint-disable-next-line no-restricted-imports
import {
  OutboundHarness,
  type SimRequest,
} from '../../../apps/outbound-pager/test/outbound-harness';
import {
  ACTIONS,
  allSimIncidents,
  allSimRequests,
  eventsApiActions,
  IncidentStream,
  jobKey,
  knob,
  lifecycleEvent,
  seconds,
  sleep,
  summary,
} from './fault-kit';

/**
 * Issue 9, F3: PagerDuty answers 500, then 429 (with Retry-After), then hangs past the client's
 * timeout, each for a sustained period, then recovers. Everything is delivered afterwards, in
 * order; every job's attempts follow the configured backoff; the attempts the service records
 * are exactly the requests PagerDuty saw; a 400 is recorded as permanent and never retried.
 *
 * Durations (ms): FAULTS_F3_500_MS, FAULTS_F3_429_MS, FAULTS_F3_HANG_MS (default 3000 each);
 * FAULTS_F3_SLACK_MS (default 1000) is the scheduling allowance per attempt on a busy machine.
 */
describe('F3: PagerDuty down, then back (outbound-pager)', () => {
  const PHASES = {
    '500': knob('FAULTS_F3_500_MS', 3000),
    '429': knob('FAULTS_F3_429_MS', 3000),
    hang: knob('FAULTS_F3_HANG_MS', 3000),
  };
  const SLACK_MS = knob('FAULTS_F3_SLACK_MS', 1000);
  const RETRY_AFTER_S = 1;
  /** Incidents opened before the outage (their acks fail) and during it (their triggers fail). */
  const BEFORE = 6;
  const DURING = 6;

  const harness = new OutboundHarness();
  const ws = `ws_f3_${randomUUID().slice(0, 8)}`;
  let channel: Awaited<ReturnType<OutboundHarness['publishChannel']>>;
  let stream: IncidentStream;

  beforeAll(async () => {
    // The per-key token bucket has its own tests; here it must not add delays of its own to the
    // retries being measured, so both sides allow more than this suite sends.
    await harness.start(
      {
        RETRY_BASE_MS: '200',
        RETRY_MAX_MS: '2000',
        PAGERDUTY_TIMEOUT_MS: '1000',
        PAGERDUTY_RATE_PER_MINUTE: '6000',
        PAGERDUTY_RATE_BURST: '1000',
        LOG_LEVEL: 'warn',
      },
      { PD_SIM_ENFORCE_RATE: 'false' },
    );
    channel = await harness.publishChannel({ workspaceId: ws, name: 'F3 on-call' });
    await waitFor(() => harness.deliveries(ws, channel.id), {
      timeoutMs: 30_000,
      description: 'the channel in the pager’s replica',
    });
    stream = new IncidentStream(kafkaBrokers());
    await stream.connect();
  }, 180_000);

  afterAll(async () => {
    await stream?.close();
    await harness.stop();
  }, 60_000);

  afterEach(() => harness.simFaults(null));

  it('retries 500s, 429s and hangs with capped backoff, then delivers everything in order', async () => {
    const started = Date.now();
    const base = Number(harness.env.RETRY_BASE_MS);
    const cap = Number(harness.env.RETRY_MAX_MS);
    const timeout = Number(harness.env.PAGERDUTY_TIMEOUT_MS);
    const ceiling = (failure: number) => Math.min(cap, base * 2 ** (failure - 1));

    const before = Array.from({ length: BEFORE }, (_, i) => `inc_f3_${randomUUID()}_${i}`);
    const during = Array.from({ length: DURING }, (_, i) => `inc_f3_${randomUUID()}_${i}`);
    await stream.publish(before.map((id) => lifecycleEvent('incident.opened', id, ws)));
    for (const id of before) await harness.waitForSimState(id, 'triggered', 60_000);

    // The outage: every request fails from here until the faults are cleared.
    await harness.simFaults({ failNext: 1_000_000, status: 500 });
    const outageStart = Date.now();
    await stream.publish([
      ...before.map((id) => lifecycleEvent('incident.acknowledged', id, ws)),
      ...during.map((id) => lifecycleEvent('incident.opened', id, ws)),
    ]);
    await stream.publish([
      ...before.map((id) => lifecycleEvent('incident.resolved', id, ws)),
      ...during.map((id) => lifecycleEvent('incident.acknowledged', id, ws)),
    ]);
    await stream.publish(during.map((id) => lifecycleEvent('incident.resolved', id, ws)));
    await sleep(PHASES['500']);
    await harness.simFaults({ status: 429, retryAfterSeconds: RETRY_AFTER_S });
    await sleep(PHASES['429']);
    await harness.simFaults({ failNext: 0, hangNext: 1_000_000, retryAfterSeconds: null });
    await sleep(PHASES.hang);
    const recoverySent = Date.now();
    await harness.simFaults(null);
    const recovered = Date.now();

    for (const id of [...before, ...during]) await harness.waitForSimState(id, 'resolved', 120_000);

    // In order, one PagerDuty incident each, each event accepted once.
    const incidents = (await allSimIncidents(harness.simulator.url)).filter(
      (i) => i.routingKey === channel.plaintextKey,
    );
    expect(incidents).toHaveLength(BEFORE + DURING);
    for (const incident of incidents) {
      expect(incident.status).toBe('resolved');
      expect(eventsApiActions(incident)).toEqual([...ACTIONS]);
    }

    const requests = (await allSimRequests(harness.simulator.url)).filter(
      (r) => r.routingKey === channel.plaintextKey,
    );
    const byJob = new Map<string, SimRequest[]>();
    for (const r of requests) {
      const key = jobKey(r.dedupKey, r.eventAction);
      byJob.set(key, [...(byJob.get(key) ?? []), r]);
    }
    const history = await harness.deliveries(ws, channel.id);
    const jobs = history.filter((d) => [...before, ...during].includes(d.dedupKey));
    expect(jobs).toHaveLength((BEFORE + DURING) * 3);
    expect(jobs.filter((d) => d.outcome !== 'delivered')).toEqual([]);

    const outcomes = { fault500: 0, fault429: 0, hung: 0 };
    const attemptsPerJob: number[] = [];
    const gaps: number[] = [];
    const violations: string[] = [];
    for (const job of jobs) {
      const key = jobKey(job.dedupKey, job.action);
      const seen = (byJob.get(key) ?? []).sort((a, b) => a.seq - b.seq);
      const at = seen.map((r) => Date.parse(r.receivedAt));
      // What PagerDuty saw is what the service counts: every attempt, nothing more.
      if (seen.length !== job.attempts) {
        violations.push(`${key}: ${job.attempts} attempts recorded, ${seen.length} requests seen`);
        continue;
      }
      if (at[at.length - 1] < outageStart) {
        // The triggers of the incidents opened before the outage: delivered at the first try.
        if (job.attempts !== 1)
          violations.push(`${key}: ${job.attempts} attempts before the outage`);
        continue;
      }
      attemptsPerJob.push(job.attempts);
      const failures = seen.slice(0, -1);
      const last = seen[seen.length - 1];
      if (last.outcome !== 'accepted' || failures.some((r) => r.outcome === 'accepted')) {
        violations.push(`${key}: outcomes ${seen.map((r) => r.outcome).join(',')}`);
      }
      if (at[at.length - 1] < recoverySent) violations.push(`${key}: accepted during the outage`);
      for (const r of failures) {
        if (r.outcome === 'hung') outcomes.hung++;
        else if (r.status === 429) outcomes.fault429++;
        else if (r.status === 500) outcomes.fault500++;
      }

      // Each wait is at least the backoff's lower half (or Retry-After), after a hang's timeout.
      failures.forEach((r, i) => {
        const floor =
          (r.outcome === 'hung' ? timeout : 0) +
          Math.max(ceiling(i + 1) / 2, r.status === 429 ? RETRY_AFTER_S * 1000 : 0);
        const gap = at[i + 1] - at[i];
        if (gap < floor - 100) violations.push(`${key}: retry ${i + 1} after ${gap} ms < ${floor}`);
        gaps.push(gap);
      });

      // The attempts the policy allows for this job's share of the outage.
      const first = at[0];
      const { lo, hi } = attemptBounds(recovered - first, recoverySent - first);
      if (job.attempts < lo || job.attempts > hi) {
        violations.push(
          `${key}: ${job.attempts} attempts, policy allows ${lo}..${hi} (waits ${at
            .slice(1)
            .map((t, i) => t - at[i])
            .join(', ')} ms)`,
        );
      }
    }
    expect(violations).toEqual([]);
    expect(outcomes.fault500).toBeGreaterThan(0);
    expect(outcomes.fault429).toBeGreaterThan(0);
    expect(outcomes.hung).toBeGreaterThan(0);
    const attemptsTotal = jobs.reduce((n, d) => n + d.attempts, 0);
    expect(attemptsTotal).toBe(requests.length);

    const sumBound = attemptBounds(recovered - outageStart, recoverySent - outageStart);
    summary(
      `F3 PagerDuty down: outage=${((recovered - outageStart) / 1000).toFixed(1)}s ` +
        `(500 ${PHASES['500']}ms, 429 ${PHASES['429']}ms, hang ${PHASES.hang}ms past a ${timeout}ms timeout) ` +
        `backoff=${base}..${cap}ms jobs=${jobs.length} delivered=${jobs.length} duplicates=0 ` +
        `requests=${requests.length} attempts=${attemptsTotal} failed=500:${outcomes.fault500},429:${outcomes.fault429},hung:${outcomes.hung} ` +
        `attempts/job=${Math.min(...attemptsPerJob)}..${Math.max(...attemptsPerJob)} ` +
        `(policy for the whole outage ${sumBound.lo}..${sumBound.hi}) ` +
        `longest_wait=${Math.max(...gaps)}ms run=${seconds(started)}`,
    );

    /**
     * lo: the retries must have covered the outage, each wait at most the backoff's ceiling
     * (or Retry-After) plus a hang's timeout plus the slack; hi: the failures must fit in the
     * outage, each wait at least half the backoff.
     */
    function attemptBounds(outage: number, outageSure: number): { lo: number; hi: number } {
      if (outage <= 0) return { lo: 1, hi: 1 };
      let hi = 1;
      for (let spent = 0; spent + ceiling(hi) / 2 <= outage; hi++) spent += ceiling(hi) / 2;
      let lo = 0;
      for (let covered = 0; covered < outageSure;) {
        lo++;
        covered += Math.max(ceiling(lo), RETRY_AFTER_S * 1000) + timeout + SLACK_MS;
      }
      return { lo: lo + 1, hi: hi + 1 };
    }
  }, 300_000);

  it('records a 400 as permanent, with PagerDuty’s errors, and never retries it', async () => {
    const started = Date.now();
    const rejected = `inc_f3_400_${randomUUID()}`;
    const after = `inc_f3_after_${randomUUID()}`;
    await harness.simFaults({ failNext: 1, status: 400 });
    await stream.publish([lifecycleEvent('incident.opened', rejected, ws)]);
    const failed = await waitFor(
      async () =>
        (await harness.deliveries(ws, channel.id)).find(
          (d) => d.dedupKey === rejected && d.outcome === 'failed',
        ),
      { timeoutMs: 60_000, description: 'the rejected trigger recorded as failed' },
    );
    expect(failed.attempts).toBe(1);
    expect(failed.reason).toBe('rejected_by_pagerduty');
    expect(failed.pagerduty?.status).toBe(400);
    expect(failed.pagerduty?.errors).toEqual(['Simulated failure']);

    // Later events for the same incident go on (nothing to acknowledge in PagerDuty), and a
    // whole lifecycle after it is delivered: the workers were past the 400 long before the end.
    await stream.publish([
      lifecycleEvent('incident.acknowledged', rejected, ws),
      lifecycleEvent('incident.opened', after, ws),
    ]);
    await stream.publish([
      lifecycleEvent('incident.resolved', rejected, ws),
      lifecycleEvent('incident.acknowledged', after, ws),
    ]);
    await stream.publish([lifecycleEvent('incident.resolved', after, ws)]);
    await harness.waitForSimState(after, 'resolved', 60_000);
    const rows = await waitFor(
      async () => {
        const found = (await harness.deliveries(ws, channel.id)).filter(
          (d) => d.dedupKey === rejected,
        );
        return found.length === 3 && found.every((d) => d.outcome !== 'pending') ? found : null;
      },
      { timeoutMs: 60_000, description: 'the rejected incident’s later events settled' },
    );
    expect(rows.map((d) => [d.action, d.outcome, d.reason]).sort()).toEqual([
      ['acknowledge', 'skipped', 'no_pagerduty_incident'],
      ['resolve', 'skipped', 'no_pagerduty_incident'],
      ['trigger', 'failed', 'rejected_by_pagerduty'],
    ]);
    const sent = await harness.simRequests({ dedupKey: rejected });
    expect(sent.map((r) => [r.eventAction, r.status])).toEqual([['trigger', 400]]);
    expect(await harness.simIncidents({ dedupKey: rejected })).toEqual([]);
    summary(
      `F3 PagerDuty 400: rejected=1 attempts=${failed.attempts} requests=${sent.length} ` +
        `later_events=skipped:2 next_lifecycle=delivered run=${seconds(started)}`,
    );
  }, 180_000);
});
