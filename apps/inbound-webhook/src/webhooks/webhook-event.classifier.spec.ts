import fc from 'fast-check';
import {
  makeIncidentWebhook,
  makePingWebhook,
  PAGERDUTY_TEST_VECTOR,
} from '../testing/pagerduty-webhook.factory';
import { classifyWebhookEvent, type WebhookClassification } from './webhook-event.classifier';

const NOW = new Date('2026-12-04T10:00:00.000Z');
const HOUR = 3_600_000;
const options = { now: NOW, maxAgeMs: 72 * HOUR };
const at = (msBeforeNow: number) => new Date(NOW.getTime() - msBeforeNow).toISOString();

const classify = (body: unknown): WebhookClassification =>
  classifyWebhookEvent(
    Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    options,
  );

describe('classifyWebhookEvent', () => {
  describe('acknowledge and resolve', () => {
    it.each(['incident.acknowledged', 'incident.resolved'] as const)(
      'turns %s with an incident_key into a sync event',
      (eventType) => {
        const body = makeIncidentWebhook({
          eventType,
          eventId: '01EVT',
          incidentKey: 'inc_1',
          incidentId: 'Q1ABC',
          number: 7,
          occurredAt: '2026-12-04T09:59:00.123Z',
        });

        expect(classify(body)).toEqual({
          kind: 'sync',
          type: eventType,
          event: {
            id: '01EVT',
            type: eventType,
            occurredAt: new Date('2026-12-04T09:59:00.123Z'),
            incidentKey: 'inc_1',
          },
          incident: {
            key: 'inc_1',
            occurredAt: '2026-12-04T09:59:00.123Z',
            pagerdutyIncidentId: 'Q1ABC',
            number: 7,
            htmlUrl: 'https://acme.pagerduty.com/incidents/Q1ABC',
            actor: { id: 'PUSER01', name: 'Jane Doe', type: 'user_reference' },
          },
        });
      },
    );

    it('keeps the agent type of a change made through the API (our own outbound-pager)', () => {
      const body = makeIncidentWebhook({
        incidentKey: 'inc_1',
        agent: { id: 'PSVC001', type: 'service_reference', summary: 'AxioRank' },
      });

      const sut = classify(body);

      expect(sut.kind).toBe('sync');
      if (sut.kind === 'sync') {
        expect(sut.incident.actor).toEqual({
          id: 'PSVC001',
          name: 'AxioRank',
          type: 'service_reference',
        });
      }
    });

    it.each([
      ['null', null],
      ['without an id', { type: 'user_reference', summary: 'x' }],
      ['not an object', 'PUSER01'],
    ])('has a null actor when the agent is %s', (_, agent) => {
      const sut = classify(makeIncidentWebhook({ incidentKey: 'inc_1', agent: agent as never }));

      expect(sut.kind === 'sync' && sut.incident.actor).toBeNull();
    });

    it('leaves out an unusable number or URL instead of dropping the event', () => {
      const body = makeIncidentWebhook({ incidentKey: 'inc_1' });
      const data = body.event.data as Record<string, unknown>;
      data.number = -1.5;
      data.html_url = 'javascript:alert(1)';

      const sut = classify(body);

      expect(sut.kind).toBe('sync');
      if (sut.kind === 'sync') {
        expect(sut.incident.number).toBeUndefined();
        expect(sut.incident.htmlUrl).toBeUndefined();
      }
    });

    it.each([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
    ])('ignores an incident whose incident_key is %s (not one AxioRank opened)', (_, key) => {
      const body = makeIncidentWebhook({});
      if (key !== undefined) (body.event.data as Record<string, unknown>).incident_key = key;

      expect(classify(body)).toMatchObject({ kind: 'ignored', reason: 'no_incident_key' });
    });

    it.each([
      ['a number key', { incident_key: 42 }],
      ['a key longer than a dedup_key', { incident_key: 'k'.repeat(256) }],
      ['a key with NUL', { incident_key: 'inc\u00001' }],
      ['no incident id', { incident_key: 'inc_1', id: undefined }],
    ])('ignores an incident with %s as invalid', (_, patch) => {
      const body = makeIncidentWebhook({ incidentKey: 'x' });
      Object.assign(body.event.data as Record<string, unknown>, patch);

      expect(classify(body)).toMatchObject({ kind: 'ignored', reason: 'invalid_payload' });
    });

    it.each(['yesterday', '2026-12-04', '0001-01-01T00:00:00Z', undefined])(
      'ignores an acknowledge whose occurred_at is %s as invalid',
      (occurredAt) => {
        const body = makeIncidentWebhook({ incidentKey: 'inc_1' });
        body.event.occurred_at = occurredAt;

        expect(classify(body)).toMatchObject({ kind: 'ignored', reason: 'invalid_payload' });
      },
    );

    it('ignores an event older than the window and accepts one just inside it', () => {
      const stale = makeIncidentWebhook({ incidentKey: 'inc_1', occurredAt: at(72 * HOUR + 1) });
      const fresh = makeIncidentWebhook({ incidentKey: 'inc_1', occurredAt: at(72 * HOUR) });

      expect(classify(stale)).toMatchObject({ kind: 'ignored', reason: 'stale' });
      expect(classify(fresh).kind).toBe('sync');
    });
  });

  describe('other events', () => {
    it('recognises the ping', () => {
      expect(classify(makePingWebhook({ eventId: 'P1' }))).toMatchObject({
        kind: 'ping',
        event: { id: 'P1', type: 'pagey.ping', incidentKey: null },
      });
    });

    it('ignores a stale ping', () => {
      expect(classify(makePingWebhook({ occurredAt: at(73 * HOUR) }))).toMatchObject({
        kind: 'ignored',
        reason: 'stale',
      });
    });

    it("ignores PagerDuty's test vector (incident.priority_updated) by event type", () => {
      expect(classify(PAGERDUTY_TEST_VECTOR.body)).toEqual({
        kind: 'ignored',
        reason: 'event_type',
        event: {
          id: '01BWDWL3NYY7LUFPZCC28QUCMK',
          type: 'incident.priority_updated',
          occurredAt: new Date('2021-04-26T17:36:27.458Z'),
          incidentKey: null,
        },
      });
    });

    it.each(['incident.triggered', 'incident.reopened', 'service.updated'])(
      'ignores %s by event type, even with an incident_key',
      (eventType) => {
        expect(classify(makeIncidentWebhook({ eventType, incidentKey: 'inc_1' }))).toMatchObject({
          kind: 'ignored',
          reason: 'event_type',
        });
      },
    );
  });

  describe('malformed bodies', () => {
    it.each([
      ['empty', ''],
      ['not JSON', 'event=1'],
      ['a JSON array', '[]'],
      ['JSON null', 'null'],
      ['no event', '{"data":{}}'],
      ['event not an object', '{"event":"x"}'],
      ['no event.id', '{"event":{"event_type":"pagey.ping"}}'],
      ['an empty event.id', '{"event":{"id":"","event_type":"pagey.ping"}}'],
      ['a numeric event.id', '{"event":{"id":5,"event_type":"pagey.ping"}}'],
      ['an event.id with NUL', '{"event":{"id":"a\\u0000b","event_type":"pagey.ping"}}'],
      ['no event_type', '{"event":{"id":"E1"}}'],
    ])('calls a body that is %s malformed', (_, body) => {
      expect(classify(body).kind).toBe('malformed');
    });

    it('calls invalid UTF-8 malformed', () => {
      const body = Buffer.concat([Buffer.from('{"event":{"id":"'), Buffer.from([0xc3, 0x28])]);

      expect(classifyWebhookEvent(body, options).kind).toBe('malformed');
    });
  });

  it('never throws, whatever the bytes or JSON', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
          fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '')),
          fc
            .record({
              id: fc.anything(),
              event_type: fc.oneof(
                fc.constantFrom('incident.acknowledged', 'incident.resolved', 'pagey.ping'),
                fc.anything(),
              ),
              occurred_at: fc.oneof(
                fc.date().map((d) => (isNaN(d.getTime()) ? 'x' : d.toISOString())),
                fc.anything(),
              ),
              agent: fc.anything(),
              data: fc.oneof(
                fc.record({
                  incident_key: fc.anything(),
                  id: fc.anything(),
                  number: fc.anything(),
                }),
                fc.anything(),
              ),
            })
            .map((event) => Buffer.from(JSON.stringify({ event }) ?? '')),
        ),
        (body) => {
          const sut = classifyWebhookEvent(body, options);
          expect(['malformed', 'ping', 'sync', 'ignored']).toContain(sut.kind);
        },
      ),
      { numRuns: 500 },
    );
  });
});
