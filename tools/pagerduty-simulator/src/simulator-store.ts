import type { EventAction, Region } from '@app/pagerduty';
import { HttpError } from './http-error';
import { incidentId, pagerDutyId, routingKey as newRoutingKey } from './ids';
import type {
  DroppedEvent,
  EnqueueRecord,
  IncidentLogEntry,
  IncidentLogOutcome,
  SimulatorIncident,
  SimulatorService,
  SimulatorUser,
  WebhookEventType,
  WebhookSubscription,
} from './simulator.types';

export interface IncidentFilter {
  routingKey?: string;
  dedupKey?: string;
  status?: string;
  serviceId?: string;
}

export interface EventEffect {
  outcome: IncidentLogOutcome;
  incident: SimulatorIncident | null;
  /** The webhook event this change raises, if any. */
  webhookEvent: WebhookEventType | null;
}

interface IncomingEvent {
  region: Region;
  routingKey: string;
  dedupKey: string;
  action: EventAction;
  payload: unknown;
}

/** All simulator state that is not in flight: services, subscriptions, incidents, logs. */
export class SimulatorStore {
  private readonly services = new Map<string, SimulatorService>();
  private readonly serviceByKey = new Map<string, SimulatorService>();
  private readonly subscriptions = new Map<string, WebhookSubscription>();
  private readonly incidents = new Map<string, SimulatorIncident>();
  /** (routing key, dedup key) → its incidents, oldest first; only the last can be open. */
  private readonly incidentsByKey = new Map<string, SimulatorIncident[]>();
  private readonly dropped: DroppedEvent[] = [];
  private readonly requests: EnqueueRecord[] = [];
  private incidentNumber = 0;
  private requestSeq = 0;

  constructor(
    private readonly maxRecords: number,
    private readonly clock: () => number,
    private readonly htmlUrlFor: (incidentId: string) => string,
  ) {}

  reset(): void {
    this.services.clear();
    this.serviceByKey.clear();
    this.subscriptions.clear();
    this.incidents.clear();
    this.incidentsByKey.clear();
    this.dropped.length = 0;
    this.requests.length = 0;
    this.incidentNumber = 0;
    this.requestSeq = 0;
  }

  // --- services -----------------------------------------------------------

  /** Idempotent per routing key: registering a known key returns its service. */
  registerService(
    input: { name?: string; routingKey?: string },
    autoRegistered = false,
  ): { service: SimulatorService; created: boolean } {
    const key = input.routingKey ?? newRoutingKey();
    const existing = this.serviceByKey.get(key);
    if (existing !== undefined) {
      return { service: existing, created: false };
    }
    const id = pagerDutyId('P', 6);
    const service: SimulatorService = {
      id,
      name: input.name ?? `Simulated service ${id}`,
      routingKey: key,
      createdAt: this.isoNow(),
      autoRegistered,
    };
    this.services.set(id, service);
    this.serviceByKey.set(key, service);
    return { service, created: true };
  }

  serviceForKey(routingKey: string): SimulatorService | undefined {
    return this.serviceByKey.get(routingKey);
  }

  getService(id: string): SimulatorService {
    const service = this.services.get(id);
    if (service === undefined) {
      throw new HttpError(404, `No service ${id}`);
    }
    return service;
  }

  listServices(): SimulatorService[] {
    return [...this.services.values()];
  }

  // --- subscriptions --------------------------------------------------------

