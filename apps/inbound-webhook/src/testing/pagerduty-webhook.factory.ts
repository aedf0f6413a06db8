import { randomUUID } from 'node:crypto';

/** Test data only: PagerDuty V3 webhook bodies shaped as PagerDuty sends them. */
export interface WebhookBodyOptions {
  eventId?: string;
  eventType?: string;
  occurredAt?: string;
  incidentKey?: string | null;
  incidentId?: string;
  number?: number;
  agent?: Record<string, unknown> | null;
}

const pagerDutyId = (): string => `Q${randomUUID().replace(/-/g, '').slice(0, 13).toUpperCase()}`;

/** An `incident.*` webhook body (an object; `JSON.stringify` it to send). */
export function makeIncidentWebhook(options: WebhookBodyOptions = {}): {
  event: Record<string, unknown>;
} {
  const incidentId = options.incidentId ?? pagerDutyId();
  const data: Record<string, unknown> = {
    id: incidentId,
    type: 'incident',
    self: `https://api.pagerduty.com/incidents/${incidentId}`,
    html_url: `https://acme.pagerduty.com/incidents/${incidentId}`,
    number: options.number ?? 42,
    status: options.eventType === 'incident.resolved' ? 'resolved' : 'acknowledged',
    created_at: new Date(Date.now() - 60_000).toISOString(),
    title: 'Agent exfiltrating CRM records',
    service: { id: 'PSVC001', type: 'service_reference', summary: 'AxioRank' },
    assignees: [],
    escalation_policy: { id: 'PEP0001', type: 'escalation_policy_reference', summary: 'Default' },
    teams: [],
    priority: null,
    urgency: 'high',
    conference_bridge: null,
    resolve_reason: null,
  };
  if (options.incidentKey !== undefined) data.incident_key = options.incidentKey;
  return {
    event: {
      id: options.eventId ?? `01${randomUUID().replace(/-/g, '').slice(0, 24).toUpperCase()}`,
      event_type: options.eventType ?? 'incident.acknowledged',
      resource_type: 'incident',
      occurred_at: options.occurredAt ?? new Date().toISOString(),
      agent:
        options.agent === undefined
          ? {
              id: 'PUSER01',
              type: 'user_reference',
              summary: 'Jane Doe',
              self: 'https://api.pagerduty.com/users/PUSER01',
              html_url: 'https://acme.pagerduty.com/users/PUSER01',
            }
          : options.agent,
      client: null,
      data,
    },
  };
}

/** PagerDuty's test ping. */
export function makePingWebhook(options: Pick<WebhookBodyOptions, 'eventId' | 'occurredAt'> = {}): {
  event: Record<string, unknown>;
} {
  return {
    event: {
      id: options.eventId ?? `01${randomUUID().replace(/-/g, '').slice(0, 24).toUpperCase()}`,
      event_type: 'pagey.ping',
      resource_type: 'pagey',
      occurred_at: options.occurredAt ?? new Date().toISOString(),
      agent: null,
      client: null,
      data: { message: 'Hello from your friend Pagey!', type: 'ping' },
    },
  };
}

/** PagerDuty's public signature test vector (go-pagerduty `webhookv3`), copied as literals. */
export const PAGERDUTY_TEST_VECTOR = {
  secret: 'lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK',
  body: '{"event":{"id":"01BWDWL3NYY7LUFPZCC28QUCMK","event_type":"incident.priority_updated","resource_type":"incident","occurred_at":"2021-04-26T17:36:27.458Z","agent":{"html_url":"https://acme.pagerduty.com/users/PLH1HKV","id":"PLH1HKV","self":"https://api.pagerduty.com/users/PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},"client":null,"data":{"id":"PGR0VU2","type":"incident","self":"https://api.pagerduty.com/incidents/PGR0VU2","html_url":"https://acme.pagerduty.com/incidents/PGR0VU2","number":2,"status":"triggered","title":"A little bump in the road","service":{"html_url":"https://acme.pagerduty.com/services/PF9KMXH","id":"PF9KMXH","self":"https://api.pagerduty.com/services/PF9KMXH","summary":"API Service","type":"service_reference"},"assignees":[{"html_url":"https://acme.pagerduty.com/users/PTUXL6G","id":"PTUXL6G","self":"https://api.pagerduty.com/users/PTUXL6G","summary":"User 123","type":"user_reference"}],"escalation_policy":{"html_url":"https://acme.pagerduty.com/escalation_policies/PUS0KTE","id":"PUS0KTE","self":"https://api.pagerduty.com/escalation_policies/PUS0KTE","summary":"Default","type":"escalation_policy_reference"},"teams":[{"html_url":"https://acme.pagerduty.com/teams/PFCVPS0","id":"PFCVPS0","self":"https://api.pagerduty.com/teams/PFCVPS0","summary":"Engineering","type":"team_reference"}],"priority":{"html_url":"https://acme.pagerduty.com/account/incident_priorities","id":"PSO75BM","self":"https://api.pagerduty.com/priorities/PSO75BM","summary":"P1","type":"priority_reference"},"urgency":"high","conference_bridge":{"conference_number":1000,"conference_url":"https://example.com"},"resolve_reason":null}}}',
  validSignature: 'v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd',
  mismatchedSignature: 'v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5',
} as const;
