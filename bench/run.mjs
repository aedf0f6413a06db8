#!/usr/bin/env node
// npm run bench [-- B1 B3 …] [--smoke] [--no-build] [--profile=outbound-pager,inbound-webhook]
//                [--B2.events=20000 …]
// Builds, starts a private Kafka broker and fresh PostgreSQL databases, runs the services from
// dist/ as separate processes, runs each bench with its baseline, prints the table and writes
// bench/results/latest.json (and bench/RESULTS.md after a full run of every bench).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { KAFKA_VERSION } from '../tools/kafka-local/kafka-local.mjs';
import { b1WebhookIngest } from './benches/b1-webhook-ingest.mjs';
import { b2OutboundDrain } from './benches/b2-outbound-drain.mjs';
import { b3PageLatency } from './benches/b3-page-latency.mjs';
import { b4HotKey } from './benches/b4-hot-key.mjs';
import { b5Memory } from './benches/b5-memory.mjs';
import { b6Growth } from './benches/b6-growth.mjs';
import { closePools, query } from './lib/db.mjs';
import { ROOT, killAllNow, stopAll } from './lib/procs.mjs';
import { watchOtherLoad } from './lib/noise.mjs';
import { machine, textTable, writeResultsMd } from './lib/report.mjs';
import { RESULTS_DIR, Stack } from './lib/stack.mjs';

const BENCHES = {
  B1: { title: 'webhook ingest', run: b1WebhookIngest },
  B2: { title: 'outbound drain', run: b2OutboundDrain },
  B3: { title: 'page latency', run: b3PageLatency },
  B4: { title: 'hot-key fairness', run: b4HotKey },
  B5: { title: 'memory (from B1 and B2)', run: b5Memory, needs: ['B1', 'B2'] },
  B6: { title: 'growth', run: b6Growth },
};

// Sizes of each bench. The full run stays under 15 minutes on 2 cores (see README.md).
const PARAMS = {
  full: {
    B1: { warmupS: 8, durationS: 10 },
    B2: { events: 50_000, channels: 2_000, timeoutS: 240 },
    B3: { ratePerS: 100, durationS: 60 },
    B4: { durationS: 40, hotPerS: 20, quietPerS: 1 },
    B6: { events: 10_000, channels: 1_000, backlog: 100_000, claimSamples: 200, timeoutS: 120 },
  },
  smoke: {
    B1: { warmupS: 1, durationS: 2 },
    B2: { events: 600, channels: 30, timeoutS: 60 },
    B3: { ratePerS: 100, durationS: 3 },
    B4: { durationS: 4, hotPerS: 20, quietPerS: 1 },
    B6: { events: 300, channels: 30, backlog: 5_000, claimSamples: 20, timeoutS: 60 },
  },
};