  addSubscription(
    input: Omit<WebhookSubscription, 'id' | 'createdAt' | 'consecutiveDrops' | 'disabledUntil'>,
  ): WebhookSubscription {
    this.getService(input.serviceId);
    const subscription: WebhookSubscription = {
      ...input,
      id: pagerDutyId('P', 6),
      createdAt: this.isoNow(),
      consecutiveDrops: 0,
      disabledUntil: null,
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  getSubscription(id: string): WebhookSubscription {
    const subscription = this.subscriptions.get(id);
    if (subscription === undefined) {
      throw new HttpError(404, `No webhook subscription ${id}`);
    }
    return subscription;
  }

  deleteSubscription(id: string): void {
    this.getSubscription(id);
    this.subscriptions.delete(id);
  }

  listSubscriptions(serviceId?: string): WebhookSubscription[] {
    return [...this.subscriptions.values()].filter(
      (subscription) => serviceId === undefined || subscription.serviceId === serviceId,
    );
  }

  // --- incidents ------------------------------------------------------------

  getIncident(id: string): SimulatorIncident {
    const incident = this.incidents.get(id);
    if (incident === undefined) {
      throw new HttpError(404, `No incident ${id}`);
    }
    return incident;
  }

  listIncidents(filter: IncidentFilter = {}): SimulatorIncident[] {
    return [...this.incidents.values()].filter(
      (incident) =>
        (filter.routingKey === undefined || incident.routingKey === filter.routingKey) &&
        (filter.dedupKey === undefined || incident.dedupKey === filter.dedupKey) &&
        (filter.status === undefined || incident.status === filter.status) &&
        (filter.serviceId === undefined || incident.serviceId === filter.serviceId),
    );
  }

  /** PagerDuty's dedup rules for one accepted Events API event. */
  applyEvent(event: IncomingEvent, service: SimulatorService): EventEffect {
    const at = this.isoNow();
    const history = this.incidentsByKey.get(compositeKey(event.routingKey, event.dedupKey)) ?? [];
    const latest = history.at(-1);
    const open = latest !== undefined && latest.status !== 'resolved' ? latest : undefined;
    const entry = (outcome: IncidentLogOutcome): IncidentLogEntry => ({
      at,
      action: event.action,
      via: 'events_api',
      outcome,
      region: event.region,
      payload: event.payload,
    });

    switch (event.action) {
      case 'trigger': {
        if (open !== undefined) {
          open.log.push(entry('updated'));
          return { outcome: 'updated', incident: open, webhookEvent: null };
        }
        const incident = this.openIncident(event, service, at);
        incident.log.push(entry('created'));
        history.push(incident);
        this.incidentsByKey.set(compositeKey(event.routingKey, event.dedupKey), history);
        return { outcome: 'created', incident, webhookEvent: 'incident.triggered' };
      }
      case 'acknowledge':
      case 'resolve': {
        if (open === undefined) {
          const reason =
            latest === undefined ? 'no incident for this dedup key' : 'incident already resolved';
          latest?.log.push(entry('dropped'));
          this.pushCapped(this.dropped, {
            at,
            region: event.region,
            routingKey: event.routingKey,
            dedupKey: event.dedupKey,
            action: event.action,
            reason,
            incidentId: latest?.id ?? null,
          });
          return { outcome: 'dropped', incident: latest ?? null, webhookEvent: null };
        }
        const result = this.transition(open, event.action, at);
        open.log.push(entry(result.outcome));
        return result;
      }
    }
  }

  /** A responder acting in PagerDuty's UI. */
  respond(
    incident: SimulatorIncident,
    action: 'acknowledge' | 'resolve',
    user: SimulatorUser,
  ): EventEffect {
    if (incident.status === 'resolved') {
      throw new HttpError(409, `Incident ${incident.id} is already resolved`);
    }
    const at = this.isoNow();
    const result = this.transition(incident, action, at);
    incident.log.push({ at, action, via: 'responder', outcome: result.outcome, user });
    return result;
  }

  listDropped(): DroppedEvent[] {
    return [...this.dropped];
  }

  // --- request log ----------------------------------------------------------

  recordRequest(record: Omit<EnqueueRecord, 'seq'>): EnqueueRecord {
    this.requestSeq += 1;
    const full: EnqueueRecord = { seq: this.requestSeq, ...record };
    this.pushCapped(this.requests, full);
    return full;
  }

  listRequests(
    filter: { routingKey?: string; dedupKey?: string; region?: string } = {},
  ): EnqueueRecord[] {
    return this.requests.filter(
      (record) =>
        (filter.routingKey === undefined || record.routingKey === filter.routingKey) &&
        (filter.dedupKey === undefined || record.dedupKey === filter.dedupKey) &&
        (filter.region === undefined || record.region === filter.region),
    );
  }

  private openIncident(
    event: IncomingEvent,
    service: SimulatorService,
    at: string,
  ): SimulatorIncident {
    const payload = (event.payload ?? {}) as { summary?: unknown; severity?: unknown };
    const id = incidentId();
    this.incidentNumber += 1;
    const incident: SimulatorIncident = {
      id,
      number: this.incidentNumber,
      serviceId: service.id,
      routingKey: event.routingKey,
      dedupKey: event.dedupKey,
      status: 'triggered',
      title: typeof payload.summary === 'string' ? payload.summary : '',
      severity: typeof payload.severity === 'string' ? payload.severity : 'critical',
      urgency: 'high',
      createdAt: at,
      acknowledgedAt: null,
      resolvedAt: null,
      htmlUrl: this.htmlUrlFor(id),
      log: [],
    };
    this.incidents.set(id, incident);
    return incident;
  }

  private transition(
    incident: SimulatorIncident,
    action: 'acknowledge' | 'resolve',
    at: string,
  ): EventEffect {
    if (action === 'acknowledge') {
      if (incident.status === 'acknowledged') {
        return { outcome: 'unchanged', incident, webhookEvent: null };
      }
      incident.status = 'acknowledged';
      incident.acknowledgedAt = at;
      return { outcome: 'acknowledged', incident, webhookEvent: 'incident.acknowledged' };
    }
    incident.status = 'resolved';
    incident.resolvedAt = at;
    return { outcome: 'resolved', incident, webhookEvent: 'incident.resolved' };
  }

  private pushCapped<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > this.maxRecords) {
      list.splice(0, list.length - this.maxRecords);
    }
  }

  private isoNow(): string {
    return new Date(this.clock()).toISOString();
  }
}

function compositeKey(routingKey: string, dedupKey: string): string {
  return `${routingKey}\u0000${dedupKey}`;
}
