import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArrivalRecorder } from './arrival-recorder';
import { isWellFormedRoutingKey } from './enqueue.validator';
import type { FaultInjector } from './fault-injector';
import { HttpError } from './http-error';
import {
  isRecord,
  optionalBoolean,
  optionalInteger,
  optionalString,
  optionalStringArray,
  parseJsonObject,
  readBody,
  sendJson,
} from './http-kit';
import { signingSecret } from './ids';
import type { IncidentWebhooks } from './incident-webhooks';
import type { SimulatorStore } from './simulator-store';
import type { FaultSettings, SimulatorUser, WebhookEventType } from './simulator.types';
import type { WebhookDispatcher } from './webhook-dispatcher';
import { DEFAULT_RESPONDER } from './webhook-payloads';

const ADMIN_BODY_MAX = 1024 * 1024;
const EVENT_TYPES: readonly WebhookEventType[] = [
  'incident.triggered',
  'incident.acknowledged',
  'incident.resolved',
  'pagey.ping',
];
const DEFAULT_EVENT_TYPES: WebhookEventType[] = ['incident.acknowledged', 'incident.resolved'];

interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: () => Promise<Record<string, unknown>>;
}

type Handler = (ctx: RouteContext) => Promise<[number, unknown]> | [number, unknown];

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

export interface AdminDependencies {
  store: SimulatorStore;
  dispatcher: WebhookDispatcher;
  webhooks: IncidentWebhooks;
  faults: FaultInjector;
  arrivals: ArrivalRecorder;
  reset: () => void;
  mode: 'full' | 'fast';
}

/** The `/_sim/*` registration and inspection API (JSON in, JSON out). */
export class SimulatorAdminApi {
  private readonly routes: Route[];

  constructor(private readonly deps: AdminDependencies) {
    this.routes = this.buildRoutes();
  }

  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const matching = this.routes.filter((route) => route.pattern.test(path));
    const route = matching.find((candidate) => candidate.method === method);
    if (route === undefined) {
      throw new HttpError(matching.length > 0 ? 405 : 404, `No route ${method} ${path}`);
    }
    const params = (route.pattern.exec(path) ?? []).slice(1).map(decodeURIComponent);
    const body = async (): Promise<Record<string, unknown>> =>
      parseJsonObject(await readBody(req, ADMIN_BODY_MAX));
    const [status, payload] = await route.handler({ params, query, body });
    sendJson(res, status, payload);
  }

  private buildRoutes(): Route[] {
    const { store, dispatcher, webhooks, faults, arrivals } = this.deps;
    const id = '([^/]+)';
    const route = (method: string, path: string, handler: Handler): Route => ({
      method,
      pattern: new RegExp(`^/_sim${path}$`),
      handler,
    });
    return [
      route('GET', '/health', () => [200, { ok: true, mode: this.deps.mode }]),
      route('POST', '/reset', () => {
        this.deps.reset();
        return [200, { ok: true }];
      }),
      route('GET', '/stats', () => [200, this.stats()]),

      route('GET', '/services', () => [200, store.listServices()]),
      route('POST', '/services', async ({ body }) => {
        const input = await body();
        const routingKey = optionalString(input, 'routingKey');
        if (routingKey !== undefined && !isWellFormedRoutingKey(routingKey)) {
          throw new HttpError(400, 'routingKey must be 32 letters or digits');
        }
        const { service, created } = store.registerService({
          name: optionalString(input, 'name'),
          routingKey,
        });
        return [created ? 201 : 200, service];
      }),
      route('GET', `/services/${id}`, ({ params }) => {
        const service = store.getService(params[0]);
        return [200, { ...service, subscriptions: store.listSubscriptions(service.id) }];
      }),
      route('POST', `/services/${id}/webhooks`, async ({ params, body }) => {
        const service = store.getService(params[0]);
        const input = await body();
        const url = optionalString(input, 'url');
        if (url === undefined || !/^https?:\/\//.test(url)) {
          throw new HttpError(400, 'url must be an http(s) URL');
        }
        const secrets = optionalStringArray(input, 'secrets') ?? [];
        const single = optionalString(input, 'secret');
        if (single !== undefined && single !== '') {
          secrets.push(single);
        }
        return [
          201,
          store.addSubscription({
            serviceId: service.id,
            url,
            // PagerDuty mints the secret when none is given.
            secrets: secrets.length > 0 ? secrets : [signingSecret()],
            events: eventTypes(input),
            includeIntegrationActions: optionalBoolean(input, 'includeIntegrationActions') ?? true,
            headers: stringRecord(input.headers),
          }),
        ];
      }),

      route('GET', '/subscriptions', ({ query }) => [
        200,
        store.listSubscriptions(query.get('serviceId') ?? undefined),
      ]),
      route('GET', `/subscriptions/${id}`, ({ params }) => [200, store.getSubscription(params[0])]),
      route('DELETE', `/subscriptions/${id}`, ({ params }) => {
        store.deleteSubscription(params[0]);
        return [200, { ok: true }];
      }),
      route('POST', `/subscriptions/${id}/secrets`, async ({ params, body }) => {
        const subscription = store.getSubscription(params[0]);
        const input = await body();
        const exact = optionalStringArray(input, 'secrets');
        if (exact !== undefined) {
          if (exact.length === 0) {
            throw new HttpError(400, 'secrets must not be empty');
          }
          subscription.secrets = [...exact];
        } else {
          const secret = optionalString(input, 'secret') ?? signingSecret();
          const keep = optionalBoolean(input, 'keepExisting') ?? true;
          subscription.secrets = keep ? [...subscription.secrets, secret] : [secret];
        }
        return [200, subscription];
      }),
      route('POST', `/subscriptions/${id}/ping`, ({ params }) => {
        const delivery = webhooks.ping(store.getSubscription(params[0]));
        return [
          202,
          { deliveryId: delivery.id, eventId: delivery.eventId, webhookId: delivery.webhookId },
        ];
      }),
      route('POST', `/subscriptions/${id}/enable`, ({ params }) => {
        const subscription = store.getSubscription(params[0]);
        subscription.disabledUntil = null;
        subscription.consecutiveDrops = 0;
        return [200, subscription];
      }),

      route('GET', '/incidents', ({ query }) => [
        200,
        store.listIncidents({
          routingKey: query.get('routingKey') ?? undefined,
          dedupKey: query.get('dedupKey') ?? undefined,
          status: query.get('status') ?? undefined,
          serviceId: query.get('serviceId') ?? undefined,
        }),
      ]),
      route('GET', `/incidents/${id}`, ({ params }) => [200, store.getIncident(params[0])]),
      route('POST', `/incidents/${id}/(acknowledge|resolve)`, async ({ params, body }) => {
        const incident = store.getIncident(params[0]);
        const action = params[1] as 'acknowledge' | 'resolve';
        const user = responder(await body());
        const effect = store.respond(incident, action, user);
        const deliveries =
          effect.webhookEvent === null
            ? []
            : webhooks.incidentChanged(incident, effect.webhookEvent, { kind: 'user', user });
        return [
          200,
          {
            incident,
            changed: effect.outcome !== 'unchanged',
            deliveries: deliveries.map((delivery) => delivery.id),
          },
        ];
      }),

      route('GET', '/requests', ({ query }) => [
        200,
        store.listRequests({
          routingKey: query.get('routingKey') ?? undefined,
          dedupKey: query.get('dedupKey') ?? undefined,
          region: query.get('region') ?? undefined,
        }),
      ]),
      route('GET', '/dropped', () => [200, store.listDropped()]),
      route('GET', '/webhooks', ({ query }) => [
        200,
        dispatcher.list({
          subscriptionId: query.get('subscriptionId') ?? undefined,
          status: query.get('status') ?? undefined,
          incidentId: query.get('incidentId') ?? undefined,
        }),
      ]),
      route('GET', '/arrivals', ({ query }) => [
        200,
        arrivals.arrivalsFor(query.get('dedupKey') ?? undefined),
      ]),

      route('GET', '/faults', () => [200, faults.current()]),
      route('POST', '/faults', async ({ body }) => [
        200,
        faults.update(faultChanges(await body())),
      ]),
      route('DELETE', '/faults', () => {
        faults.clear();
        return [200, faults.current()];
      }),
    ];
  }

  private stats(): Record<string, unknown> {
    const { store, dispatcher, arrivals } = this.deps;
    const requests = store.listRequests();
    const count = <T>(items: T[], keyOf: (item: T) => string): Record<string, number> =>
      items.reduce<Record<string, number>>((acc, item) => {
        const key = keyOf(item);
        acc[key] = (acc[key] ?? 0) + 1;
        return acc;
      }, {});
    return {
      mode: this.deps.mode,
      accepted: arrivals.counters(),
      requests: {
        total: requests.length,
        byOutcome: count(requests, (record) => record.outcome),
        byRegion: count(requests, (record) => record.region),
      },
      incidents: count(store.listIncidents(), (incident) => incident.status),
      dropped: store.listDropped().length,
      webhooks: {
        pending: dispatcher.pendingCount(),
        byStatus: count(dispatcher.list(), (delivery) => delivery.status),
      },
    };
  }
}

