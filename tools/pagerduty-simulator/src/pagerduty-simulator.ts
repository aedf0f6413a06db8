import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatorAdminApi } from './admin-api';
import { ArrivalRecorder } from './arrival-recorder';
import { EnqueueHandler } from './enqueue-handler';
import { FaultInjector } from './fault-injector';
import { HttpError } from './http-error';
import { sendJson } from './http-kit';
import { IncidentWebhooks } from './incident-webhooks';
import { RollingWindowRateLimiter } from './rate-limiter';
import { SimulatorStore } from './simulator-store';
import type { PagerDutySimulatorOptions } from './simulator.types';
import { SleepPool } from './sleep-pool';
import { WebhookDispatcher } from './webhook-dispatcher';

export interface StartOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
}

/**
 * A PagerDuty stand-in for development and tests: Events API v2 on
 * `/v2/enqueue` (and `/eu/v2/enqueue`, recorded as region "eu"), incidents
 * with PagerDuty's dedup rules, signed V3 webhooks, fault injection, and an
 * inspection API under `/_sim`. Never deployed.
 */
export class PagerDutySimulator {
  readonly store: SimulatorStore;
  readonly dispatcher: WebhookDispatcher;
  readonly faults = new FaultInjector();
  readonly arrivals = new ArrivalRecorder();
  private readonly limiter: RollingWindowRateLimiter;
  private readonly sleeps = new SleepPool();
  private readonly enqueue: EnqueueHandler;
  private readonly admin: SimulatorAdminApi;
  private readonly clock: () => number;
  private server: Server | undefined;
  private baseUrl = '';

  constructor(private readonly options: PagerDutySimulatorOptions = {}) {
    this.clock = options.now ?? Date.now;
    const maxRecords = options.maxRecords ?? 10_000;
    const htmlBase = (): string => options.publicUrl ?? this.baseUrl;
    this.store = new SimulatorStore(
      maxRecords,
      this.clock,
      (id) => `${htmlBase()}/_sim/incidents/${id}`,
    );
    this.limiter = new RollingWindowRateLimiter(options.ratePerMinute ?? 120);
    this.dispatcher = new WebhookDispatcher({
      timeoutMs: options.webhookTimeoutMs ?? 5_000,
      backoffMs: options.webhookBackoffMs ?? 1_000,
      maxBackoffMs: options.webhookMaxBackoffMs ?? 60_000,
      maxAttempts: options.webhookMaxAttempts ?? 8,
      disableAfterDrops: options.disableAfterDrops ?? 3,
      maxRecords,
      clock: this.clock,
      lookup: (id) => this.store.listSubscriptions().find((subscription) => subscription.id === id),
      logger: options.logger,
    });
    const webhooks = new IncidentWebhooks(this.store, this.dispatcher, htmlBase, this.clock);
    this.enqueue = new EnqueueHandler(
      {
        acceptAnyKey: options.acceptAnyKey ?? false,
        enforceRate: options.enforceRate ?? true,
        fastMode: options.fastMode ?? false,
      },
      this.store,
      this.limiter,
      this.faults,
      this.arrivals,
      webhooks,
      this.sleeps,
      this.clock,
      options.logger,
    );
    this.admin = new SimulatorAdminApi({
      store: this.store,
      dispatcher: this.dispatcher,
      webhooks,
      faults: this.faults,
      arrivals: this.arrivals,
      reset: () => this.reset(),
      mode: options.fastMode === true ? 'fast' : 'full',
    });
    this.registerConfiguredKeys();
  }

  /** Base URL once started, e.g. `http://127.0.0.1:40123`. */
  get url(): string {
    if (this.server === undefined) {
      throw new Error('PagerDutySimulator is not started');
    }
    return this.baseUrl;
  }

  /** Enqueue URL of a region, for `PagerDutyClient`'s usUrl / euUrl. */
  enqueueUrl(region: 'us' | 'eu' = 'us'): string {
    return region === 'eu' ? `${this.url}/eu/v2/enqueue` : `${this.url}/v2/enqueue`;
  }

  async start(options: StartOptions = {}): Promise<{ url: string }> {
    if (this.server !== undefined) {
      return { url: this.baseUrl };
    }
    const server = createServer((req, res) => {
      void this.onRequest(req, res);
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.server = server;
    this.baseUrl = `http://${host}:${address.port}`;
    return { url: this.baseUrl };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) {
      return;
    }
    this.server = undefined;
    this.sleeps.wakeAll();
    this.enqueue.releaseHanging();
    await this.dispatcher.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Forgets everything (services, incidents, logs, faults, pending webhooks), then re-registers the configured keys. */
  reset(): void {
    this.dispatcher.reset();
    this.store.reset();
    this.faults.clear();
    this.limiter.reset();
    this.arrivals.reset();
    this.registerConfiguredKeys();
  }

  /** Resolves when no webhook delivery is queued, in flight or waiting to retry. */
  whenWebhooksIdle(): Promise<void> {
    return this.dispatcher.whenIdle();
  }

  private registerConfiguredKeys(): void {
    (this.options.routingKeys ?? []).forEach((routingKey, index) =>
      this.store.registerService({ routingKey, name: `Configured service ${index + 1}` }),
    );
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://simulator.invalid');
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
      if (path === '/v2/enqueue' || path === '/eu/v2/enqueue') {
        if (req.method !== 'POST') {
          throw new HttpError(405, 'Use POST');
        }
        await this.enqueue.handle(req, res, path.startsWith('/eu/') ? 'eu' : 'us', path);
        return;
      }
      if (path.startsWith('/_sim/')) {
        await this.admin.handle(req, res, path, url.searchParams);
        return;
      }
      throw new HttpError(404, `No route ${req.method ?? ''} ${path}`);
    } catch (error: unknown) {
      if (error instanceof HttpError) {
        sendJson(
          res,
          error.status,
          { error: error.message },
          error.status === 413 ? { connection: 'close' } : {},
        );
        return;
      }
      this.options.logger?.({ msg: 'simulator error', error: String(error) });
      sendJson(res, 500, { error: 'Simulator error' });
    }
  }
}
