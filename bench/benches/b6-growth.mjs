// B6 growth: does outbound-pager slow down as channels and the queue grow? Three drains of N
// pre-produced events, each into a fresh database: over 1 channel, over 1,000 channels, and over
// 1,000 channels with 100,000 pending jobs that are never due (inserted with SQL beforehand).
// After each drain, the job-claim statement (read from delivery-worker.service.ts) is timed on
// that database with 1,000 due jobs waiting, inside transactions that are rolled back.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { query, withClient } from '../lib/db.mjs';
import { produceIncidents, projectDrain, publishChannels } from '../lib/drain.mjs';
import { ROOT } from '../lib/procs.mjs';
import { quantile, round } from '../lib/stats.mjs';

const WORKER_SOURCE = 'apps/outbound-pager/src/delivery/delivery-worker.service.ts';
const DUE_JOBS = 1000;
// The per-routing-key limit would make "1 channel" a rate-limit test; B6 measures growth.
const UNLIMITED = { PAGERDUTY_RATE_PER_MINUTE: '100000', PAGERDUTY_RATE_BURST: '99999' };

/** The worker's claim statement, exactly as the service runs it (schema filled in). */
export function claimStatement() {
  const source = fs.readFileSync(path.join(ROOT, WORKER_SOURCE), 'utf8');
  const match =
    /`(WITH "claimed" AS \(\s*UPDATE "\$\{SCHEMA\}"\."deliveries" d\s+SET lease_token[\s\S]*?)`/.exec(
      source,
    );
  if (!match)
    throw new Error(
      `B6: the claim statement (WITH "claimed" AS (UPDATE … deliveries d SET lease_token …) …) is no longer in ${WORKER_SOURCE}; update bench/benches/b6-growth.mjs`,
    );
  const sql = match[1].replaceAll('${SCHEMA}', 'outbound_pager');
  if (sql.includes('${'))
    throw new Error(
      `B6: the claim statement in ${WORKER_SOURCE} interpolates more than the schema; update the bench`,
    );
  return sql;
}

const PAYLOAD = JSON.stringify({
  kind: 'incident',
  workspaceId: 'ws',
  incident: {
    id: 'inc',
    title: 'Agent exfiltrating CRM records',
    severity: 'critical',
    alertCount: 17,
    blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
    recommendedActions: ["Revoke the agent's token", 'Block tool crm.export'],
    url: 'http://localhost:3000/workspaces/ws/incidents/inc',
  },
});

/** Pending trigger jobs over `channels`, due now or in 30 days, with fresh dedup keys. */
async function insertJobs(databaseUrl, channels, count, { due, prefix }) {
  await query(
    databaseUrl,
    `INSERT INTO outbound_pager.deliveries
       (event_id, channel_id, workspace_id, source_type, dedup_key, action, status, routing_key,
        region, payload, occurred_at, next_attempt_at)
     SELECT gen_random_uuid(), ($1::uuid[])[1 + g % cardinality($1::uuid[])],
            ($2::text[])[1 + g % cardinality($2::text[])], 'incident.opened', $3 || g, 'trigger',
            'pending', ($4::text[])[1 + g % cardinality($4::text[])], 'us', $5::jsonb, now(),
            CASE WHEN $6 THEN now() - interval '1 second' ELSE now() + interval '30 days' END
       FROM generate_series(1, $7::int) AS g`,
    [
      channels.map((c) => c.id),
      channels.map((c) => c.workspaceId),
      `${prefix}_`,
      channels.map((c) => c.routingKey),
      PAYLOAD,
      due,
      count,
    ],
  );
  await query(databaseUrl, 'ANALYZE outbound_pager.deliveries');
}

/** Claim latency with DUE_JOBS due jobs waiting; every claim is rolled back. */
async function claimLatency(databaseUrl, channels, samples) {
  await insertJobs(databaseUrl, channels, DUE_JOBS, { due: true, prefix: `due_${randomUUID()}` });
  const sql = claimStatement();
  const ms = [];
  let plan = '';
  await withClient(databaseUrl, async (client) => {
    for (let i = 0; i < samples; i++) {
      await client.query('BEGIN');
      const t0 = process.hrtime.bigint();
      const result = await client.query(sql, [20, randomUUID(), '25000']);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await client.query('ROLLBACK');
      if (result.rowCount !== 20)
        throw new Error(`B6: the claim took ${result.rowCount} jobs, expected 20`);
    }
    await client.query('BEGIN');
    const explained = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [
      20,
      randomUUID(),
      '25000',
    ]);
    await client.query('ROLLBACK');
    plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
  return { p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), plan };
}

