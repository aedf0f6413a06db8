import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type ServiceName =
  | 'channel-config'
  | 'outbound-pager'
  | 'inbound-webhook'
  | 'pagerduty-simulator'
  | 'incident-simulator';

const ROOT = resolve(__dirname, '..', '..');
const LOG_DIR = join(ROOT, '.cache', 'test-logs');

// A suite that fails half-way must not leave services running behind it.
const live = new Set<ChildProcess>();
process.once('exit', () => live.forEach((child) => child.kill('SIGKILL')));

const entryOf = (name: ServiceName): string =>
  join(ROOT, 'dist', name.endsWith('simulator') ? 'tools' : 'apps', name, 'main.js');

export interface StartOptions {
  env: Record<string, string | undefined>;
  /** Extra CLI arguments, e.g. `['migrate']`. */
  args?: string[];
  /** Wait for GET <url><path> to answer 200; false to return at once. Default `/health/ready`. */
  readyPath?: string | false;
  port?: number;
  timeoutMs?: number;
  label?: string;
}

/**
 * A service run exactly as deployed: `node dist/<apps|tools>/<name>/main.js`, configured by env
 * alone. Output is kept in memory (for log scans) and in `.cache/test-logs/<label>.log`.
 */
export class ServiceProcess {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly name: ServiceName,
    readonly child: ChildProcess,
    readonly port: number | undefined,
    readonly logFile: string,
  ) {
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : code);
        done(code);
      }),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** Everything the process printed so far. */
  get logs(): string {
    return this.output.join('');
  }

  static async start(name: ServiceName, options: StartOptions): Promise<ServiceProcess> {
    mkdirSync(LOG_DIR, { recursive: true });
    const label = options.label ?? `${name}-${process.pid}-${Date.now()}`;
    const logFile = join(LOG_DIR, `${label}.log`);
    const log = createWriteStream(logFile);
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_ENV: 'test' };
    for (const [k, v] of Object.entries(options.env)) if (v !== undefined) env[k] = v;
    if (options.port !== undefined) env.PORT ??= String(options.port);
    const child = spawn(process.execPath, [entryOf(name), ...(options.args ?? [])], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    const service = new ServiceProcess(name, child, options.port, logFile);
    const collect = (chunk: Buffer) => {
      service.output.push(chunk.toString('utf8'));
      log.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    void service.exited.then(() => log.end());
    const readyPath = options.readyPath ?? '/health/ready';
    if (readyPath !== false && options.port !== undefined) {
      await service.waitForStatus(readyPath, 200, options.timeoutMs ?? 90_000);
    }
    return service;
  }

  /** Polls `path` until it answers `status`; fails early if the process exits. */
  async waitForStatus(path: string, status: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `${this.name} exited (${String(this.exitCode)}) before ${path} answered ${status}; log: ${this.logFile}\n${this.logs.slice(-3000)}`,
        );
      }
      try {
        const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(3000) });
        last = `${res.status}`;
        if (res.status === status) return;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `${this.name}: ${path} did not answer ${status} within ${timeoutMs} ms (last: ${last}); log: ${this.logFile}`,
    );
  }

  /** SIGTERM (graceful) by default; resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | null> {
    if (!this.running) return this.exitCode ?? null;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
