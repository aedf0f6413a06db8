// Messages and requests the benches send, shaped as the contracts in libs/contracts and
// libs/pagerduty define them (channel snapshot, incident event, PagerDuty V3 webhook).
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

export const TOPICS = {
  incidents: 'axiorank.incidents.v1',
  channels: 'axiorank.channels.v1',
};

// The topics the bench writes to before any service has created them, as libs/contracts
// specifies them (partitions, compaction), each with its dead-letter topic.
export const TOPIC_SPECS = [
  { topic: TOPICS.incidents, numPartitions: 6 },
  { topic: `${TOPICS.incidents}.dlq`, numPartitions: 1 },
  {
    topic: TOPICS.channels,
    numPartitions: 3,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
  },
  { topic: `${TOPICS.channels}.dlq`, numPartitions: 1 },
];

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 32 letters and digits, the shape of a PagerDuty routing key. */
export function routingKey() {
  const bytes = randomBytes(32);
  return Array.from(bytes, (b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

/**
 * A channel as channel-config publishes it on the compacted channel topic (key = channel id).
 * Without CREDENTIAL_KEYS the routing key and signing secret travel as legacy plaintext.
 */
export function channelSnapshot({ workspaceId, key = routingKey(), signingSecret = null }) {
  const now = new Date().toISOString();
  const channel = {
    id: randomUUID(),
    workspaceId,
    type: 'pagerduty',
    name: `bench ${workspaceId}`,
    region: 'us',
    mode: 'incidents',
    severityFloor: 'low',
    quietHours: null,
    hourlyCap: null,
    routingKey: key,
    routingKeyHint: `…${key.slice(-4)}`,
    twoWaySync: {
      enabled: signingSecret !== null,
      signingSecret,
      verifiedAt: signingSecret !== null ? now : null,
    },
    createdAt: now,
    updatedAt: now,
  };
  return {
    channel,
    message: {
      key: channel.id,
      value: JSON.stringify({
        eventId: randomUUID(),
        type: 'channel.snapshot',
        occurredAt: now,
        version: 1,
        channel,
      }),
    },
  };
}

/** An `axiorank.incidents.v1` record (key = incident id), origin AxioRank. */
export function incidentMessage({ workspaceId, incidentId, type = 'incident.opened' }) {
  const event = {
    eventId: randomUUID(),
    type,
    occurredAt: new Date().toISOString(),
    workspaceId,
    incident: {
      id: incidentId,
      title: `Agent exfiltrating CRM records (${incidentId})`,
      severity: 'critical',
      status: type === 'incident.resolved' ? 'resolved' : 'open',
      alertCount: 17,
      blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
      recommendedActions: ["Revoke the agent's token", 'Block tool crm.export'],
    },
  };
  if (type === 'incident.resolved') event.resolution = { reason: 'manual' };
  return {
    key: incidentId,
    value: JSON.stringify(event),
    headers: { 'x-axiorank-origin': 'axiorank', 'x-correlation-id': event.eventId },
  };
}

/** `v1=<hex HMAC-SHA256>` of the exact body bytes, as PagerDuty signs V3 webhooks. */
export function sign(body, secret) {
  return `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A signing secret shaped like PagerDuty's (64 base64 characters). */
export function signingSecret() {
  return randomBytes(48).toString('base64');
}

let webhookSeq = 0;

/**
 * A PagerDuty V3 `incident.acknowledged` webhook of about 1 KB with a fresh event id (the
 * receiver de-duplicates on it), as its exact bytes.
 */
export function webhookBody() {
  webhookSeq += 1;
  const id = `Q${randomBytes(7).toString('hex').slice(0, 13).toUpperCase()}`;
  const eventId = `01${randomBytes(12).toString('hex').toUpperCase()}`;
  const body = {
    event: {
      id: eventId,
      event_type: 'incident.acknowledged',
      resource_type: 'incident',
      occurred_at: new Date().toISOString(),
      agent: {
        id: 'PUSER01',
        type: 'user_reference',
        summary: 'Jane Doe',
        self: 'https://api.pagerduty.com/users/PUSER01',
        html_url: 'https://acme.pagerduty.com/users/PUSER01',
      },
      client: null,
      data: {
        id,
        type: 'incident',
        self: `https://api.pagerduty.com/incidents/${id}`,
        html_url: `https://acme.pagerduty.com/incidents/${id}`,
        number: webhookSeq,
        status: 'acknowledged',
        incident_key: `inc_bench_${webhookSeq}`,
        created_at: new Date(Date.now() - 60_000).toISOString(),
        title: 'Agent exfiltrating CRM records through the support bot export tool',
        service: {
          id: 'PSVC001',
          type: 'service_reference',
          summary: 'AxioRank',
          self: 'https://api.pagerduty.com/services/PSVC001',
          html_url: 'https://acme.pagerduty.com/services/PSVC001',
        },
        assignees: [],
        escalation_policy: {
          id: 'PEP0001',
          type: 'escalation_policy_reference',
          summary: 'Default',
        },
        teams: [],
        priority: null,
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
      },
    },
  };
  return Buffer.from(JSON.stringify(body));
}