function parseArgs(argv) {
  const options = { benches: [], smoke: false, build: true, profile: [], overrides: {}, env: {} };
  for (const arg of argv) {
    if (arg === '--smoke') options.smoke = true;
    else if (arg === '--no-build') options.build = false;
    else if (arg.startsWith('--profile')) {
      const value = arg.split('=')[1] ?? 'outbound-pager,inbound-webhook';
      options.profile = value.split(',').filter(Boolean);
    } else if (arg.startsWith('--env=')) {
      const [key, ...value] = arg.slice('--env='.length).split('=');
      options.env[key] = value.join('=');
    } else if (/^--B\d\.\w+=/.test(arg)) {
      const [, bench, key, value] = /^--(B\d)\.(\w+)=(.*)$/.exec(arg);
      (options.overrides[bench] ??= {})[key] = Number(value);
    } else if (/^B\d$/i.test(arg)) options.benches.push(arg.toUpperCase());
    else if (arg === '--help' || arg === '-h') {
      console.log(
        fs
          .readFileSync(new URL(import.meta.url), 'utf8')
          .split('\n')
          .slice(1, 7)
          .join('\n'),
      );
      process.exit(0);
    } else {
      console.error(`bench: unknown argument ${arg} (see bench/README.md)`);
      process.exit(2);
    }
  }
  for (const bench of options.benches) {
    if (!BENCHES[bench]) {
      console.error(`bench: no bench ${bench}; there are ${Object.keys(BENCHES).join(', ')}`);
      process.exit(2);
    }
  }
  return options;
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s`;
const log = (line) => process.stdout.write(`[bench ${elapsed()}] ${line}\n`);

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const mode = options.smoke ? 'smoke' : 'full';
  const requested = options.benches.length > 0 ? options.benches : Object.keys(BENCHES);
  // A bench that needs others' measurements (B5) brings them along, in the usual order.
  const wanted = new Set(requested.flatMap((b) => [...(BENCHES[b].needs ?? []), b]));
  const selected = Object.keys(BENCHES).filter((b) => wanted.has(b));
  const params = {};
  for (const bench of selected) {
    if (PARAMS[mode][bench])
      params[bench] = { ...PARAMS[mode][bench], ...options.overrides[bench] };
  }
  const fullRun =
    !options.smoke &&
    selected.length === Object.keys(BENCHES).length &&
    Object.keys(options.env).length === 0;
  const budgetS = options.smoke ? 600 : 15 * 60;

  const stack = new Stack({ log, profile: options.profile, serviceEnv: options.env });
  let cleaning;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await stopAll();
      await closePools();
      await stack.stop();
    })());
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    // `on`, not `once`: kafka-local re-raises the signal (killing this process at once) when it
    // sees no other listener, which would skip dropping the databases.
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${signal}: stopping everything the bench started…`);
      cleanup().finally(() => process.exit(130));
    });
  }
  process.once('exit', killAllNow);
  const budget = setTimeout(() => {
    log(`the run exceeded its ${budgetS} s budget: stopping`);
    cleanup().finally(() => process.exit(1));
  }, budgetS * 1000);
  budget.unref();

  log(
    `mode ${mode}; benches ${selected.join(' ')}${options.profile.length ? `; profiling ${options.profile.join(', ')}` : ''}`,
  );
  if (Object.keys(options.env).length > 0) {
    log(
      `services run with extra env ${JSON.stringify(options.env)} (an experiment: RESULTS.md is left alone)`,
    );
  }
  if (options.build) {
    log('npm run build');
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  for (const entry of [
    'apps/outbound-pager',
    'apps/inbound-webhook',
    'tools/pagerduty-simulator',
  ]) {
    if (!fs.existsSync(path.join(ROOT, 'dist', entry, 'main.js'))) {
      throw new Error(`dist/${entry}/main.js is missing: run without --no-build`);
    }
  }

  const figures = [];
  const notes = [];
  const errors = {};
  const timings = {};
  // Other work on the machine skews every figure: each bench reports the cores others used.
  const otherLoad = {};
  const ctx = {
    stack,
    smoke: options.smoke,
    log,
    data: {},
    memory: {},
    notes,
    params: undefined,
    figure: undefined,
  };
  try {
    log('starting Kafka and PostgreSQL');
    await stack.start();
    const [{ version }] = await query(stack.pg.url, 'SELECT version()');
    ctx.postgres = version.split(' on ')[0];

    for (const bench of selected) {
      if (interrupted) break;
      const t0 = performance.now();
      const watch = watchOtherLoad(stack.pg.url, `axiorank_bench_${stack.runId}`);
      log(
        `== ${bench} ${BENCHES[bench].title} ${params[bench] ? JSON.stringify(params[bench]) : ''}`,
      );
      ctx.params = params[bench] ?? {};
      ctx.figure = (figure) => figures.push({ bench, ...figure });
      try {
        await BENCHES[bench].run(ctx);
      } catch (error) {
        errors[bench] = error instanceof Error ? (error.stack ?? error.message) : String(error);
        log(`${bench} FAILED: ${error instanceof Error ? error.message : String(error)}`);
        await stopAll();
      }
      timings[bench] = Number(((performance.now() - t0) / 1000).toFixed(1));
      const load = await watch.stop();
      // A bench that only reads others' samples (B5) has no window worth reporting.
      if (timings[bench] >= 2) otherLoad[bench] = load.otherCores;
      log(
        `${bench} done in ${timings[bench]} s; the bench used ${load.ownCores} cores, other work on the machine ${load.otherCores}`,
      );
      if (load.otherCores >= 0.25 && timings[bench] >= 2) {
        notes.push(
          `${bench} ran while other processes on the machine used ${load.otherCores} of the 2 cores on average: its figures are skewed by that.`,
        );
      }
    }
  } finally {
    if (!interrupted) {
      log('stopping services, Kafka and the bench databases');
      await cleanup();
    }
  }
  if (interrupted) return;

  const durationS = (performance.now() - started) / 1000;
  console.log(`\n${textTable(figures)}\n`);
  for (const note of notes) console.log(`note: ${note}`);
  const machineInfo = machine({ postgres: ctx.postgres, kafka: KAFKA_VERSION, otherLoad });
  const date = new Date().toISOString();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'latest.json'),
    `${JSON.stringify({ date, mode, machine: machineInfo, params, serviceEnv: options.env, timings, durationS, figures, notes, errors, raw: ctx.data }, null, 2)}\n`,
  );
  log(`wrote bench/results/latest.json (${Math.round(durationS)} s in all)`);
  if (fullRun && Object.keys(errors).length === 0) {
    await writeResultsMd(path.join(ROOT, 'bench', 'RESULTS.md'), {
      figures,
      machineInfo,
      date,
      params,
      notes,
      durationS,
    });
    log('wrote bench/RESULTS.md');
  }

  // What the smoke run asserts (never a threshold): every bench ran and produced its figures.
  const problems = Object.entries(errors).map(([bench, error]) => `${bench} failed: ${error}`);
  for (const bench of selected) {
    const own = figures.filter((f) => f.bench === bench);
    if (own.length === 0) problems.push(`${bench} produced no figures`);
    for (const f of own) {
      const value = typeof f.project === 'number' ? f.project : Number.NaN;
      if (typeof f.project === 'number' && !Number.isFinite(value)) {
        problems.push(`${bench} "${f.name}" has no value`);
      }
      if (f.project === undefined || f.project === null)
        problems.push(`${bench} "${f.name}" has no value`);
    }
  }
  if (problems.length > 0) {
    console.error(`\nbench: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
    process.exitCode = 1;
  } else if (options.smoke) {
    console.log(
      `bench smoke: ${selected.length} benches ran and produced ${figures.length} figures`,
    );
  }
}

main().catch(async (error) => {
  console.error(`bench: ${error instanceof Error ? error.stack : String(error)}`);
  await stopAll().catch(() => undefined);
  process.exit(1);
});
