// Shared by B2 and B6: pre-produce incident.opened events over many channels, then let the
// outbound-pager (or the bare baseline consumer) drain exactly those events into the simulator.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { backendCpu, backendCpuDelta, query, transactions } from './db.mjs';
import { channelSnapshot, incidentMessage, routingKey, TOPICS } from './fixtures.mjs';
import { endOffsets, positionGroup, produceAll, producer } from './kafka.mjs';
import { cpuSeconds, metricValue, procStatusKb, round, sampleRss, scrape } from './stats.mjs';

/** `count` channels, one per workspace, published to the compacted channel topic. */
export async function publishChannels(stack, prefix, count) {
  const channels = [];
  const messages = [];
  for (let i = 0; i < count; i++) {
    const workspaceId = `ws_${prefix}_${stack.runId}_${i}`;
    const key = routingKey();
    const { channel, message } = channelSnapshot({ workspaceId, key });
    channels.push({ workspaceId, id: channel.id, routingKey: key });
    messages.push(message);
  }
  const p = await producer(stack.client);
  try {
    await produceAll(p, TOPICS.channels, messages, 1000);
  } finally {
    await p.disconnect();
  }
  // What a hand-written consumer would load from its own configuration.
  const file = path.join(stack.tmpDir, `${prefix}-channels.json`);
  const byWorkspace = {};
  for (const c of channels) (byWorkspace[c.workspaceId] ??= []).push(c.routingKey);
  fs.writeFileSync(file, JSON.stringify(byWorkspace));
  return { channels, file };
}

/**
 * Produces `count` incident.opened events (distinct incident ids, so distinct dedup keys)
 * round-robin over the channels' workspaces; answers the offsets before them.
 */
export async function produceIncidents(stack, channels, count, prefix) {
  const start = await endOffsets(stack.client, TOPICS.incidents);
  const p = await producer(stack.client);
  const t0 = Date.now();
  try {
    const chunk = 5000;
    for (let i = 0; i < count; i += chunk) {
      const messages = [];
      for (let j = i; j < Math.min(count, i + chunk); j++) {
        const { workspaceId } = channels[j % channels.length];
        messages.push(
          incidentMessage({ workspaceId, incidentId: `inc_${prefix}_${stack.runId}_${j}` }),
        );
      }
      await produceAll(p, TOPICS.incidents, messages, 1000);
    }
  } finally {
    await p.disconnect();
  }
  return { start, produceS: (Date.now() - t0) / 1000 };
}

export async function simJson(sim, route, method = 'GET') {
  const res = await fetch(`${sim.url}/_sim/${route}`, {
    method,
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`simulator ${method} /_sim/${route} answered ${res.status}`);
  return res.json();
}

/** Arrivals per dedup key → how many arrived, duplicates, and the first and last arrival. */
export async function arrivalFigures(sim) {
  const arrivals = await simJson(sim, 'arrivals');
  let total = 0;
  let duplicates = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const list of Object.values(arrivals)) {
    total += list.length;
    const seen = new Set();
    for (const { at, action } of list) {
      if (seen.has(action)) duplicates++;
      seen.add(action);
      first = Math.min(first, at);
      last = Math.max(last, at);
    }
  }
  return { keys: Object.keys(arrivals).length, total, duplicates, first, last, arrivals };
}

async function waitForArrivals(sim, expected, timeoutS, progress) {
  const deadline = Date.now() + timeoutS * 1000;
  let lastLog = Date.now();
  let accepted = 0;
  while (Date.now() < deadline) {
    accepted = (await simJson(sim, 'stats')).accepted.total;
    if (accepted >= expected) return { accepted, timedOut: false };
    if (Date.now() - lastLog >= 5000) {
      lastLog = Date.now();
      await progress(accepted);
    }
    await sleep(250);
  }
  return { accepted, timedOut: true };
}

/**
 * outbound-pager drains the pre-produced events: it starts with a fresh consumer group placed
 * at `start`, and the run ends when the simulator has accepted `count` events.
 */
