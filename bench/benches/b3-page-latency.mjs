// B3 page latency: 100 incidents/s, each opened and resolved one second later, produced live;
// time from produce to the simulator's receipt. Then the same load through the bare consumer.
import { publishChannels, simJson } from '../lib/drain.mjs';
import { TOPICS } from '../lib/fixtures.mjs';
import { endOffsets, positionGroup, producer } from '../lib/kafka.mjs';
import { latencies, produceOnSchedule, waitAccepted } from '../lib/latency.mjs';
import { query, transactions } from '../lib/db.mjs';
import { cpuSeconds, metricSum, metricValue, quantile, round, scrape } from '../lib/stats.mjs';

// 1,000 channels keep every routing key far below PagerDuty's limit (0.2 events/s each), so
// the figure is the paging path's latency, not the rate limiter's.
const CHANNELS = 1000;
const TICK_MS = 10;

async function phase(ctx, { who, channels, sim, durationS, warmup = false, databaseUrl }) {
  const { stack, params, log } = ctx;
  const perTick = (params.ratePerS * TICK_MS) / 1000;
  const openTicks = Math.round((durationS * 1000) / TICK_MS);
  const lagTicks = Math.round(1000 / TICK_MS); // resolve one second after the open
  let seq = 0;
  const opened = [];
  const plan = (tick) => {
    const items = [];
    if (tick < openTicks) {
      for (let i = 0; i < perTick; i++) {
        const { workspaceId } = channels[seq % channels.length];
        const incidentId = `inc_b3_${who}_${durationS}_${stack.runId}_${seq++}`;
        opened[tick] = [...(opened[tick] ?? []), { workspaceId, incidentId }];
        items.push({ workspaceId, incidentId, action: 'trigger' });
      }
    }
    for (const o of opened[tick - lagTicks] ?? []) items.push({ ...o, action: 'resolve' });
    return items;
  };
  await simJson(sim, 'reset', 'POST');
  const p = await producer(stack.client);
  let sentAt;
  try {
    sentAt = await produceOnSchedule(p, { ticks: openTicks + lagTicks + 1, tickMs: TICK_MS, plan });
  } finally {
    await p.disconnect();
  }
  const accepted = await waitAccepted(sim, sentAt.size, 30_000);
  if (warmup) {
    if (accepted < sentAt.size)
      throw new Error(`${who}: warm-up events did not all arrive within 30 s`);
    return undefined;
  }
  const { samples, missing } = await latencies(sim, sentAt);
  const ms = samples.map((s) => s.ms);
  // p50/p99 per 5-second window of produce time: shows whether the tail is steady or bursts.
  const t0 = Math.min(...sentAt.values());
  const windows = [];
  for (const s of samples) (windows[Math.floor((sentAt.get(s.key) - t0) / 5000)] ??= []).push(s.ms);
  const timeline = windows.map((w, i) => ({
    fromS: i * 5,
    p50: quantile(w ?? [], 0.5),
    p99: quantile(w ?? [], 0.99),
  }));
  const out = {
    timeline,
    events: sentAt.size,
    accepted,
    missing,
    p50: quantile(ms, 0.5),
    p90: quantile(ms, 0.9),
    p99: quantile(ms, 0.99),
    max: quantile(ms, 1),
    triggerP99: quantile(
      samples.filter((s) => s.action === 'trigger').map((s) => s.ms),
      0.99,
    ),
    resolveP99: quantile(
      samples.filter((s) => s.action === 'resolve').map((s) => s.ms),
      0.99,
    ),
  };
  log(
    `  ${who}: ${out.events} events, p50 ${out.p50} ms, p90 ${out.p90} ms, p99 ${out.p99} ms, max ${out.max} ms, ${missing} missing`,
  );
  log(`    p50/p99 per 5 s: ${timeline.map((w) => `${w.p50}/${w.p99}`).join(' ')}`);
  if (databaseUrl !== undefined) {
    // Where the time goes: produce → row in the queue (consume + validate + INSERT), then
    // row → PagerDuty (claim + request), from the queue's own timestamps.
    const rows = await query(
      databaseUrl,
      `SELECT dedup_key, action, (EXTRACT(EPOCH FROM created_at) * 1000)::float AS created
         FROM outbound_pager.deliveries WHERE dedup_key LIKE $1`,
      [`inc_b3_${who}_${durationS}_${stack.runId}_%`],
    );
    const arrivedAt = new Map(samples.map((s) => [s.key, sentAt.get(s.key) + s.ms]));
    const toQueue = [];
    const toPagerDuty = [];
    for (const row of rows) {
      const key = `${row.dedup_key}|${row.action}`;
      if (!sentAt.has(key)) continue;
      toQueue.push(row.created - sentAt.get(key));
      if (arrivedAt.has(key)) toPagerDuty.push(arrivedAt.get(key) - row.created);
    }
    out.toQueueP50 = quantile(toQueue, 0.5);
    out.toQueueP99 = quantile(toQueue, 0.99);
    out.queueToPagerDutyP50 = quantile(toPagerDuty, 0.5);
    out.queueToPagerDutyP99 = quantile(toPagerDuty, 0.99);
    log(
      `    produce → queued p50 ${round(out.toQueueP50, 1)} ms, p99 ${round(out.toQueueP99, 1)} ms; queued → PagerDuty p50 ${round(out.queueToPagerDutyP50, 1)} ms, p99 ${round(out.queueToPagerDutyP99, 1)} ms`,
    );
  }
  return out;
}

