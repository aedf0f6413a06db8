// Dev/test-only launcher for a real single-node Apache Kafka broker (KRaft,
// combined broker+controller) built from Maven Central artifacts and the JDK on
// the machine. Plain ESM so it runs without a build; types in kafka-local.d.mts.
// Never deployed (see README.md next to this file).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

export const KAFKA_VERSION = '3.9.1';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
const POM = path.join(here, 'pom.xml');
// KAFKA_LOCAL_CACHE_DIR moves the cache (e.g. to a CI cache shared between checkouts).
export const CACHE_DIR = path.resolve(
  process.env.KAFKA_LOCAL_CACHE_DIR ?? path.join(REPO_ROOT, '.cache', `kafka-${KAFKA_VERSION}`),
);
const LIB_DIR = path.join(CACHE_DIR, 'lib');
// Written only after a complete copy, so an interrupted first run is redone.
const MARKER = path.join(CACHE_DIR, 'complete.sha256');

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;

function progress(quiet, message) {
  if (!quiet) process.stderr.write(`[kafka-local] ${message}\n`);
}

function seconds(sinceMs) {
  return `${((performance.now() - sinceMs) / 1000).toFixed(1)} s`;
}

function javaBin() {
  return process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function run(command, args, { cwd } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (err) =>
      reject(new Error(`could not run ${command}: ${err.message}`, { cause: err })),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else
        reject(
          new Error(
            `${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`,
          ),
        );
    });
  });
}

function pomDigest() {
  return createHash('sha256').update(fs.readFileSync(POM)).digest('hex');
}

/**
 * Makes sure the broker's runtime classpath is in .cache/kafka-3.9.1/lib,
 * resolving it with Maven on first use (or when pom.xml changed). Later calls
 * only check the marker file and never touch the network.
 */
export async function ensureKafkaJars({ quiet = false } = {}) {
  const digest = pomDigest();
  const cached = () => fs.existsSync(MARKER) && fs.readFileSync(MARKER, 'utf8').trim() === digest;
  if (cached()) return LIB_DIR;

  fs.mkdirSync(path.dirname(CACHE_DIR), { recursive: true });
  const unlock = await lock(`${CACHE_DIR}.lock`, quiet);
  try {
    // Another process may have filled the cache while we waited for the lock.
    if (cached()) return LIB_DIR;
    return await fetchJars(digest, quiet);
  } finally {
    unlock();
  }
}