export async function b6Growth(ctx) {
  const { stack, params, log } = ctx;
  const { events, channels: many, backlog, claimSamples, timeoutS } = params;
  const sim = await stack.simulator('b6-pagerduty-simulator-fast', { fast: true });
  const results = {};
  try {
    const drain = async (name, channels, { backlogRows = 0 } = {}) => {
      const databaseUrl = await stack.database(`b6_${name}`);
      if (backlogRows > 0) {
        await stack.migrateOutboundPager(databaseUrl);
        const t0 = Date.now();
        await insertJobs(databaseUrl, channels, backlogRows, { due: false, prefix: 'backlog' });
        log(
          `  ${name}: inserted ${backlogRows} pending jobs due in 30 days in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
      }
      const { start } = await produceIncidents(stack, channels, events, `b6${name}`);
      const run = await projectDrain(stack, {
        label: `b6-outbound-pager-${name}`,
        databaseUrl,
        start,
        count: events,
        sim,
        env: UNLIMITED,
        timeoutS,
        log,
        // The backlog rows are not this drain's work.
        jobs: `dedup_key NOT LIKE 'backlog\\_%'`,
      });
      const claim = await claimLatency(databaseUrl, channels, claimSamples);
      log(`  ${name}: claim p50 ${round(claim.p50, 2)} ms, p99 ${round(claim.p99, 2)} ms`);
      results[name] = { ...run, claim };
    };

    const one = await publishChannels(stack, 'b6one', 1);
    const lots = await publishChannels(stack, 'b6many', many);
    log(`  ${events} events over 1 channel`);
    await drain('one', one.channels);
    log(`  ${events} events over ${many} channels`);
    await drain('many', lots.channels);
    log(`  ${events} events over ${many} channels with ${backlog} jobs pending (never due)`);
    await drain('backlog', lots.channels, { backlogRows: backlog });
  } finally {
    await sim.stop();
  }

  const { one, many: wide, backlog: deep } = results;
  ctx.data.B6 = results;
  const ratio = (a, b) => a / b;
  ctx.figure({
    name: `delivered/s, ${many} channels (baseline: 1 channel)`,
    project: wide.deliveredPerS,
    baseline: one.deliveredPerS,
    ratio: ratio(wide.deliveredPerS, one.deliveredPerS),
    goal: '≥ 0.8×',
    met: ratio(wide.deliveredPerS, one.deliveredPerS) >= 0.8,
  });
  ctx.figure({
    name: `delivered/s, ${backlog} jobs backlog (baseline: empty)`,
    project: deep.deliveredPerS,
    baseline: wide.deliveredPerS,
    ratio: ratio(deep.deliveredPerS, wide.deliveredPerS),
    goal: '≥ 0.8×',
    met: ratio(deep.deliveredPerS, wide.deliveredPerS) >= 0.8,
  });
  ctx.figure({
    name: `recorded/s, ${backlog} jobs backlog (baseline: empty)`,
    project: deep.recordedPerS,
    baseline: wide.recordedPerS,
    ratio: ratio(deep.recordedPerS, wide.recordedPerS),
  });
  ctx.figure({
    name: `claim p50 (ms), ${many} channels (baseline: 1 channel)`,
    project: wide.claim.p50,
    baseline: one.claim.p50,
    ratio: ratio(wide.claim.p50, one.claim.p50),
    goal: '≤ 2×',
    met: ratio(wide.claim.p50, one.claim.p50) <= 2,
  });
  ctx.figure({
    name: `claim p50 (ms), ${backlog} jobs backlog (baseline: empty)`,
    project: deep.claim.p50,
    baseline: wide.claim.p50,
    ratio: ratio(deep.claim.p50, wide.claim.p50),
    goal: '≤ 2×',
    met: ratio(deep.claim.p50, wide.claim.p50) <= 2,
  });
  ctx.figure({
    name: `claim p99 (ms), ${backlog} jobs backlog (baseline: empty)`,
    project: deep.claim.p99,
    baseline: wide.claim.p99,
    ratio: ratio(deep.claim.p99, wide.claim.p99),
  });
}
