// B1 webhook ingest: signed ~1 KB V3 webhooks (distinct event ids) at inbound-webhook with
// autocannon, 50 connections, against a bare node:http + HMAC + one INSERT baseline.
// Also feeds B5 (peak RSS during two consecutive saturation runs of the service).
import { setTimeout as sleep } from 'node:timers/promises';
import { backendCpu, backendCpuDelta, query, transactions } from '../lib/db.mjs';
import { channelSnapshot, sign, signingSecret, TOPICS, webhookBody } from '../lib/fixtures.mjs';
import { producer } from '../lib/kafka.mjs';
import { webhookLoad } from '../lib/load.mjs';
import { cpuSeconds, procStatusKb, round, sampleRss } from '../lib/stats.mjs';

async function postOnce(url, path, secret) {
  const body = webhookBody();
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pagerduty-signature': sign(body, secret) },
    body,
    signal: AbortSignal.timeout(5000),
  });
  return res.status;
}

async function until202(url, path, secret, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let status;
  while (Date.now() < deadline) {
    status = await postOnce(url, path, secret).catch((error) => error.message);
    if (status === 202) return;
    await sleep(250);
  }
  throw new Error(`${url}${path} never answered 202 to a signed webhook (last: ${status})`);
}

export async function b1WebhookIngest(ctx) {
  const { stack, params, log } = ctx;
  const databaseUrl = await stack.database('b1');
  const secret = signingSecret();
  const { channel, message } = channelSnapshot({
    workspaceId: `ws_b1_${stack.runId}`,
    signingSecret: secret,
  });
  const p = await producer(stack.client);
  await p.send({ topic: TOPICS.channels, acks: -1, messages: [message] });
  await p.disconnect();

  const path = `/v1/webhooks/pagerduty/${channel.id}`;
  // The per-channel webhook limit (600/min by default) protects against one noisy PagerDuty
  // account; B1 measures the ingest path itself, so it is lifted for the run.
  const service = await stack.inboundWebhook('b1-inbound-webhook', {
    databaseUrl,
    env: { WEBHOOK_RATE_PER_MINUTE: '1000000' },
  });
  const bare = await stack.baseline('b1-bare-webhook-server', 'webhook-server.mjs', {
    withPort: true,
    readyPath: '/health',
    env: { DATABASE_URL: databaseUrl, CHANNEL_ID: channel.id, SIGNING_SECRET: secret },
  });
  const targets = { project: service, baseline: bare };
  try {
    await until202(service.url, path, secret);
    await until202(bare.url, path, secret);
    const readyRssMb = {
      project: round(procStatusKb(service.pid, 'VmRSS') / 1024, 1),
      baseline: round(procStatusKb(bare.pid, 'VmRSS') / 1024, 1),
    };
    log(`  RSS when ready: service ${readyRssMb.project} MB, baseline ${readyRssMb.baseline} MB`);

    const appName = { project: 'inbound-webhook', baseline: 'bench-baseline-webhook' };
    const run = async (who, label, { durationS, overallRate }) => {
      const target = targets[who];
      const cpu0 = cpuSeconds(target.pid);
      const db0 = await backendCpu(databaseUrl, appName[who], cpuSeconds);
      const tx0 = await transactions(databaseUrl);
      const rss = sampleRss([{ name: who, pid: target.pid }]);
      const figures = await webhookLoad({
        url: target.url,
        path,
        secret,
        durationS,
        overallRate,
      });
      const peakMb = rss.stop()[who];
      const cpuMsPerRequest =
        ((cpuSeconds(target.pid) - cpu0) * 1000) / Math.max(1, figures.requests);
      const dbCpuMsPerRequest =
        (backendCpuDelta(db0, await backendCpu(databaseUrl, appName[who], cpuSeconds)) * 1000) /
        Math.max(1, figures.requests);
      const transactionsPerRequest =
        ((await transactions(databaseUrl)) - tx0) / Math.max(1, figures.requests);
      const out = {
        ...figures,
        peakRssMb: peakMb,
        cpuMsPerRequest,
        dbCpuMsPerRequest,
        transactionsPerRequest,
      };
      log(
        `  ${label.padEnd(28)} ${who.padEnd(8)} ${round(out.rps, 0)} req/s  p50 ${out.p50} ms  p99 ${out.p99} ms  non-2xx ${out.non2xx}  errors ${out.errors}  peak RSS ${peakMb} MB  CPU ${round(cpuMsPerRequest, 2)} ms/req + PostgreSQL ${round(dbCpuMsPerRequest, 2)} ms/req`,
      );
      return out;
    };

    log(`  warm-up ${params.warmupS} s each`);
    await run('baseline', 'warm-up', { durationS: params.warmupS });
    const warmProject = await run('project', 'warm-up', { durationS: params.warmupS });

    const satBaseline = await run('baseline', 'saturation', { durationS: params.durationS });
    const satProject = await run('project', 'saturation (run 1)', { durationS: params.durationS });
    const half = Math.max(1, Math.round(satBaseline.rps / 2));
    log(`  half load = ${half} req/s (half the baseline's saturation rate)`);
    const halfBaseline = await run('baseline', 'half load', {
      durationS: params.durationS,
      overallRate: half,
    });
    const halfProject = await run('project', 'half load', {
      durationS: params.durationS,
      overallRate: half,
    });
    const satProject2 = await run('project', 'saturation (run 2)', { durationS: params.durationS });

    // Every 2xx must be a stored event, and the outbox relay must catch up afterwards.
    const [{ stored }] = await query(
      databaseUrl,
      'SELECT count(*)::int AS stored FROM inbound_webhook.webhook_events',
    );
    const drainStarted = Date.now();
    let unpublished = Number.NaN;
    while (Date.now() - drainStarted < 60_000) {
      [{ unpublished }] = await query(
        databaseUrl,
        'SELECT count(*)::int AS unpublished FROM inbound_webhook.outbox WHERE published_at IS NULL',
      );
      if (unpublished === 0) break;
      await sleep(250);
    }
    const outboxDrainS = (Date.now() - drainStarted) / 1000;
    // One 202 from until202(), then every 2xx of the load runs.
    const answered =
      1 + [warmProject, satProject, halfProject, satProject2].reduce((n, r) => n + r.ok, 0);

    ctx.data.B1 = {
      satBaseline,
      satProject,
      halfBaseline,
      halfProject,
      satProject2,
      halfRate: half,
    };
    ctx.memory.b1 = {
      run1: satProject.peakRssMb,
      run2: satProject2.peakRssMb,
      baseline: Math.max(satBaseline.peakRssMb, halfBaseline.peakRssMb),
      ready: readyRssMb,
      project: Math.max(satProject.peakRssMb, halfProject.peakRssMb, satProject2.peakRssMb),
    };

    const ratio = satProject.rps / satBaseline.rps;
    ctx.figure({
      name: 'req/s at saturation (50 connections)',
      project: satProject.rps,
      baseline: satBaseline.rps,
      ratio,
      goal: '≥ 0.6×',
      met: ratio >= 0.6,
    });
    ctx.figure({
      name: 'p50 at saturation (ms)',
      project: satProject.p50,
      baseline: satBaseline.p50,
    });
    ctx.figure({
      name: 'p99 at saturation (ms)',
      project: satProject.p99,
      baseline: satBaseline.p99,
    });
    ctx.figure({
      name: `p50 at half load, ${half} req/s (ms)`,
      project: halfProject.p50,
      baseline: halfBaseline.p50,
    });
    ctx.figure({
      name: `p99 at half load, ${half} req/s (ms)`,
      project: halfProject.p99,
      baseline: halfBaseline.p99,
      goal: '< 20 ms',
      met: halfProject.p99 < 20,
    });
    ctx.figure({
      name: 'CPU per request at saturation, the process (ms)',
      project: satProject.cpuMsPerRequest,
      baseline: satBaseline.cpuMsPerRequest,
      ratio: satProject.cpuMsPerRequest / satBaseline.cpuMsPerRequest,
    });
    if (Number.isFinite(satProject.dbCpuMsPerRequest)) {
      ctx.figure({
        name: 'CPU per request at saturation, its PostgreSQL backends (ms)',
        project: satProject.dbCpuMsPerRequest,
        baseline: satBaseline.dbCpuMsPerRequest,
        ratio: satProject.dbCpuMsPerRequest / satBaseline.dbCpuMsPerRequest,
      });
    }
    ctx.figure({
      name: 'PostgreSQL transactions per request at saturation',
      project: satProject.transactionsPerRequest,
      baseline: satBaseline.transactionsPerRequest,
    });
    const failures = (r) => r.non2xx + r.errors + r.timeouts;
    ctx.figure({
      name: 'non-2xx, errors, timeouts (all runs)',
      project: failures(satProject) + failures(halfProject) + failures(satProject2),
      baseline: failures(satBaseline) + failures(halfBaseline),
      goal: '0',
      met: failures(satProject) + failures(halfProject) + failures(satProject2) === 0,
    });
    // autocannon stops counting at the end of a run while up to 50 requests are in flight, so the
    // service may have stored a few more than it was seen to answer; never fewer.
    ctx.figure({
      name: '202 answers whose event is not stored',
      project: Math.max(0, answered - stored),
      goal: '0',
      met: stored >= answered,
    });
    ctx.figure({
      name: 'outbox published to Kafka, seconds after the load',
      project: unpublished === 0 ? outboxDrainS : `${unpublished} left after 60 s`,
    });
  } finally {
    await Promise.all([service.stop(), bare.stop()]);
  }
}