// Serialises first-run fetches between processes (a second jest run, a CI
// step and a developer's shell may all start at once). A lock whose owner
// died is taken over.
async function lock(lockDir, quiet) {
  const deadline = Date.now() + 10 * 60_000;
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), `${process.pid}\n`);
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    let owner = NaN;
    try {
      owner = Number.parseInt(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'), 10);
    } catch {
      // the owner has not written its pid yet, or just released the lock
    }
    if (Number.isInteger(owner) && !isAlive(owner)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lockDir} is still held by pid ${owner}`);
    if (!told) progress(quiet, `waiting for pid ${owner} to finish fetching Kafka…`);
    told = true;
    await sleep(250);
  }
}

async function fetchJars(digest, quiet) {
  const started = performance.now();
  progress(quiet, `resolving Kafka ${KAFKA_VERSION} from Maven Central (first run only)…`);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  fs.rmSync(MARKER, { force: true });
  // Leftovers of an interrupted fetch (we hold the lock, so none is in use).
  for (const name of fs.readdirSync(CACHE_DIR)) {
    if (name.startsWith('lib.partial-')) fs.rmSync(path.join(CACHE_DIR, name), { recursive: true });
  }
  // Copy into a private directory and rename it into place, so a concurrent or
  // interrupted run never leaves a half-filled lib/ behind a valid marker.
  const staging = fs.mkdtempSync(path.join(CACHE_DIR, 'lib.partial-'));
  try {
    await run('mvn', [
      '-q',
      '-B',
      '-f',
      POM,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ]);
    const jars = fs.readdirSync(staging).filter((name) => name.endsWith('.jar'));
    if (!jars.some((name) => name.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
      throw new Error(`Maven finished but ${staging} holds no kafka_2.13-${KAFKA_VERSION} jar`);
    }
    fs.rmSync(LIB_DIR, { recursive: true, force: true });
    fs.renameSync(staging, LIB_DIR);
    fs.writeFileSync(MARKER, `${digest}\n`);
    const bytes = jars.reduce((sum, name) => sum + fs.statSync(path.join(LIB_DIR, name)).size, 0);
    progress(
      quiet,
      `resolved ${jars.length} jars (${(bytes / 1e6).toFixed(0)} MB) into ${LIB_DIR} in ${seconds(started)}`,
    );
    return LIB_DIR;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** A TCP port that was free a moment ago (the OS picks it when binding to 0). */
export async function freePort() {
  const [port] = await freePorts(1);
  return port;
}

async function freePorts(count) {
  // Hold every socket open until all are bound so the ports are distinct.
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => server.address().port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function assertPortFree(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (err) =>
      reject(new Error(`port 127.0.0.1:${port} is not free (${err.code ?? err.message})`)),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

// A broker that was just killed can hold its sockets a moment after its pid
// is gone, so give a port a few seconds before reporting it taken.
async function waitPortFree(port, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertPortFree(port);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(200);
    }
  }
}

async function reusablePort(port, taken) {
  if (port === undefined || taken.includes(port)) return undefined;
  return assertPortFree(port).then(
    () => port,
    () => undefined,
  );
}

function previousPorts(serverProperties) {
  try {
    const text = fs.readFileSync(serverProperties, 'utf8');
    const listeners = /^listeners=(.*)$/m.exec(text)?.[1] ?? '';
    const find = (name) => {
      const match = new RegExp(`${name}://[^:,]+:(\\d+)`).exec(listeners);
      return match ? Number(match[1]) : undefined;
    };
    return { port: find('PLAINTEXT'), controllerPort: find('CONTROLLER') };
  } catch {
    return {};
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function waitGoneSync(pid, timeoutMs) {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let state;
    try {
      state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    } catch {
      return;
    }
    if (state === 'Z' || state === 'X') return;
    Atomics.wait(pause, 0, 0, 20);
  }
}

/** True when pid is a kafka.Kafka JVM, optionally one started with a given config file. */
export function isKafkaProcess(pid, serverProperties) {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return (
      argv.includes('kafka.Kafka') &&
      (serverProperties === undefined || argv.includes(serverProperties))
    );
  } catch {
    return false;
  }
}

function tail(file, lines = 25) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

function serverPropertiesText({ port, controllerPort, logDirs }) {
  return `# Generated by tools/kafka-local/kafka-local.mjs; rewritten on every start.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${logDirs}
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
# After a SIGKILL the restarted broker cannot register until the controller has
# fenced its previous incarnation; the 9 s default makes every restart test slow.
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=1000
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=2
`;
}

function log4jText(logFile) {
  return `# Generated by tools/kafka-local/kafka-local.mjs
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${logFile}
log4j.appender.file.Append=true
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
`;
}

// Brokers started by this process (not detached ones), killed when it exits
// so none lingers; their temporary data dirs are removed afterwards.
const owned = new Set();
let exitHooksInstalled = false;

function killOwnedNow() {
  for (const broker of owned) broker.killNow();
  for (const broker of owned) broker.removeTempDir();
}

