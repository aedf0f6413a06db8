import {
  PAGERDUTY_PING_MESSAGE,
  type PagerDutyIncidentEventType,
  type PagerDutyReference,
  type PagerDutyWebhookEnvelope,
} from '@app/pagerduty';
import type { SimulatorIncident, SimulatorService, SimulatorUser } from './simulator.types';

export const API_BASE_URL = 'https://api.pagerduty.com';
export const DEFAULT_ESCALATION_POLICY = { id: 'PSIMEP1', name: 'Default' };
export const DEFAULT_RESPONDER: SimulatorUser = { id: 'PSIMUSR', name: 'Simulated Responder' };

export function userReference(user: SimulatorUser, htmlBase: string): PagerDutyReference {
  return {
    id: user.id,
    type: 'user_reference',
    summary: user.name,
    self: `${API_BASE_URL}/users/${user.id}`,
    html_url: `${htmlBase}/users/${user.id}`,
  };
}

export function serviceReference(service: SimulatorService, htmlBase: string): PagerDutyReference {
  return {
    id: service.id,
    type: 'service_reference',
    summary: service.name,
    self: `${API_BASE_URL}/services/${service.id}`,
    html_url: `${htmlBase}/_sim/services/${service.id}`,
  };
}

export function incidentEnvelope(input: {
  eventId: string;
  eventType: PagerDutyIncidentEventType;
  occurredAt: string;
  incident: SimulatorIncident;
  service: SimulatorService;
  agent: PagerDutyReference | null;
  htmlBase: string;
}): PagerDutyWebhookEnvelope {
  const { incident, service, htmlBase } = input;
  const policy = DEFAULT_ESCALATION_POLICY;
  return {
    event: {
      id: input.eventId,
      event_type: input.eventType,
      resource_type: 'incident',
      occurred_at: input.occurredAt,
      agent: input.agent,
      client: null,
      data: {
        id: incident.id,
        type: 'incident',
        self: `${API_BASE_URL}/incidents/${incident.id}`,
        html_url: incident.htmlUrl,
        number: incident.number,
        status: incident.status,
        incident_key: incident.dedupKey,
        created_at: incident.createdAt,
        title: incident.title,
        service: serviceReference(service, htmlBase),
        assignees: [],
        escalation_policy: {
          id: policy.id,
          type: 'escalation_policy_reference',
          summary: policy.name,
          self: `${API_BASE_URL}/escalation_policies/${policy.id}`,
          html_url: `${htmlBase}/escalation_policies/${policy.id}`,
        },
        teams: [],
        priority: null,
        urgency: incident.urgency,
        conference_bridge: null,
        resolve_reason: null,
      },
    },
  };
}

export function pingEnvelope(eventId: string, occurredAt: string): PagerDutyWebhookEnvelope {
  return {
    event: {
      id: eventId,
      event_type: 'pagey.ping',
      resource_type: 'pagey',
      occurred_at: occurredAt,
      agent: null,
      client: null,
      data: { message: PAGERDUTY_PING_MESSAGE, type: 'ping' },
    },
  };
}
