import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(__dirname, '..', '..', 'tools', 'kafka-local', 'cli.mjs');

/**
 * A broker of the test's own (real Apache Kafka, from the local launcher), for tests that stop,
 * kill or restart it: stopping it never disturbs the shared broker other suites use. It runs in
 * a child `node tools/kafka-local/cli.mjs start --foreground`, because the launcher is an ES
 * module that jest's CommonJS runtime cannot import.
 */
export class PrivateKafka {
  private child?: ChildProcess;
  private port?: number;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'axiorank-private-kafka-'));

  get brokers(): string {
    if (this.port === undefined) throw new Error('private Kafka not started');
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    const args = [CLI, 'start', '--foreground', '--data-dir', this.dataDir];
    if (this.port !== undefined) args.push('--port', String(this.port));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`private Kafka did not start in 150 s:\n${output}`)),
        150_000,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /KAFKA_BROKERS=127\.0\.0\.1:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          this.port = Number(match[1]);
          done();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`private Kafka launcher exited (${String(code)}):\n${output}`));
      });
    });
    return this.brokers;
  }

  /** Stops the broker (the launcher stops its JVM on SIGTERM) and waits for the launcher to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  /** Same port, same data: the broker comes back with its topics and offsets. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
