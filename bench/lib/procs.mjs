// Child processes of a bench run: each service or baseline is its own `node` process with its
// output in a log file. Everything started here is stopped by stopAll(), which run.mjs calls on
// success, failure and Ctrl-C; a small shell watchdog also kills a child if this process is
// SIGKILLed and can run no handler at all.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const live = new Set();

function watchdog(childPid) {
  const script =
    'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 1; done; ' +
    'kill -0 "$0" 2>/dev/null || kill -KILL "$1" 2>/dev/null';
  const dog = spawn('sh', ['-c', script, String(process.pid), String(childPid)], {
    detached: true,
    stdio: 'ignore',
  });
  dog.on('error', () => undefined);
  dog.unref();
  return dog;
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

/**
 * Starts `node [nodeArgs] entry [args]` with exactly `env` (plus PATH), output appended to
 * `logFile`. With `port` and `readyPath`, resolves once GET readyPath answers 200.
 */
export async function startProcess({
  name,
  entry,
  args = [],
  nodeArgs = [],
  env = {},
  port,
  readyPath,
  logFile,
  timeoutMs = 90_000,
}) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'a');
  let child;
  try {
    child = spawn(process.execPath, [...nodeArgs, entry, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    fs.closeSync(fd);
  }
  let exit;
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      live.delete(handle);
      if (dog.pid !== undefined) {
        try {
          process.kill(dog.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      resolve(exit);
    }),
  );
  const dog = watchdog(child.pid);
  const handle = {
    name,
    pid: child.pid,
    port,
    url: port === undefined ? undefined : `http://127.0.0.1:${port}`,
    logFile,
    exited,
    get running() {
      return exit === undefined;
    },
    /** SIGTERM (graceful: a --cpu-prof profile is written), SIGKILL after graceMs. */
    async stop(graceMs = 15_000) {
      if (exit !== undefined) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    killNow() {
      if (exit === undefined) child.kill('SIGKILL');
    },
  };
  live.add(handle);
  if (port !== undefined && readyPath !== undefined) {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    for (;;) {
      if (exit !== undefined) {
        throw new Error(
          `${name} exited (${exit.signal ?? exit.code}) before it was ready; log ${logFile}:\n${tail(logFile)}`,
        );
      }
      try {
        const res = await fetch(`${handle.url}${readyPath}`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) break;
        last = `HTTP ${res.status}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        await handle.stop(2000);
        throw new Error(
          `${name} was not ready within ${timeoutMs / 1000} s (last: ${last}); log ${logFile}:\n${tail(logFile)}`,
        );
      }
      await sleep(200);
    }
  }
  return handle;
}

/** Stops every child still running: SIGTERM to all at once, SIGKILL after graceMs. */
export async function stopAll(graceMs = 10_000) {
  await Promise.all([...live].map((handle) => handle.stop(graceMs).catch(() => undefined)));
}

/** Synchronous last resort (process 'exit' handler). */
export function killAllNow() {
  for (const handle of live) handle.killNow();
}