function installExitHooks() {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', killOwnedNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    // Node skips 'exit' handlers when a signal terminates it. If nobody else
    // listens, do what the default would (terminate) after killing the brokers;
    // a process with its own handler shuts down itself and exits normally.
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      killOwnedNow();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

// A tiny shell that SIGKILLs the broker once this Node process is gone, even
// if it was SIGKILLed itself and could run no exit handler.
function spawnWatchdog(brokerPid) {
  const script =
    'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 1; done; ' +
    'kill -0 "$0" 2>/dev/null || kill -KILL "$1" 2>/dev/null';
  const watchdog = spawn('sh', ['-c', script, String(process.pid), String(brokerPid)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return watchdog;
}

async function adminCanListTopics(brokers) {
  const kafka = new Kafka({
    clientId: 'kafka-local-readiness',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Starts a single-node KRaft broker and resolves once an admin client can list
 * topics. See kafka-local.d.mts for the options and the returned handle.
 */
export async function startKafka(options = {}) {
  const { quiet = false, detached = false } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const started = performance.now();
  const libDir = await ensureKafkaJars({ quiet });

  const ownsDataDir = options.dataDir === undefined;
  const dataDir = path.resolve(
    options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-local-')),
  );
  fs.mkdirSync(dataDir, { recursive: true });
  const logFile = path.resolve(options.logFile ?? path.join(dataDir, 'kafka.log'));
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const logDirs = path.join(dataDir, 'kraft-combined-logs');
  const serverProperties = path.join(dataDir, 'server.properties');
  const log4jProperties = path.join(dataDir, 'log4j.properties');
  const pidFile = path.join(dataDir, 'kafka.pid');
  const clusterIdFile = path.join(dataDir, 'cluster.id');
  const classpath = `${libDir}${path.sep}*`;
  const log4jFlag = `-Dlog4j.configuration=file:${log4jProperties}`;
  // StorageTool runs for well under a second: skip the optimising JIT.
  const toolFlags = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', log4jFlag];

  await reapLeftover(pidFile, serverProperties, quiet);

  // A data dir that ran before keeps its ports where they are still free, so a
  // restarted broker (e.g. `cli.mjs start` again) stays where clients expect it.
  const previous = previousPorts(serverProperties);
  let port = options.port ?? (await reusablePort(previous.port, [options.controllerPort]));
  let controllerPort =
    options.controllerPort ?? (await reusablePort(previous.controllerPort, [port]));
  if (port === undefined || controllerPort === undefined) {
    const [a, b] = await freePorts(2);
    port ??= a === controllerPort ? b : a;
    controllerPort ??= b === port ? a : b;
  }
  const brokers = `127.0.0.1:${port}`;

  fs.writeFileSync(serverProperties, serverPropertiesText({ port, controllerPort, logDirs }));
  fs.writeFileSync(log4jProperties, log4jText(logFile));

  if (!fs.existsSync(path.join(logDirs, 'meta.properties'))) {
    const formatStarted = performance.now();
    let clusterId = fs.existsSync(clusterIdFile)
      ? fs.readFileSync(clusterIdFile, 'utf8').trim()
      : '';
    if (!clusterId) {
      const out = await run(javaBin(), [
        ...toolFlags,
        '-cp',
        classpath,
        'kafka.tools.StorageTool',
        'random-uuid',
      ]);
      clusterId = out.match(/^[A-Za-z0-9_-]{22}$/m)?.[0];
      if (!clusterId) throw new Error(`StorageTool random-uuid printed no cluster id:\n${out}`);
      fs.writeFileSync(clusterIdFile, `${clusterId}\n`);
    }
    await run(javaBin(), [
      ...toolFlags,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      serverProperties,
      '--ignore-formatted',
    ]);
    progress(quiet, `formatted ${logDirs} (cluster ${clusterId}) in ${seconds(formatStarted)}`);
  }

  let child;
  let exit; // { code, signal } once the current JVM has exited
  let exited; // resolves when the current JVM has exited
  let watchdog;

  const handle = {
    brokers,
    port,
    controllerPort,
    get pid() {
      return child?.pid;
    },
    dataDir,
    logFile,
    stop,
    kill,
    restart,
  };
  const ownership = {
    killNow,
    removeTempDir() {
      if (!ownsDataDir) return;
      // Runs inside 'exit' handlers, so it must be synchronous: give the
      // SIGKILLed JVM a moment to vanish, then remove what it left.
      if (child?.pid !== undefined) waitGoneSync(child.pid, 2000);
      try {
        fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      } catch {
        // best effort; it is a temp dir
      }
    },
  };

  async function launch() {
    await Promise.all([waitPortFree(port), waitPortFree(controllerPort)]);
    const launchStarted = performance.now();
    const logFd = fs.openSync(logFile, 'a');
    exit = undefined;
    try {
      child = spawn(
        javaBin(),
        [
          '-Xms256m',
          '-Xmx512m',
          '-XX:+UseG1GC',
          '-XX:MaxGCPauseMillis=20',
          '-XX:+ExitOnOutOfMemoryError',
          '-Djava.awt.headless=true',
          log4jFlag,
          '-cp',
          classpath,
          'kafka.Kafka',
          serverProperties,
        ],
        { cwd: dataDir, stdio: ['ignore', logFd, logFd], detached },
      );
    } finally {
      fs.closeSync(logFd);
    }
    const current = child;
    exited = new Promise((resolve) => {
      current.once('error', (err) => {
        exit = { code: null, signal: null, error: err };
        resolve();
      });
      current.once('exit', (code, signal) => {
        exit = { code, signal };
        resolve();
      });
    });
    if (current.pid === undefined) {
      await exited;
      throw new Error(`could not start ${javaBin()}: ${exit?.error?.message ?? 'unknown error'}`);
    }
    fs.writeFileSync(pidFile, `${current.pid}\n`);
    if (detached) {
      current.unref();
    } else {
      owned.add(ownership);
      installExitHooks();
      watchdog = spawnWatchdog(current.pid);
    }

    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (exit) {
        throw new Error(
          `Kafka exited during startup (${exit.signal ?? `exit ${exit.code}`}); see ${logFile}:\n${tail(logFile)}`,
        );
      }
      if (await adminCanListTopics(brokers)) break;
      if (Date.now() > deadline) {
        killNow();
        throw new Error(
          `Kafka on ${brokers} was not ready after ${readyTimeoutMs / 1000} s; see ${logFile}:\n${tail(logFile)}`,
        );
      }
      await sleep(250);
    }
    progress(
      quiet,
      `Kafka ${KAFKA_VERSION} ready on ${brokers} (pid ${current.pid}) in ${seconds(launchStarted)}; log: ${logFile}`,
    );
  }

  function cleanupAfterExit() {
    if (!ownsDataDir) owned.delete(ownership);
    if (watchdog?.pid !== undefined && isAlive(watchdog.pid)) {
      try {
        process.kill(watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    watchdog = undefined;
    fs.rmSync(pidFile, { force: true });
  }

  function killNow() {
    if (child && !exit && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  function kill(signal = 'SIGKILL') {
    if (child && !exit && child.pid !== undefined) process.kill(child.pid, signal);
  }

  async function stop() {
    if (!child) return;
    if (!exit) {
      const stopStarted = performance.now();
      kill('SIGTERM');
      let timer;
      const graceful = await Promise.race([
        exited.then(() => true),
        new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS, false))),
      ]);
      clearTimeout(timer);
      if (!graceful) {
        progress(quiet, `Kafka did not stop within ${STOP_GRACE_MS / 1000} s; sending SIGKILL`);
        kill('SIGKILL');
      }
      await exited;
      progress(quiet, `Kafka on ${brokers} stopped in ${seconds(stopStarted)}`);
    } else {
      await exited;
    }
    cleanupAfterExit();
  }

  async function restart() {
    await stop();
    await launch();
  }

  try {
    await launch();
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  progress(quiet, `startKafka took ${seconds(started)} in total`);
  return handle;
}

// A broker left behind by a process that died holds the data dir's lock and
// its ports; stop it before starting a new one on the same directory.
async function reapLeftover(pidFile, serverProperties, quiet) {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
  if (Number.isInteger(pid) && isKafkaProcess(pid, serverProperties)) {
    progress(quiet, `killing leftover broker pid ${pid} that still holds ${path.dirname(pidFile)}`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    while (isKafkaProcess(pid, serverProperties)) await sleep(100);
  }
  fs.rmSync(pidFile, { force: true });
}

/** Stops a broker known only by pid (for example a detached one): SIGTERM, then SIGKILL. */
export async function stopKafkaPid(pid, { graceMs = STOP_GRACE_MS } = {}) {
  if (!isKafkaProcess(pid)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(100);
  return true;
}
