// Private Kafka brokers and PostgreSQL servers for fault tests (stop the
// dependency under a running service, bring it back).
//
// The launchers are ESM (.mjs) and jest on Node 20 cannot load ESM inside a
// spec's sandbox, so each server is owned by a small Node host process that
// imports the launcher and runs its methods on request over the IPC channel.
// If the jest worker dies, the channel closes and the host stops the server;
// if the host dies, the launchers' own watchdogs stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { StartKafkaOptions } from '../../tools/kafka-local/kafka-local.mjs';
import type {
  PgShutdownMode,
  PostgresBinariesSource,
  StartPrivatePostgresOptions,
} from '../../tools/pg-local/pg-local.mjs';

const KAFKA_LOCAL = path.resolve(__dirname, '../../tools/kafka-local/kafka-local.mjs');
const PG_LOCAL = path.resolve(__dirname, '../../tools/pg-local/pg-local.mjs');

const HOST_SOURCE = `
import { pathToFileURL } from 'node:url';
const [modulePath, factory, optionsJson] = process.argv.slice(1);
const send = (message) => new Promise((resolve) => process.send(message, () => resolve()));
const describe = (handle) =>
  Object.fromEntries(Object.entries(handle).filter(([, v]) => typeof v !== 'function'));
const reason = (err) => (err instanceof Error ? err.stack ?? err.message : String(err));
let handle;
let shuttingDown = false;
process.on('disconnect', async () => {
  shuttingDown = true;
  await handle?.stop().catch(() => undefined);
  process.exit(0);
});
try {
  const mod = await import(pathToFileURL(modulePath).href);
  handle = await mod[factory](JSON.parse(optionsJson));
  await send({ type: 'ready', state: describe(handle) });
} catch (err) {
  await send({ type: 'failed', error: reason(err) });
  process.exit(1);
}
process.on('message', async ({ id, method, args }) => {
  if (shuttingDown) return;
  try {
    await handle[method](...args);
    await send({ id, ok: true, state: describe(handle) });
  } catch (err) {
    await send({ id, ok: false, error: reason(err), state: describe(handle) });
  }
});
`;

type State = Record<string, unknown>;
interface Reply {
  id?: number;
  type?: 'ready' | 'failed';
  ok?: boolean;
  error?: string;
  state?: State;
}

class Host {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private exited = false;
  state: State = {};

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      if (reply.state) this.state = reply.state;
      if (reply.id !== undefined) this.pending.get(reply.id)?.(reply);
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const resolve of this.pending.values()) {
        resolve({ ok: false, error: `server host exited (${signal ?? `exit ${code}`})` });
      }
      this.pending.clear();
    });
  }

  static async start(modulePath: string, factory: string, options: object): Promise<Host> {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', HOST_SOURCE, modulePath, factory, JSON.stringify(options)],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const host = new Host(child);
    const first = await new Promise<Reply>((resolve) => {
      child.once('message', resolve);
      child.once('exit', (code, signal) =>
        resolve({ type: 'failed', error: `server host exited (${signal ?? `exit ${code}`})` }),
      );
    });
    if (first.type !== 'ready') {
      child.kill('SIGKILL');
      throw new Error(`${factory} failed: ${first.error}`);
    }
    // A spec that forgets close() must not keep the jest worker alive.
    child.unref();
    child.channel?.unref();
    return host;
  }

  async call(method: string, ...args: unknown[]): Promise<void> {
    if (this.exited) throw new Error(`server host is gone; cannot ${method}()`);
    const id = this.nextId++;
    this.child.channel?.ref();
    try {
      const reply = await new Promise<Reply>((resolve) => {
        this.pending.set(id, resolve);
        this.child.send({ id, method, args });
      });
      if (!reply.ok) throw new Error(`${method}() failed: ${reply.error}`);
    } finally {
      this.pending.delete(id);
      if (this.pending.size === 0) this.child.channel?.unref();
    }
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call('stop');
    this.child.disconnect();
    await gone;
  }
}

export interface PrivateKafkaBroker {
  readonly brokers: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly dataDir: string;
  readonly logFile: string;
  /** SIGTERM, SIGKILL after 20 s; resolves when the broker has exited. */
  stop(): Promise<void>;
  /** Signals the broker (default SIGKILL) without waiting for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it if running, starts it on the same ports and data, waits until ready. */
  restart(): Promise<void>;
  /** Stops the broker and its host process. Call it in afterAll. */
  close(): Promise<void>;
}

/** Starts a private single-node broker (own ports and temp data dir) for fault tests. */
export async function startPrivateKafka(
  options: Omit<StartKafkaOptions, 'detached'> = {},
): Promise<PrivateKafkaBroker> {
  const host = await Host.start(KAFKA_LOCAL, 'startKafka', { quiet: true, ...options });
  const get = <T>(key: string) => host.state[key] as T;
  return {
    get brokers() {
      return get<string>('brokers');
    },
    get port() {
      return get<number>('port');
    },
    get pid() {
      return get<number | undefined>('pid');
    },
    get dataDir() {
      return get<string>('dataDir');
    },
    get logFile() {
      return get<string>('logFile');
    },
    stop: () => host.call('stop'),
    kill: (signal: NodeJS.Signals = 'SIGKILL') => host.call('kill', signal),
    restart: () => host.call('restart'),
    close: () => host.close(),
  };
}

export interface PrivatePostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly dataDir: string;
  readonly logFile: string;
  readonly binaries: PostgresBinariesSource;
  start(): Promise<void>;
  /** Default 'fast'; 'immediate' simulates a crash (recovery on the next start). */
  stop(mode?: PgShutdownMode): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and its host process. Call it in afterAll. */
  close(): Promise<void>;
}

/** Starts a private PostgreSQL server (own port and temp data dir) for fault tests. */
export async function startPrivatePostgres(
  options: StartPrivatePostgresOptions = {},
): Promise<PrivatePostgresServer> {
  const host = await Host.start(PG_LOCAL, 'startPrivatePostgres', { quiet: true, ...options });
  const get = <T>(key: string) => host.state[key] as T;
  return {
    get url() {
      return get<string>('url');
    },
    get port() {
      return get<number>('port');
    },
    get pid() {
      return get<number | undefined>('pid');
    },
    get dataDir() {
      return get<string>('dataDir');
    },
    get logFile() {
      return get<string>('logFile');
    },
    get binaries() {
      return get<PostgresBinariesSource>('binaries');
    },
    start: () => host.call('start'),
    stop: (mode: PgShutdownMode = 'fast') => host.call('stop', mode),
    restart: () => host.call('restart'),
    close: () => host.close(),
  };
}
