import { ValidationError } from 'class-validator';
import {
  MAX_DLQ_REASON_LENGTH,
  MAX_MESSAGE_BYTES,
  TOPICS,
  dlqTopic,
  formatValidationErrors,
  makeIncidentEvent,
  parseMessage,
  serializeMessage,
} from './index';

function validationError(property: string, message: string): ValidationError {
  const error = new ValidationError();
  error.property = property;
  error.value = 42;
  error.constraints = { isString: message };
  error.children = [];
  return error;
}

describe('parseMessage', () => {
  it('rejects a topic it does not know, including dead-letter topics', () => {
    const value = serializeMessage(makeIncidentEvent());

    expect(parseMessage('axiorank.incidents.v2', value)).toEqual({
      ok: false,
      reason: 'unknown topic: axiorank.incidents.v2',
    });
    expect(parseMessage(dlqTopic(TOPICS.incidents), value).ok).toBe(false);
  });

  it('rejects a null value on a topic that is not compacted', () => {
    expect(parseMessage(TOPICS.incidents, null)).toEqual({
      ok: false,
      reason: 'null value (tombstone) is not allowed on axiorank.incidents.v1',
    });
  });

  it.each([
    ['{"eventId":', /^invalid JSON: /],
    ['not json', /^invalid JSON: /],
    ["{'single': 'quotes'}", /^invalid JSON: /],
  ])('rejects malformed JSON %p', (value, reason) => {
    const result = parseMessage(TOPICS.incidents, Buffer.from(value));

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([
    ['[]', 'array'],
    ['null', 'null'],
    ['42', 'number'],
    ['"text"', 'string'],
    ['true', 'boolean'],
  ])('rejects JSON %s that is not an object', (value, kind) => {
    expect(parseMessage(TOPICS.alerts, value)).toEqual({
      ok: false,
      reason: `value must be a JSON object, got ${kind}`,
    });
  });

  it('rejects an empty value', () => {
    expect(parseMessage(TOPICS.incidents, '')).toEqual({ ok: false, reason: 'empty value' });
  });

  it('accepts a value of exactly 1 MiB', () => {
    const json = serializeMessage(makeIncidentEvent());
    const value = json + ' '.repeat(MAX_MESSAGE_BYTES - Buffer.byteLength(json));

    expect(parseMessage(TOPICS.incidents, Buffer.from(value)).ok).toBe(true);
  });

  it('rejects a value over 1 MiB before parsing it', () => {
    const parse = jest.spyOn(JSON, 'parse');
    const value = Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20);

    expect(parseMessage(TOPICS.incidents, value)).toEqual({
      ok: false,
      reason: 'value too large: 1048577 bytes exceeds the 1048576-byte limit',
    });
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
  });

  it('measures string values in UTF-8 bytes, not characters', () => {
    const value = 'é'.repeat(MAX_MESSAGE_BYTES / 2 + 1);

    expect(parseMessage(TOPICS.incidents, value)).toEqual({
      ok: false,
      reason: 'value too large: 1048578 bytes exceeds the 1048576-byte limit',
    });
  });

  it('ignores __proto__ and constructor keys rather than being steered by them', () => {
    const valid = serializeMessage(makeIncidentEvent());
    const hostile = `{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},${valid.slice(1)}`;
    const result = parseMessage(TOPICS.incidents, hostile);

    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('dead-letters deeply nested values instead of throwing', () => {
    const depth = 100_000;
    const value = `{"eventId":${'['.repeat(depth)}${']'.repeat(depth)}}`;

    expect(() => parseMessage(TOPICS.incidents, value)).not.toThrow();
    expect(parseMessage(TOPICS.incidents, value).ok).toBe(false);
  });

  it('keeps the reason of a thoroughly wrong message within the header limit', () => {
    const value = JSON.stringify({
      eventId: 1,
      type: 2,
      occurredAt: 3,
      workspaceId: 'w'.repeat(5000),
      incident: { id: 'i'.repeat(5000), title: 't'.repeat(20_000), severity: 'x'.repeat(900) },
    });
    const result = parseMessage(TOPICS.incidents, value);

    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeLessThanOrEqual(MAX_DLQ_REASON_LENGTH);
  });

  it('does not echo field values into the reason', () => {
    const secret = 'R0UT1NGK3YR0UT1NGK3YR0UT1NGK3Y12';
    const value = JSON.stringify({ ...makeIncidentEvent(), eventId: secret });
    const result = parseMessage(TOPICS.incidents, value);

    expect(result).toEqual({ ok: false, reason: 'eventId must be a UUID' });
  });
});

describe('formatValidationErrors', () => {
  it('joins messages with their property paths', () => {
    const parent = new ValidationError();
    parent.property = 'incident';
    parent.children = [validationError('title', 'title must be a string')];

    expect(formatValidationErrors([validationError('eventId', 'eventId x'), parent])).toBe(
      'eventId x; incident.title must be a string',
    );
  });

  it('says how many messages did not fit', () => {
    const errors = Array.from({ length: 100 }, (_, index) =>
      validationError(`field${index}`, `field${index} must be a string`),
    );
    const sut = formatValidationErrors(errors);

    expect(sut.length).toBeLessThanOrEqual(MAX_DLQ_REASON_LENGTH);
    expect(sut).toMatch(/^field0 must be a string; field1 must be a string; .* \(\+\d+ more\)$/);
    const shown = sut.split('; ').length;
    const more = Number(/\(\+(\d+) more\)$/.exec(sut)?.[1]);
    expect(shown + more).toBe(errors.length);
  });

  it('truncates a single message that is too long by itself', () => {
    const sut = formatValidationErrors([validationError('a', `a ${'x'.repeat(2000)}`)]);

    expect(sut).toHaveLength(MAX_DLQ_REASON_LENGTH);
  });
});

describe('serializeMessage', () => {
  it('is JSON.stringify', () => {
    const message = makeIncidentEvent();

    expect(serializeMessage(message)).toBe(JSON.stringify(message));
  });
});
