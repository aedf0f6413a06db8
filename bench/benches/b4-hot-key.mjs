// B4 hot-key fairness: two quiet routing keys at 1 event/s each, first alone, then while a
// third key is flooded at 10× PagerDuty's 120 events/min. The simulator enforces PagerDuty's
// limit (120 per routing key in any 60 s, 429 above); outbound-pager runs with its defaults.
import { publishChannels, simJson } from '../lib/drain.mjs';
import { TOPICS } from '../lib/fixtures.mjs';
import { endOffsets, positionGroup, producer } from '../lib/kafka.mjs';
import { latencies, produceOnSchedule } from '../lib/latency.mjs';
import { quantile } from '../lib/stats.mjs';

const TICK_MS = 50;

async function phase(ctx, { label, hot, quiet, sim, durationS, withHot }) {
  const { stack, params } = ctx;
  const ticks = Math.round((durationS * 1000) / TICK_MS);
  const quietEvery = Math.round(1000 / params.quietPerS / TICK_MS);
  const hotPerTick = (params.hotPerS * TICK_MS) / 1000; // 1 at 20/s with 50 ms ticks
  let seq = 0;
  const quietKeys = new Set();
  const plan = (tick) => {
    const items = [];
    if (tick % quietEvery === 0) {
      for (const channel of quiet) {
        const incidentId = `inc_b4_${label}_${stack.runId}_${seq++}`;
        quietKeys.add(`${incidentId}|trigger`);
        items.push({ workspaceId: channel.workspaceId, incidentId, action: 'trigger' });
      }
    }
    if (withHot) {
      for (let i = 0; i < hotPerTick; i++) {
        items.push({
          workspaceId: hot.workspaceId,
          incidentId: `inc_b4_${label}_hot_${stack.runId}_${seq++}`,
          action: 'trigger',
        });
      }
    }
    return items;
  };
  const p = await producer(stack.client);
  let sentAt;
  try {
    sentAt = await produceOnSchedule(p, { ticks, tickMs: TICK_MS, plan });
  } finally {
    await p.disconnect();
  }
  const quietSent = new Map([...sentAt].filter(([key]) => quietKeys.has(key)));
  // Wait for the quiet keys' events only (the hot key's backlog drains at its allowed rate).
  const deadline = Date.now() + 20_000;
  let got = { samples: [], missing: quietSent.size };
  while (Date.now() < deadline) {
    got = await latencies(sim, quietSent);
    if (got.missing === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const ms = got.samples.map((s) => s.ms);
  const hotSent = sentAt.size - quietSent.size;
  return {
    quietEvents: quietSent.size,
    quietMissing: got.missing,
    p50: quantile(ms, 0.5),
    p90: quantile(ms, 0.9),
    p99: quantile(ms, 0.99),
    max: quantile(ms, 1),
    hotSent,
  };
}

export async function b4HotKey(ctx) {
  const { stack, params, log } = ctx;
  const { channels } = await publishChannels(stack, 'b4', 3);
  const [hot, ...quiet] = channels;
  const sim = await stack.simulator('b4-pagerduty-simulator-enforcing', {
    fast: false,
    ratePerMinute: 120,
    routingKeys: channels.map((c) => c.routingKey),
  });
  try {
    const databaseUrl = await stack.database('b4');
    const groupId = `bench-b4-pager-${stack.runId}`;
    await positionGroup(
      stack.client,
      groupId,
      TOPICS.incidents,
      await endOffsets(stack.client, TOPICS.incidents),
    );
    const service = await stack.outboundPager('b4-outbound-pager', {
      databaseUrl,
      groupId,
      simulatorUrl: sim.url,
    });
    let alone;
    let flooded;
    // Claims that found the key's bucket empty and put the job back (outbound-pager's counter).
    const deferrals = async () => {
      const text = await (await fetch(`${service.url}/metrics`)).text();
      return Number(
        /^deliveries_rate_limited_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? Number.NaN,
      );
    };
    let deferred = Number.NaN;
    try {
      // Warm-up (not measured): the quiet keys alone for a few seconds.
      await phase(ctx, { label: 'warm', hot, quiet, sim, durationS: 3, withHot: false });
      await simJson(sim, 'reset', 'POST');
      log(`  quiet keys alone, ${params.durationS} s`);
      alone = await phase(ctx, {
        label: 'alone',
        hot,
        quiet,
        sim,
        durationS: params.durationS,
        withHot: false,
      });
      log(
        `    p50 ${alone.p50} ms, p99 ${alone.p99} ms, max ${alone.max} ms over ${alone.quietEvents} events`,
      );
      // The simulator's rolling window still holds the quiet keys' events: keep it (it is what
      // PagerDuty would count) and flood the hot key on top.
      log(`  quiet keys while the hot key floods at ${params.hotPerS}/s, ${params.durationS} s`);
      const deferredBefore = await deferrals();
      flooded = await phase(ctx, {
        label: 'flood',
        hot,
        quiet,
        sim,
        durationS: params.durationS,
        withHot: true,
      });
      deferred = (await deferrals()) - deferredBefore;
      log(
        `    p50 ${flooded.p50} ms, p99 ${flooded.p99} ms, max ${flooded.max} ms over ${flooded.quietEvents} events; ${deferred} jobs claimed and put back for want of a token`,
      );
    } finally {
      await service.stop();
    }
    const stats = await simJson(sim, 'stats');
    const throttled = stats.requests.byOutcome.throttled ?? 0;
    const arrivals = await simJson(sim, 'arrivals');
    const hotDelivered = Object.keys(arrivals).filter((k) =>
      k.startsWith('inc_b4_flood_hot_'),
    ).length;

    ctx.data.B4 = { alone, flooded, throttled, hotDelivered, deferred, simStats: stats };
    ctx.figure({
      name: 'quiet keys p99 with the hot key (baseline: without) (ms)',
      project: flooded.p99,
      baseline: alone.p99,
      ratio: flooded.p99 / alone.p99,
      goal: '≤ 1.1×',
      met: flooded.p99 / alone.p99 <= 1.1,
    });
    ctx.figure({
      name: 'quiet keys p50 with the hot key (baseline: without) (ms)',
      project: flooded.p50,
      baseline: alone.p50,
      ratio: flooded.p50 / alone.p50,
    });
    ctx.figure({
      name: 'quiet keys p90 with the hot key (baseline: without) (ms)',
      project: flooded.p90,
      baseline: alone.p90,
      ratio: flooded.p90 / alone.p90,
    });
    if (Number.isFinite(deferred)) {
      ctx.figure({
        name: 'hot-key jobs claimed and put back for want of a token (flood phase)',
        project: deferred,
      });
    }
    ctx.figure({
      name: '429s answered by the simulator (PagerDuty limit)',
      project: throttled,
      goal: '0',
      met: throttled === 0,
    });
    ctx.figure({
      name: `quiet events not delivered within 20 s`,
      project: flooded.quietMissing + alone.quietMissing,
      goal: '0',
      met: flooded.quietMissing + alone.quietMissing === 0,
    });
    ctx.figure({
      name: `hot-key events delivered by the end of the flood phase (of ${flooded.hotSent} sent; the limit allows 60 + 1/s)`,
      project: hotDelivered,
    });
  } finally {
    await sim.stop();
  }
}