function eventTypes(input: Record<string, unknown>): WebhookEventType[] {
  const requested = optionalStringArray(input, 'events');
  if (requested === undefined) {
    return [...DEFAULT_EVENT_TYPES];
  }
  const unknown = requested.filter((type) => !(EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length > 0) {
    throw new HttpError(400, `Unknown event types: ${unknown.join(', ')}`);
  }
  return requested as WebhookEventType[];
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === undefined || value === null) {
    return {};
  }
  if (!isRecord(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw new HttpError(400, 'headers must be an object of strings');
  }
  return value as Record<string, string>;
}

function responder(input: Record<string, unknown>): SimulatorUser {
  const user = input.user;
  if (user === undefined || user === null) {
    return DEFAULT_RESPONDER;
  }
  if (!isRecord(user)) {
    throw new HttpError(400, 'user must be an object { id, name }');
  }
  return {
    id: optionalString(user, 'id') ?? DEFAULT_RESPONDER.id,
    name: optionalString(user, 'name') ?? DEFAULT_RESPONDER.name,
  };
}

function faultChanges(input: Record<string, unknown>): Partial<FaultSettings> {
  const changes: Partial<FaultSettings> = {};
  const failNext = optionalInteger(input, 'failNext', 0, 1_000_000);
  const status = optionalInteger(input, 'status', 400, 599);
  const latencyMs = optionalInteger(input, 'latencyMs', 0, 600_000);
  const hangNext = optionalInteger(input, 'hangNext', 0, 1_000_000);
  const retryAfterSeconds = optionalInteger(input, 'retryAfterSeconds', 0, 86_400);
  if (failNext !== undefined) changes.failNext = failNext;
  if (status !== undefined) changes.status = status;
  if (latencyMs !== undefined) changes.latencyMs = latencyMs;
  if (hangNext !== undefined) changes.hangNext = hangNext;
  if (retryAfterSeconds !== undefined) changes.retryAfterSeconds = retryAfterSeconds;
  if (input.retryAfterSeconds === null) changes.retryAfterSeconds = null;
  return changes;
}
