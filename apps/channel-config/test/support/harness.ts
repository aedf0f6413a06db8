import { randomBytes } from 'node:crypto';
import {
  freePort,
  type ScratchDatabase,
  ServiceProcess,
  TEST_JWT_SECRET,
  tokenFor,
} from '@app/testing';

export const PUBLIC_WEBHOOK_BASE_URL = 'https://hooks.axiorank.test';

/** A routing key as PagerDuty mints them: 32 letters or digits. */
export const newRoutingKey = (): string => randomBytes(16).toString('hex');

/** A PagerDuty-looking webhook signing secret (base64, as PagerDuty shows it). */
export const newSigningSecret = (): string => randomBytes(32).toString('base64');

/** A `CREDENTIAL_KEYS` entry: `kid:base64(32 bytes)`. */
export const credentialKey = (kid: string): string =>
  `${kid}:${randomBytes(32).toString('base64')}`;

export const newWorkspaceId = (label: string): string =>
  `ws_${label}_${randomBytes(4).toString('hex')}`;

export { ScratchDatabase } from '@app/testing';

export interface StoredChannelRow {
  routing_key: string;
  routing_key_hint: string;
  signing_secret: string | null;
  version: number;
}

export const storedChannel = async (db: ScratchDatabase, id: string): Promise<StoredChannelRow> => {
  const [row] = await db.query<StoredChannelRow>(
    `SELECT routing_key, routing_key_hint, signing_secret, version
       FROM channel_config.channels WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error(`no channel_config.channels row for ${id}`);
  return row;
};

/** The PagerDuty simulator, built and run as `node dist/tools/pagerduty-simulator/main.js`. */
export class Simulator {
  private constructor(readonly process: ServiceProcess) {}

  static async start(): Promise<Simulator> {
    const port = await freePort();
    const process = await ServiceProcess.start('pagerduty-simulator', {
      env: {
        PD_SIM_PORT: String(port),
        PD_SIM_ACCEPT_ANY_KEY: 'false',
        PD_SIM_QUIET: 'true',
        PD_SIM_ENFORCE_RATE: 'false',
      },
      port,
      readyPath: '/_sim/health',
    });
    return new Simulator(process);
  }

  get url(): string {
    return this.process.url;
  }

  /** The env that points channel-config at this simulator. */
  get serviceEnv(): Record<string, string> {
    return {
      PAGERDUTY_EVENTS_URL: `${this.url}/v2/enqueue`,
      PAGERDUTY_EVENTS_URL_EU: `${this.url}/eu/v2/enqueue`,
    };
  }

  /** Registers a PagerDuty service whose Events API v2 integration key is `routingKey`. */
  async register(routingKey: string): Promise<void> {
    const res = await fetch(`${this.url}/_sim/services`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `svc-${routingKey.slice(-4)}`, routingKey }),
    });
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(`simulator refused the service: ${res.status} ${await res.text()}`);
    }
  }

  async incidents(query: Record<string, string>): Promise<SimIncident[]> {
    return this.get<SimIncident[]>(`/_sim/incidents?${new URLSearchParams(query).toString()}`);
  }

  async requests(query: Record<string, string>): Promise<SimRequest[]> {
    return this.get<SimRequest[]>(`/_sim/requests?${new URLSearchParams(query).toString()}`);
  }

  async faults(body: Record<string, unknown> | null): Promise<void> {
    const res = await fetch(`${this.url}/_sim/faults`, {
      method: body === null ? 'DELETE' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === null ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`simulator faults: ${res.status} ${await res.text()}`);
  }

  /** Open (triggered or acknowledged) incidents for one routing key. */
  async openIncidents(routingKey: string): Promise<SimIncident[]> {
    const all = await this.incidents({ routingKey });
    return all.filter((i) => i.status !== 'resolved');
  }

  private async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`);
    if (!res.ok) throw new Error(`simulator GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  stop(): Promise<number | null> {
    return this.process.stop();
  }
}

export interface SimIncident {
  id: string;
  routingKey: string;
  dedupKey: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  title: string;
  log: { action: string; outcome: string; via: string; region: string }[];
}

export interface SimRequest {
  region: 'us' | 'eu';
  status: number | null;
  outcome: string;
  routingKey?: string;
  eventAction?: string;
  dedupKey?: string;
  effect?: string;
  body?: { payload?: { summary?: string } };
}

export interface ChannelConfigOptions {
  databaseUrl: string;
  brokers: string;
  simulator?: Simulator;
  credentialKeys?: string;
  env?: Record<string, string>;
  label?: string;
}

/** channel-config as deployed: `node dist/apps/channel-config/main.js`, env only. */
export async function startChannelConfig(options: ChannelConfigOptions): Promise<ServiceProcess> {
  const port = await freePort();
  return ServiceProcess.start('channel-config', {
    env: channelConfigEnv(options, port),
    port,
    label: options.label ? `${options.label}-${Date.now()}` : undefined,
  });
}

/** The re-seal command; resolves once it exited, with its JSON report if it printed one. */
export async function runReseal(
  options: ChannelConfigOptions,
): Promise<{ report?: ResealReport; process: ServiceProcess; exitCode: number | null }> {
  const process = await ServiceProcess.start('channel-config', {
    env: channelConfigEnv(options),
    args: ['reseal'],
    readyPath: false,
  });
  const exitCode = await process.exited;
  const line = process.logs
    .split('\n')
    .map((l) => l.trim())
    .reverse()
    .find((l) => l.startsWith('{') && l.includes('"changed"'));
  return { report: line ? (JSON.parse(line) as ResealReport) : undefined, process, exitCode };
}

export interface ResealReport {
  scanned: number;
  changed: number;
  failed: { id: string; reason: string }[];
}

function channelConfigEnv(options: ChannelConfigOptions, port?: number): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.brokers,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    PUBLIC_WEBHOOK_BASE_URL,
    ...(port === undefined ? {} : { PORT: String(port) }),
    LOG_LEVEL: 'debug',
    OUTBOX_POLL_MS: '100',
    ...(options.credentialKeys ? { CREDENTIAL_KEYS: options.credentialKeys } : {}),
    ...(options.simulator?.serviceEnv ?? {}),
    ...(options.env ?? {}),
  };
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  text: string;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * The channels API as a browser would call it. Every response text is kept, so a suite can
 * prove that no secret ever came back in any answer.
 */
export class ChannelApi {
  readonly responses: string[] = [];

  constructor(readonly baseUrl: string) {}

  static path(workspaceId: string, id?: string, sub?: string): string {
    return `/v1/workspaces/${workspaceId}/channels${id ? `/${id}` : ''}${sub ? `/${sub}` : ''}`;
  }

  /** A request with `Authorization: Bearer <token for workspaceId>`. */
  as<T = ChannelBody>(
    workspaceId: string,
    method: Method,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>> {
    return this.raw<T>(method, path, {
      headers: { authorization: `Bearer ${tokenFor(workspaceId)}` },
      body,
    });
  }

  async raw<T = unknown>(
    method: Method,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    this.responses.push(text);
    return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as T };
  }

  create(workspaceId: string, body: Record<string, unknown>): Promise<ApiResponse<ChannelBody>> {
    return this.as(workspaceId, 'POST', ChannelApi.path(workspaceId), body);
  }

  get(workspaceId: string, id: string): Promise<ApiResponse<ChannelBody>> {
    return this.as(workspaceId, 'GET', ChannelApi.path(workspaceId, id));
  }

  sendTest(workspaceId: string, id: string): Promise<ApiResponse<SendTestBody>> {
    return this.as<SendTestBody>(workspaceId, 'POST', ChannelApi.path(workspaceId, id, 'test'));
  }

  setSigningSecret(workspaceId: string, id: string, signingSecret: string) {
    return this.as<undefined>(
      workspaceId,
      'PUT',
      ChannelApi.path(workspaceId, id, 'signing-secret'),
      {
        signingSecret,
      },
    );
  }
}

export interface ChannelBody {
  id: string;
  workspaceId: string;
  type: string;
  name: string;
  routingKeyHint: string;
  region: string;
  mode: string;
  severityFloor: string;
  quietHours: { start: string; end: string; timezone: string } | null;
  hourlyCap: number | null;
  twoWaySync: {
    enabled: boolean;
    webhookUrl: string | null;
    signingSecretSet: boolean;
    verifiedAt: string | null;
  };
  encryptedAtRest: boolean;
  credentials: {
    usable: boolean;
    problems: { secret: 'routingKey' | 'signingSecret'; problem: string }[];
  };
  createdAt: string;
  updatedAt: string;
  // Error answers share the type, so assertions read naturally.
  statusCode?: number;
  message?: string | string[];
}

export interface SendTestStep {
  status: number | null;
  message: string;
  errors?: string[];
}

export interface SendTestBody {
  ok: boolean;
  dedupKey: string;
  trigger: SendTestStep;
  resolve: SendTestStep | null;
}
