import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: unknown;
}

export interface ScriptedAnswer {
  status: number;
  delayMs?: number;
}

/** A local endpoint that records webhooks and answers from a script (then 202). */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private script: ScriptedAnswer[] = [];
  private server: Server | undefined;
  private baseUrl = '';

  get url(): string {
    return `${this.baseUrl}/hooks/pagerduty`;
  }

  answerNext(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  clear(): void {
    this.received.length = 0;
    this.script = [];
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        this.received.push({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) });
        const answer = this.script.shift() ?? { status: 202 };
        const reply = (): void => {
          if (!res.destroyed) {
            res.writeHead(answer.status).end();
          }
        };
        if (answer.delayMs === undefined) {
          reply();
        } else {
          setTimeout(reply, answer.delayMs);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
