import { SEVERITIES } from '@app/severity';
import fc from 'fast-check';
import {
  MAX_DLQ_REASON_LENGTH,
  TOPICS,
  makeAlertEvent,
  makeChannelSnapshot,
  makeIncidentEvent,
  makeIncidentSyncEvent,
  makeWebhookVerification,
  parseMessage,
  serializeMessage,
  type ParseResult,
  type Topic,
} from './index';

const topics = fc.constantFrom(...Object.values(TOPICS));

const factories: Record<Topic, () => object> = {
  [TOPICS.incidents]: () => makeIncidentEvent(),
  [TOPICS.alerts]: () => makeAlertEvent(),
  [TOPICS.incidentSync]: () => makeIncidentSyncEvent(),
  [TOPICS.channels]: () => makeChannelSnapshot(),
  [TOPICS.webhookVerifications]: () => makeWebhookVerification(),
};

/** Every property path of a valid message, objects and leaves: the fields a mutation can hit. */
function propertyPaths(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const isObject = typeof child === 'object' && child !== null && !Array.isArray(child);
    return isObject ? [path, ...propertyPaths(child as object, path)] : [path];
  });
}

function setPath(value: object, path: string, replacement: unknown): object {
  const copy = structuredClone(value) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node = copy;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  node[last] = replacement;
  return copy;
}

/** A result is well-formed: a short, non-empty reason, or a message that parses again. */
function expectWellFormed(topic: Topic, result: ParseResult<unknown>): void {
  if (result.ok) {
    expect(result.tombstone).not.toBe(true);
    if (result.tombstone) return;
    expect(parseMessage(topic, JSON.stringify(result.message)).ok).toBe(true);
  } else {
    expect(result.reason.length).toBeGreaterThan(0);
    expect(result.reason.length).toBeLessThanOrEqual(MAX_DLQ_REASON_LENGTH);
  }
}

describe('parseMessage (properties)', () => {
  it('never throws on arbitrary strings and rejects them', () => {
    fc.assert(
      fc.property(topics, fc.string({ unit: 'binary', maxLength: 300 }), (topic, value) => {
        const result = parseMessage(topic, value);
        expectWellFormed(topic, result);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary bytes and rejects them', () => {
    fc.assert(
      fc.property(topics, fc.uint8Array({ maxLength: 300 }), (topic, bytes) => {
        const result = parseMessage(topic, Buffer.from(bytes));
        expectWellFormed(topic, result);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary JSON values and rejects them', () => {
    fc.assert(
      fc.property(topics, fc.jsonValue(), (topic, json) => {
        const result = parseMessage(topic, JSON.stringify(json));
        expectWellFormed(topic, result);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts a valid message with arbitrary extra fields', () => {
    fc.assert(
      fc.property(
        topics,
        fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue(), { maxKeys: 5 }),
        (topic, extra) => {
          const valid = factories[topic]();
          const value = { ...extra, ...valid };
          const result = parseMessage(topic, JSON.stringify(value));
          expect(result.ok).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('either accepts a mutated field or names it in the reason', () => {
    const mutation = topics.chain((topic) => {
      const valid = factories[topic]();
      return fc.record({
        topic: fc.constant(topic),
        valid: fc.constant(valid),
        path: fc.constantFrom(...propertyPaths(valid)),
        replacement: fc.jsonValue({ maxDepth: 2 }),
      });
    });
    fc.assert(
      fc.property(mutation, ({ topic, valid, path, replacement }) => {
        const result = parseMessage(topic, JSON.stringify(setPath(valid, path, replacement)));
        expectWellFormed(topic, result);
        if (!result.ok) expect(result.reason).toContain(path);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects every severity but the four, wherever a severity is', () => {
    const notASeverity = fc
      .string({ unit: 'binary' })
      .filter((value) => !(SEVERITIES as readonly string[]).includes(value));
    const cases = [
      { topic: TOPICS.incidents, make: makeIncidentEvent, path: 'incident.severity' },
      { topic: TOPICS.alerts, make: makeAlertEvent, path: 'alert.severity' },
      { topic: TOPICS.channels, make: makeChannelSnapshot, path: 'channel.severityFloor' },
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...cases), notASeverity, ({ topic, make, path }, severity) => {
        const value = setPath(make(), path, severity);

        expect(parseMessage(topic, JSON.stringify(value))).toEqual({
          ok: false,
          reason: `${path} must be one of: low, medium, high, critical`,
        });
      }),
      { numRuns: 500 },
    );
  });

  it('accepts each of the four severities', () => {
    for (const severity of SEVERITIES) {
      const value = makeIncidentEvent({ incident: { severity } });
      expect(parseMessage(TOPICS.incidents, serializeMessage(value)).ok).toBe(true);
    }
  });
});
