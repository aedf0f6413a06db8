import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PagerDutyEvent, Region } from './events-v2.types';
import { buildIncidentEvent } from './incident-event.builder';
import { PagerDutyClient } from './pagerduty-client';

const KEY = 'stubKEY00000000000000000000000AB';

interface StubAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** A scripted server; the end-to-end classification runs against the simulator in tools/pagerduty-simulator. */
class StubServer {
  readonly received: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];
  answer: StubAnswer = { status: 202, body: '{}' };
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(this.answer.status, this.answer.headers ?? {}).end(this.answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function event(): PagerDutyEvent {
  return buildIncidentEvent({
    action: 'trigger',
    routingKey: KEY,
    dedupKey: 'inc_1',
    summary: 'Agent exfiltrating CRM records',
    severity: 'critical',
  });
}

describe('PagerDutyClient', () => {
  const stub = new StubServer();
  let sut: PagerDutyClient;

  beforeAll(async () => {
    await stub.start();
    sut = new PagerDutyClient({
      usUrl: `${stub.url}/v2/enqueue`,
      euUrl: `${stub.url}/eu/v2/enqueue`,
      timeoutMs: 1_000,
      userAgent: 'axiorank-outbound-pager/1.0',
    });
  });
  afterAll(async () => {
    await sut.close();
    await stub.stop();
  });
  beforeEach(() => {
    stub.received.length = 0;
  });

  it('posts the serialized event with JSON and user-agent headers to the region URL', async () => {
    stub.answer = {
      status: 202,
      body: '{"status":"success","message":"Event processed","dedup_key":"inc_1"}',
    };
    await sut.send(event(), 'eu');

    expect(stub.received).toHaveLength(1);
    expect(stub.received[0].url).toBe('/eu/v2/enqueue');
    expect(stub.received[0].body).toBe(JSON.stringify(event()));
    expect(stub.received[0].headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'axiorank-outbound-pager/1.0',
    });
  });

  it('treats any 2xx as accepted, even with a body it cannot parse', async () => {
    stub.answer = { status: 202, body: 'queued' };
    await expect(sut.send(event(), 'us')).resolves.toEqual({
      outcome: 'accepted',
      status: 202,
      dedupKey: 'inc_1',
      message: 'Event processed',
    });
  });

  it.each([
    [408, undefined],
    [502, undefined],
    [503, { 'retry-after': 'Fri, 01 Jan 2100 00:00:00 GMT' }],
  ])('classifies %s as transient', async (status, headers) => {
    stub.answer = { status, headers, body: '' };
    const result = await sut.send(event(), 'us');
    expect(result).toMatchObject({ outcome: 'transient', status, cause: 'http' });
    if (headers !== undefined) {
      expect(result.outcome === 'transient' && result.retryAfterMs).toBeGreaterThan(1_000_000);
    }
  });

  it.each([401, 403, 404, 413, 422])('classifies %s as permanent', async (status) => {
    stub.answer = { status, body: '<html>nope</html>' };
    await expect(sut.send(event(), 'us')).resolves.toEqual({
      outcome: 'permanent',
      status,
      sent: true,
      message: '<html>nope</html>',
      errors: [],
    });
  });

  it('treats a redirect as permanent (a misconfigured URL, not something to retry)', async () => {
    stub.answer = { status: 301, headers: { location: 'https://elsewhere.test' } };
    await expect(sut.send(event(), 'us')).resolves.toMatchObject({
      outcome: 'permanent',
      status: 301,
    });
  });

  it('redacts the routing key when the server echoes it', async () => {
    stub.answer = {
      status: 400,
      body: JSON.stringify({
        status: 'invalid event',
        message: `Key ${KEY} is disabled`,
        errors: [`routing_key ${KEY} unknown`, 42],
      }),
    };
    const result = await sut.send(event(), 'us');
    expect(result).toEqual({
      outcome: 'permanent',
      status: 400,
      sent: true,
      message: 'Key [redacted] is disabled',
      errors: ['routing_key [redacted] unknown'],
    });
  });

  it('does not send an invalid event, nor one for an unknown region', async () => {
    const bad = { ...event(), routing_key: 'too-short' };
    const invalid = await sut.send(bad, 'us');
    expect(invalid).toMatchObject({ outcome: 'permanent', sent: false });
    expect(JSON.stringify(invalid)).not.toContain('too-short');

    const region = await sut.send(event(), 'ap' as Region);
    expect(region).toMatchObject({
      outcome: 'permanent',
      sent: false,
      message: 'Unknown PagerDuty region "ap"',
    });
    expect(stub.received).toHaveLength(0);
  });

  it('answers transient network errors for an unreachable host, without the key', async () => {
    const client = new PagerDutyClient({
      usUrl: 'http://127.0.0.1:1/v2/enqueue',
      userAgent: 'spec',
    });
    try {
      const result = await client.send(event(), 'us');
      expect(result).toMatchObject({ outcome: 'transient', cause: 'network' });
      expect(JSON.stringify(result)).not.toContain(KEY);
    } finally {
      await client.close();
    }
  });

  it('answers transient after close instead of throwing', async () => {
    const client = new PagerDutyClient({ usUrl: `${stub.url}/v2/enqueue`, userAgent: 'spec' });
    await client.close();
    await expect(client.send(event(), 'us')).resolves.toMatchObject({ outcome: 'transient' });
  });

  it('refuses a malformed URL or timeout at construction', () => {
    expect(() => new PagerDutyClient({ usUrl: 'not a url', userAgent: 'x' })).toThrow(/usUrl/);
    expect(() => new PagerDutyClient({ timeoutMs: 0, userAgent: 'x' })).toThrow(RangeError);
  });
});
