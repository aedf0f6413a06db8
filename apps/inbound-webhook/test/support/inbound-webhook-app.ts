import { createServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadInboundWebhookEnv } from '../../src/config/inbound-webhook.env';
import { serveInboundWebhook } from '../../src/serve';

export interface RunningInboundWebhook {
  app: INestApplication;
  url: string;
  dataSource: DataSource;
  /** The outbox is empty: every stored message has been published. */
  outboxDrained(): Promise<boolean>;
  metrics(): Promise<string>;
  close(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Boots inbound-webhook in this process exactly as `main.ts serve` does, configured from
 * explicit values (never this process's environment), on a free port.
 */
export async function startInboundWebhook(
  env: Record<string, string | undefined>,
): Promise<RunningInboundWebhook> {
  const port = await freePort();
  const config = loadInboundWebhookEnv({ LOG_LEVEL: 'warn', ...env, PORT: String(port) });
  const app = await serveInboundWebhook(config);
  const url = `http://127.0.0.1:${port}`;
  const dataSource = app.get(DataSource);
  return {
    app,
    url,
    dataSource,
    outboxDrained: async () => {
      const [row] = await dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM "inbound_webhook"."outbox" WHERE published_at IS NULL`,
      );
      return Number(row?.n) === 0;
    },
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    close: () => app.close(),
  };
}

/** The value of one Prometheus sample, e.g. `metric(text, 'webhook_requests_total', { outcome: 'verified' })`. */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0];
    if (wanted.every((w) => labelText.includes(w))) return Number(line.split(' ').pop());
  }
  return 0;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