export async function b3PageLatency(ctx) {
  const { stack, log, params } = ctx;
  const { channels, file } = await publishChannels(stack, 'b3', CHANNELS);
  const sim = await stack.simulator('b3-pagerduty-simulator-fast', { fast: true });
  try {
    const databaseUrl = await stack.database('b3');
    const groupId = `bench-b3-pager-${stack.runId}`;
    await positionGroup(
      stack.client,
      groupId,
      TOPICS.incidents,
      await endOffsets(stack.client, TOPICS.incidents),
    );
    const service = await stack.outboundPager('b3-outbound-pager', {
      databaseUrl,
      groupId,
      simulatorUrl: sim.url,
    });
    let project;
    try {
      // What the service asks of PostgreSQL with nothing to do (workers polling for due jobs).
      const idleTx0 = await transactions(databaseUrl);
      const idleT0 = Date.now();
      await new Promise((r) => setTimeout(r, 5000));
      const idleTransactionsPerS =
        ((await transactions(databaseUrl)) - idleTx0) / ((Date.now() - idleT0) / 1000);
      log(`  outbound-pager idle: ${round(idleTransactionsPerS, 0)} PostgreSQL transactions/s`);
      await phase(ctx, { who: 'project', channels, sim, durationS: 2, warmup: true });
      log(
        `  outbound-pager: ${params.ratePerS} incidents/s for ${params.durationS} s, each resolved 1 s after it opened`,
      );
      // Scraping resets prom-client's event-loop delay histogram: the second scrape covers the phase.
      const before = await scrape(service);
      const tx0 = await transactions(databaseUrl);
      const cpu0 = cpuSeconds(service.pid);
      project = await phase(ctx, {
        who: 'project',
        channels,
        sim,
        durationS: params.durationS,
        databaseUrl,
      });
      const after = await scrape(service);
      project.idleTransactionsPerS = idleTransactionsPerS;
      project.cpuMsPerEvent = ((cpuSeconds(service.pid) - cpu0) * 1000) / project.events;
      project.transactionsPerEvent = ((await transactions(databaseUrl)) - tx0) / project.events;
      project.eventLoopDelayP99Ms = metricValue(after, 'nodejs_eventloop_lag_p99_seconds') * 1000;
      project.eventLoopDelayMaxMs = metricValue(after, 'nodejs_eventloop_lag_max_seconds') * 1000;
      project.gcSeconds =
        metricSum(after, 'nodejs_gc_duration_seconds_sum') -
        metricSum(before, 'nodejs_gc_duration_seconds_sum');
      log(
        `    outbound-pager event-loop delay p99 ${round(project.eventLoopDelayP99Ms, 1)} ms, max ${round(project.eventLoopDelayMaxMs, 1)} ms; ${round(project.gcSeconds, 2)} s in GC; ${round(project.cpuMsPerEvent, 2)} ms CPU and ${round(project.transactionsPerEvent, 1)} PostgreSQL transactions per event`,
      );
    } finally {
      await service.stop();
    }

    const bareGroup = `bench-b3-bare-${stack.runId}`;
    await positionGroup(
      stack.client,
      bareGroup,
      TOPICS.incidents,
      await endOffsets(stack.client, TOPICS.incidents),
    );
    const bare = await stack.baseline('b3-bare-consumer', 'pager-consumer.mjs', {
      env: {
        KAFKA_BROKERS: stack.brokers,
        GROUP_ID: bareGroup,
        TOPIC: TOPICS.incidents,
        EVENTS_URL: `${sim.url}/v2/enqueue`,
        CHANNELS_FILE: file,
      },
    });
    let baseline;
    try {
      // The bare consumer has no readiness endpoint: warm-up events arrive once it has joined.
      await phase(ctx, { who: 'baseline', channels, sim, durationS: 2, warmup: true });
      log('  bare consumer: the same load');
      baseline = await phase(ctx, { who: 'baseline', channels, sim, durationS: params.durationS });
    } finally {
      await bare.stop();
    }

    ctx.data.B3 = { project, baseline };
    ctx.figure({
      name: 'p50 produce → PagerDuty (ms)',
      project: project.p50,
      baseline: baseline.p50,
      ratio: project.p50 / baseline.p50,
      goal: '< 50 ms',
      met: project.p50 < 50,
    });
    ctx.figure({
      name: 'p99 produce → PagerDuty (ms)',
      project: project.p99,
      baseline: baseline.p99,
      ratio: project.p99 / baseline.p99,
      goal: '< 250 ms',
      met: project.p99 < 250,
    });
    ctx.figure({
      name: 'p50 produce → queued in PostgreSQL (ms)',
      project: project.toQueueP50,
    });
    ctx.figure({
      name: 'p50 queued → PagerDuty (ms)',
      project: project.queueToPagerDutyP50,
    });
    ctx.figure({
      name: 'outbound-pager event-loop delay p99 / max during the run (ms)',
      project: `${round(project.eventLoopDelayP99Ms, 1)} / ${round(project.eventLoopDelayMaxMs, 1)}`,
    });
    ctx.figure({
      name: 'outbound-pager CPU per event at 200 events/s (ms)',
      project: project.cpuMsPerEvent,
    });
    ctx.figure({
      name: 'PostgreSQL transactions per event at 200 events/s',
      project: project.transactionsPerEvent,
    });
    ctx.figure({
      name: 'PostgreSQL transactions per second with nothing to deliver',
      project: project.idleTransactionsPerS,
    });
    ctx.figure({
      name: 'p99 of resolves (ms)',
      project: project.resolveP99,
      baseline: baseline.resolveP99,
    });
    ctx.figure({
      name: `events not delivered within 30 s (of ${project.events})`,
      project: project.missing,
      baseline: baseline.missing,
      goal: '0',
      met: project.missing === 0,
    });
  } finally {
    await sim.stop();
  }
}
