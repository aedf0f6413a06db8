#!/usr/bin/env node
// Command line for the local Kafka broker (dev/CI only). See README.md.
//   node tools/kafka-local/cli.mjs start [--port N] [--data-dir DIR] [--foreground]
//   node tools/kafka-local/cli.mjs stop | status | fetch
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  REPO_ROOT,
  ensureKafkaJars,
  isKafkaProcess,
  startKafka,
  stopKafkaPid,
} from './kafka-local.mjs';

const PID_FILE = path.join(REPO_ROOT, '.cache', 'kafka-local.pid');
const ENV_FILE = path.join(REPO_ROOT, '.cache', 'kafka-local.env');
const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.cache', 'kafka-data');

const USAGE = `usage: node tools/kafka-local/cli.mjs <command>
  start [--port N] [--controller-port N] [--data-dir DIR] [--log-file FILE] [--foreground]
        starts a broker (free ports unless given; data in .cache/kafka-data) and prints
        KAFKA_BROKERS=127.0.0.1:<port>; in the background it writes .cache/kafka-local.pid
        and .cache/kafka-local.env
  stop  stops the background broker named by .cache/kafka-local.pid
  status
  fetch resolves the Kafka jars into .cache/ only (first run needs Maven Central)`;

function runningPid() {
  if (!fs.existsSync(PID_FILE)) return undefined;
  const pid = Number.parseInt(fs.readFileSync(PID_FILE, 'utf8'), 10);
  return Number.isInteger(pid) && isKafkaProcess(pid) ? pid : undefined;
}

function port(value, name) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--${name} must be a port`);
  return n;
}

async function start(values) {
  const already = runningPid();
  if (already !== undefined) {
    process.stderr.write(`[kafka-local] already running (pid ${already}); reusing it\n`);
    process.stdout.write(fs.readFileSync(ENV_FILE, 'utf8'));
    return;
  }
  const foreground = values.foreground ?? false;
  const kafka = await startKafka({
    dataDir: path.resolve(values['data-dir'] ?? DEFAULT_DATA_DIR),
    port: port(values.port, 'port'),
    controllerPort: port(values['controller-port'], 'controller-port'),
    logFile: values['log-file'] === undefined ? undefined : path.resolve(values['log-file']),
    detached: !foreground,
  });
  const env = `KAFKA_BROKERS=${kafka.brokers}\n`;
  process.stdout.write(env);
  if (!foreground) {
    fs.writeFileSync(PID_FILE, `${kafka.pid}\n`);
    fs.writeFileSync(ENV_FILE, env);
    return;
  }
  process.stderr.write('[kafka-local] running in the foreground; Ctrl-C stops it\n');
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await kafka.stop();
}

async function stop() {
  const pid = runningPid();
  if (pid === undefined) {
    process.stderr.write('[kafka-local] no background broker is running\n');
  } else {
    process.stderr.write(`[kafka-local] stopping broker pid ${pid}…\n`);
    await stopKafkaPid(pid);
    process.stderr.write('[kafka-local] stopped\n');
  }
  fs.rmSync(PID_FILE, { force: true });
  fs.rmSync(ENV_FILE, { force: true });
}

function status() {
  const pid = runningPid();
  if (pid === undefined) {
    process.stderr.write('[kafka-local] not running\n');
    process.exitCode = 3;
    return;
  }
  process.stderr.write(`[kafka-local] running (pid ${pid})\n`);
  process.stdout.write(fs.readFileSync(ENV_FILE, 'utf8'));
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'controller-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'log-file': { type: 'string' },
      foreground: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || positionals.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  switch (command) {
    case 'start':
      return start(values);
    case 'stop':
      return stop();
    case 'status':
      return status();
    case 'fetch':
      await ensureKafkaJars();
      process.stderr.write('[kafka-local] Kafka jars are cached\n');
      return;
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}\n`);
      process.exitCode = 2;
  }
}

main().catch((err) => {
  process.stderr.write(`[kafka-local] ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
