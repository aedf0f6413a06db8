import { ulid } from './ids';
import type { SimulatorStore } from './simulator-store';
import type {
  SimulatorIncident,
  SimulatorUser,
  WebhookDelivery,
  WebhookEventType,
  WebhookSubscription,
} from './simulator.types';
import type { WebhookDispatcher } from './webhook-dispatcher';
import {
  incidentEnvelope,
  pingEnvelope,
  serviceReference,
  userReference,
} from './webhook-payloads';

export type WebhookActor = { kind: 'user'; user: SimulatorUser } | { kind: 'integration' };

/** Turns incident changes into webhook deliveries for the service's subscriptions. */
export class IncidentWebhooks {
  constructor(
    private readonly store: SimulatorStore,
    private readonly dispatcher: WebhookDispatcher,
    private readonly htmlBase: () => string,
    private readonly clock: () => number,
  ) {}

  incidentChanged(
    incident: SimulatorIncident,
    eventType: WebhookEventType,
    actor: WebhookActor,
  ): WebhookDelivery[] {
    if (eventType === 'pagey.ping') {
      return [];
    }
    const service = this.store.getService(incident.serviceId);
    const subscribers = this.store.listSubscriptions(service.id).filter(
      (subscription) =>
        subscription.events.includes(eventType) &&
        // Triggers always come from the integration; the switch is about ack/resolve echoes.
        (actor.kind === 'user' ||
          eventType === 'incident.triggered' ||
          subscription.includeIntegrationActions),
    );
    const occurredAt = this.isoNow();
    const agent =
      actor.kind === 'user'
        ? userReference(actor.user, this.htmlBase())
        : serviceReference(service, this.htmlBase());
    return subscribers.map((subscription) =>
      this.dispatcher.dispatch(
        subscription,
        incidentEnvelope({
          eventId: ulid(this.clock()),
          eventType: eventType,
          occurredAt,
          incident,
          service,
          agent,
          htmlBase: this.htmlBase(),
        }),
        `${subscription.id}:${incident.id}`,
      ),
    );
  }

  ping(subscription: WebhookSubscription): WebhookDelivery {
    const eventId = ulid(this.clock());
    return this.dispatcher.dispatch(
      subscription,
      pingEnvelope(eventId, this.isoNow()),
      `${subscription.id}:ping:${eventId}`,
    );
  }

  private isoNow(): string {
    return new Date(this.clock()).toISOString();
  }
}
