import { HEADERS, parseMessage, TOPICS } from '@app/contracts';
import { makeIncidentWebhook, makePingWebhook } from '../testing/pagerduty-webhook.factory';
import { classifyWebhookEvent, type WebhookClassification } from './webhook-event.classifier';
import { type DeliveryContext, planRecord } from './webhook-message.planner';

const NOW = new Date('2026-12-04T10:00:00.000Z');
const context: DeliveryContext = {
  channelId: '5b0c4c36-5f5e-4a47-9d5e-3f2f0b8e9a11',
  workspaceId: 'ws_channel',
  webhookId: 'wh-1',
  correlationId: 'wh-1',
  receivedAt: NOW,
};
const EVENT_ID = '0b3f4d0e-1f7a-4c39-8a55-2b9f1e1f7f00';

function classified(body: unknown): Exclude<WebhookClassification, { kind: 'malformed' }> {
  const result = classifyWebhookEvent(Buffer.from(JSON.stringify(body)), {
    now: NOW,
    maxAgeMs: 3_600_000,
  });
  if (result.kind === 'malformed') throw new Error(result.reason);
  return result;
}

describe('planRecord', () => {
  it('plans an incident-sync message keyed by the incident, from the channel, with origin pagerduty', () => {
    const body = makeIncidentWebhook({
      eventType: 'incident.resolved',
      eventId: 'PD-EVT-1',
      incidentKey: 'inc_7',
      incidentId: 'Q7',
      number: 7,
      occurredAt: '2026-12-04T09:58:00Z',
    });
    // The payload's own idea of a workspace is never used.
    body.event.workspace_id = 'ws_attacker';

    const sut = planRecord(classified(body), context, () => EVENT_ID);

    expect(sut).toMatchObject({ outcome: 'synced', kind: 'sync', messageEventId: EVENT_ID });
    expect(sut.outbox).toHaveLength(1);
    const [entry] = sut.outbox;
    expect(entry.topic).toBe(TOPICS.incidentSync);
    expect(entry.key).toBe('inc_7');
    expect(entry.headers).toEqual({
      [HEADERS.origin]: 'pagerduty',
      [HEADERS.channelId]: context.channelId,
      [HEADERS.correlationId]: 'wh-1',
    });
    expect(JSON.parse(entry.value ?? '')).toEqual({
      eventId: EVENT_ID,
      type: 'incident.resolved',
      occurredAt: '2026-12-04T09:58:00Z',
      workspaceId: 'ws_channel',
      incidentId: 'inc_7',
      channelId: context.channelId,
      source: 'pagerduty',
      pagerduty: {
        eventId: 'PD-EVT-1',
        incidentId: 'Q7',
        incidentNumber: 7,
        htmlUrl: 'https://acme.pagerduty.com/incidents/Q7',
      },
      actor: { id: 'PUSER01', name: 'Jane Doe', type: 'user_reference' },
    });
    expect(parseMessage(TOPICS.incidentSync, entry.value).ok).toBe(true);
  });

  it('plans a webhook verification for a ping, dated when it was received', () => {
    const sut = planRecord(
      classified(makePingWebhook({ eventId: 'PING-1' })),
      context,
      () => EVENT_ID,
    );

    expect(sut).toMatchObject({ outcome: 'verified', kind: 'verification' });
    const [entry] = sut.outbox;
    expect(entry.topic).toBe(TOPICS.webhookVerifications);
    expect(entry.key).toBe(context.channelId);
    expect(JSON.parse(entry.value ?? '')).toEqual({
      eventId: EVENT_ID,
      type: 'channel.webhook_verified',
      occurredAt: NOW.toISOString(),
      workspaceId: 'ws_channel',
      channelId: context.channelId,
      pagerdutyEventId: 'PING-1',
      webhookId: 'wh-1',
    });
  });

  it('leaves out the webhook id when the delivery had none', () => {
    const sut = planRecord(classified(makePingWebhook()), { ...context, webhookId: null });

    expect(JSON.parse(sut.outbox[0].value ?? '')).not.toHaveProperty('webhookId');
  });

  it('plans nothing for an ignored event', () => {
    const sut = planRecord(
      classified(makeIncidentWebhook({ eventType: 'incident.triggered' })),
      context,
    );

    expect(sut).toEqual({
      outcome: 'ignored',
      kind: 'ignored',
      ignoredReason: 'event_type',
      messageEventId: null,
      outbox: [],
    });
  });

  it('ignores, with the reason, an event that cannot make a valid message', () => {
    const sut = planRecord(classified(makeIncidentWebhook({ incidentKey: 'inc_1' })), {
      ...context,
      workspaceId: 'w'.repeat(500),
    });

    expect(sut).toMatchObject({ outcome: 'ignored', ignoredReason: 'invalid_payload', outbox: [] });
    expect(sut.invalidReason).toMatch(/workspaceId/);
  });
});
