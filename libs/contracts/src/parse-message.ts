import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { MAX_MESSAGE_BYTES } from './common/limits';
import { truncate } from './common/truncate';
import { MAX_DLQ_REASON_LENGTH } from './headers';
import { COMPACTED_TOPICS, MESSAGE_CLASSES, type Message, type MessageByTopic } from './messages';
import { isTopic, type Topic } from './topics';

export interface ParsedMessage<M> {
  ok: true;
  tombstone?: false;
  message: M;
}

export interface ParsedTombstone {
  ok: true;
  tombstone: true;
}

export interface ParseFailure {
  ok: false;
  /** Names each failing property; short enough for the `x-dlq-reason` header. */
  reason: string;
}

export type ParseResult<M> = ParsedMessage<M> | ParsedTombstone | ParseFailure;

const VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: false,
  forbidUnknownValues: true,
  validationError: { target: false, value: true },
} as const;

function fail(reason: string): ParseFailure {
  return { ok: false, reason: truncate(reason, MAX_DLQ_REASON_LENGTH) };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** class-validator messages start with the bare property name; put the full path there instead. */
function describe(path: string, property: string, message: string): string {
  if (message.startsWith(`${property} `)) return `${path}${message.slice(property.length)}`;
  const each = `each value in ${property} `;
  if (message.startsWith(each)) return `each value in ${path} ${message.slice(each.length)}`;
  return `${path}: ${message}`;
}

// class-validator reports every failed constraint of a property; the most basic one says it best
// ("must be a string" rather than also "must be shorter than 255 characters").
const BASIC_CONSTRAINTS = [
  'isDefined',
  'isObject',
  'isArray',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
];

function mainMessage(error: ValidationError): string | undefined {
  const constraints = error.constraints ?? {};
  const key = BASIC_CONSTRAINTS.find((name) => name in constraints) ?? Object.keys(constraints)[0];
  if (key === undefined) return undefined;
  // A missing field is named as missing, unless its own rule says more (e.g. when it is required).
  if (error.value === undefined && key !== 'isDefined') return `${error.property} is required`;
  return constraints[key];
}

function flatten(errors: readonly ValidationError[], parent: string): string[] {
  return errors.flatMap((error) => {
    const path = parent === '' ? error.property : `${parent}.${error.property}`;
    const message = mainMessage(error);
    // A property that fails itself (say, not an object) is not also described by its children.
    if (message !== undefined) return [describe(path, error.property, message)];
    return flatten(error.children ?? [], path);
  });
}

/** One line naming every failing property, e.g. `incident.severity must be one of: …`. */
export function formatValidationErrors(errors: readonly ValidationError[]): string {
  const lines = flatten(errors, '');
  let reason = '';
  for (const [index, line] of lines.entries()) {
    const next = reason === '' ? line : `${reason}; ${line}`;
    const rest = lines.length - index - 1;
    const suffix = rest > 0 ? ` (+${rest} more)` : '';
    if (next.length + suffix.length > MAX_DLQ_REASON_LENGTH) {
      const skipped = lines.length - index;
      return reason === '' ? truncate(line, MAX_DLQ_REASON_LENGTH) : `${reason} (+${skipped} more)`;
    }
    reason = next;
  }
  return reason;
}

function decode(value: Buffer | string): string | ParseFailure {
  const bytes = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
  if (bytes > MAX_MESSAGE_BYTES) {
    return fail(`value too large: ${bytes} bytes exceeds the ${MAX_MESSAGE_BYTES}-byte limit`);
  }
  if (bytes === 0) return fail('empty value');
  return typeof value === 'string' ? value : value.toString('utf8');
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses and validates a Kafka message value for `topic`. Never throws: an
 * unknown topic, a value that is too large, not JSON, or not valid against the
 * topic's schema comes back as `{ ok: false, reason }`. Unknown properties are
 * accepted and dropped, so producers may add optional fields first. Only the
 * compacted channel topic yields `{ ok: true, tombstone: true }` (for a null value).
 */
export function parseMessage<T extends Topic>(
  topic: T,
  value: Buffer | string | null,
): ParseResult<MessageByTopic[T]>;
export function parseMessage(topic: string, value: Buffer | string | null): ParseResult<Message>;
export function parseMessage(topic: string, value: Buffer | string | null): ParseResult<Message> {
  if (!isTopic(topic)) return fail(`unknown topic: ${truncate(topic, 200)}`);
  if (value === null) {
    return COMPACTED_TOPICS.includes(topic)
      ? { ok: true, tombstone: true }
      : fail(`null value (tombstone) is not allowed on ${topic}`);
  }
  const text = decode(value);
  if (typeof text !== 'string') return text;

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(`invalid JSON: ${errorText(error)}`);
  }
  if (!isPlainObject(json)) {
    return fail(`value must be a JSON object, got ${describeJsonType(json)}`);
  }

  try {
    const instance: Message = plainToInstance<Message, Record<string, unknown>>(
      MESSAGE_CLASSES[topic],
      json,
    );
    const errors = validateSync(instance, VALIDATOR_OPTIONS);
    if (errors.length > 0) return fail(formatValidationErrors(errors));
    return { ok: true, message: instance };
  } catch (error) {
    // Hostile shapes (very deep nesting, odd keys) must dead-letter, not crash the consumer.
    return fail(`validation failed: ${errorText(error)}`);
  }
}

export function serializeMessage(message: Message): string {
  return JSON.stringify(message);
}