export async function projectDrain(
  stack,
  { label, databaseUrl, start, count, sim, env = {}, timeoutS, log, jobs = 'TRUE' },
) {
  await simJson(sim, 'reset', 'POST');
  const groupId = `bench-${label}-${stack.runId}`;
  await positionGroup(stack.client, groupId, TOPICS.incidents, start);
  const service = await stack.outboundPager(label, {
    databaseUrl,
    groupId,
    simulatorUrl: sim.url,
    env: { LOG_LEVEL: 'info', ...env },
  });
  const readyRssMb = round(procStatusKb(service.pid, 'VmRSS') / 1024, 1);
  const rss = sampleRss([{ name: 'project', pid: service.pid }]);
  const cpu0 = cpuSeconds(service.pid);
  const db0 = await backendCpu(databaseUrl, 'outbound-pager', cpuSeconds);
  const tx0 = await transactions(databaseUrl);
  try {
    const wait = await waitForArrivals(sim, count, timeoutS, async (accepted) => {
      const [{ n }] = await query(
        databaseUrl,
        `SELECT count(*)::int AS n FROM outbound_pager.deliveries WHERE ${jobs}`,
      );
      log(`  ${label}: ${n} recorded, ${accepted} delivered of ${count}`);
    });
    const cpuS = cpuSeconds(service.pid) - cpu0;
    const dbCpuS = backendCpuDelta(
      db0,
      await backendCpu(databaseUrl, 'outbound-pager', cpuSeconds),
    );
    const tx = (await transactions(databaseUrl)) - tx0;
    const peakRssMb = rss.stop().project;
    // What the RSS is made of, at the end of the drain (V8 heap vs. buffers outside it).
    const metrics = await scrape(service);
    const mb = (name) => round(metricValue(metrics, name) / 2 ** 20, 1);
    const memory = {
      heapUsedMb: mb('nodejs_heap_size_used_bytes'),
      heapTotalMb: mb('nodejs_heap_size_total_bytes'),
      externalMb: mb('nodejs_external_memory_bytes'),
    };
    // Let a straggling duplicate (if any) land before counting.
    await sleep(500);
    const [db] = await query(
      databaseUrl,
      `SELECT count(*)::int AS rows,
              count(*) FILTER (WHERE status = 'delivered')::int AS delivered,
              EXTRACT(EPOCH FROM max(created_at) - min(created_at))::float AS record_span_s,
              EXTRACT(EPOCH FROM max(delivered_at) - min(created_at))::float AS pipeline_span_s
         FROM outbound_pager.deliveries WHERE ${jobs}`,
    );
    const a = await arrivalFigures(sim);
    const deliverSpanS = (a.last - a.first) / 1000;
    const out = {
      count,
      timedOut: wait.timedOut,
      rows: db.rows,
      deliveredRows: db.delivered,
      recordedPerS: db.rows / Math.max(db.record_span_s, 0.001),
      deliveredPerS: a.total / Math.max(deliverSpanS, 0.001),
      pipelineSpanS: db.pipeline_span_s,
      arrivals: a.total,
      duplicates: a.duplicates,
      missing: count - a.keys,
      peakRssMb,
      cpuMsPerEvent: (cpuS * 1000) / Math.max(1, a.total),
      dbCpuMsPerEvent: (dbCpuS * 1000) / Math.max(1, a.total),
      transactionsPerEvent: tx / Math.max(1, a.total),
      memoryAtEnd: memory,
      readyRssMb,
    };
    log(
      `  ${label}: recorded ${round(out.recordedPerS, 0)}/s, delivered ${round(out.deliveredPerS, 0)}/s, ${out.arrivals} arrivals, ${out.duplicates} duplicates, ${out.missing} missing, RSS ${readyRssMb} MB when ready, peak ${peakRssMb} MB (at the end: heap ${memory.heapUsedMb}/${memory.heapTotalMb} MB, external ${memory.externalMb} MB), CPU ${round(out.cpuMsPerEvent, 2)} ms/event + PostgreSQL ${round(out.dbCpuMsPerEvent, 2)} ms/event, ${round(out.transactionsPerEvent, 1)} transactions/event${wait.timedOut ? ' (TIMED OUT)' : ''}`,
    );
    return out;
  } finally {
    rss.stop();
    await service.stop();
  }
}

/** The bare kafkajs + undici consumer drains the same events with its own consumer group. */
export async function baselineDrain(
  stack,
  { label, start, count, sim, channelsFile, timeoutS, log },
) {
  await simJson(sim, 'reset', 'POST');
  const groupId = `bench-${label}-${stack.runId}`;
  await positionGroup(stack.client, groupId, TOPICS.incidents, start);
  const bare = await stack.baseline(label, 'pager-consumer.mjs', {
    env: {
      KAFKA_BROKERS: stack.brokers,
      GROUP_ID: groupId,
      TOPIC: TOPICS.incidents,
      EVENTS_URL: `${sim.url}/v2/enqueue`,
      CHANNELS_FILE: channelsFile,
    },
  });
  const rss = sampleRss([{ name: 'baseline', pid: bare.pid }]);
  const cpu0 = cpuSeconds(bare.pid);
  try {
    const wait = await waitForArrivals(sim, count, timeoutS, async (accepted) =>
      log(`  ${label}: ${accepted} delivered of ${count}`),
    );
    const cpuS = cpuSeconds(bare.pid) - cpu0;
    const peakRssMb = rss.stop({ includeHwmOf: ['baseline'] }).baseline;
    await sleep(500);
    const a = await arrivalFigures(sim);
    const out = {
      count,
      timedOut: wait.timedOut,
      deliveredPerS: a.total / Math.max((a.last - a.first) / 1000, 0.001),
      arrivals: a.total,
      duplicates: a.duplicates,
      missing: count - a.keys,
      peakRssMb,
      cpuMsPerEvent: (cpuS * 1000) / Math.max(1, a.total),
    };
    log(
      `  ${label}: delivered ${round(out.deliveredPerS, 0)}/s, ${out.arrivals} arrivals, ${out.duplicates} duplicates, ${out.missing} missing, peak RSS ${peakRssMb} MB, CPU ${round(out.cpuMsPerEvent, 2)} ms/event${wait.timedOut ? ' (TIMED OUT)' : ''}`,
    );
    return out;
  } finally {
    rss.stop();
    await bare.stop();
  }
}
