import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import {
  makeAlertEvent,
  makeChannelSnapshot,
  makeIncidentEvent,
  makeIncidentSyncEvent,
  makeWebhookVerification,
  parseMessage,
  serializeMessage,
  TOPICS,
  type Topic,
} from '@app/contracts';

const SOURCE = readFileSync(join(__dirname, '..', '..', 'docs', 'asyncapi.yaml'), 'utf8');

const samples: Record<Topic, () => object> = {
  [TOPICS.incidents]: () => makeIncidentEvent({ type: 'incident.resolved' }),
  [TOPICS.alerts]: () => makeAlertEvent(),
  [TOPICS.incidentSync]: () => makeIncidentSyncEvent(),
  [TOPICS.channels]: () =>
    makeChannelSnapshot({
      channel: { quietHours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' } },
    }),
  [TOPICS.webhookVerifications]: () => makeWebhookVerification(),
};

/** Every property path of a plain object (nested objects included, arrays not entered). */
function paths(value: object, prefix: string[] = []): string[][] {
  return Object.entries(value).flatMap(([key, v]) => {
    const here = [...prefix, key];
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? [here, ...paths(v as object, here)]
      : [here];
  });
}

function without(value: object, path: string[]): object {
  const copy = structuredClone(value) as Record<string, unknown>;
  let cursor = copy;
  for (const key of path.slice(0, -1)) cursor = cursor[key] as Record<string, unknown>;
  delete cursor[path[path.length - 1]];
  return copy;
}

describe('docs/asyncapi.yaml, checked against @app/contracts', () => {
  let payloadSchemas: Map<string, object>;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));

  beforeAll(async () => {
    const { document, diagnostics } = await new Parser().parse(SOURCE);
    const errors = diagnostics.filter(
      (d) => Number(d.severity) === Number(DiagnosticSeverity.Error),
    );
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([]);
    payloadSchemas = new Map();
    for (const channel of document!.channels()) {
      const [message] = channel.messages().all();
      payloadSchemas.set(channel.address()!, message.payload()!.json<object>());
    }
  });

  it('documents every topic of the contract, and no other', () => {
    expect([...payloadSchemas.keys()].sort()).toEqual(Object.values(TOPICS).sort());
  });

  it.each(Object.values(TOPICS))(
    'a contract-valid %s message is valid against the document',
    (topic) => {
      const sample = samples[topic]();
      expect(parseMessage(topic, serializeMessage(sample as never)).ok).toBe(true);
      const validate = ajv.compile(payloadSchemas.get(topic)!);
      expect(validate(JSON.parse(serializeMessage(sample as never)))).toBe(true);
    },
  );

  it.each(Object.values(TOPICS))(
    '%s: the document and the contract require the same fields',
    (topic) => {
      const sample = JSON.parse(serializeMessage(samples[topic]() as never)) as object;
      const validate = ajv.compile(payloadSchemas.get(topic)!);
      for (const path of paths(sample)) {
        const broken = without(sample, path);
        expect({ path: path.join('.'), documented: validate(broken) }).toEqual({
          path: path.join('.'),
          documented: parseMessage(topic, JSON.stringify(broken)).ok,
        });
      }
    },
  );

  it('agrees with the contract on severities and event types for arbitrary strings', () => {
    const validate = ajv.compile(payloadSchemas.get(TOPICS.incidents)!);
    fc.assert(
      fc.property(fc.string(), fc.string(), (severity, type) => {
        const event = { ...makeIncidentEvent({ type: 'incident.opened' }) } as Record<
          string,
          unknown
        >;
        event.type = type;
        (event.incident as Record<string, unknown>).severity = severity;
        const json = JSON.stringify(event);
        expect(validate(JSON.parse(json))).toBe(parseMessage(TOPICS.incidents, json).ok);
      }),
      { numRuns: 300 },
    );
  });
});
