import { truncateWithMarker } from './text-limits';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Where the shrinker lists the top-level keys whose values it cut or dropped. */
export const TRUNCATED_MARKER_KEY = '_truncated';

interface ClipLimits {
  maxString: number;
  maxArray: number;
  maxKeys: number;
  maxDepth: number;
}

/** First pass: JSON-safe (no cycles, no BigInt, bounded depth) but otherwise intact. */
const SANITIZE_ONLY: ClipLimits = {
  maxString: Number.POSITIVE_INFINITY,
  maxArray: Number.POSITIVE_INFINITY,
  maxKeys: Number.POSITIVE_INFINITY,
  maxDepth: 32,
};

/**
 * Ever tighter limits, tried in order. The last step bounds the details to a
 * few hundred kilobytes in the worst case (escaped control characters), and
 * the stub below catches even that.
 */
const SHRINK_STEPS: readonly ClipLimits[] = [
  { maxString: 65_536, maxArray: 1_000, maxKeys: 1_000, maxDepth: 16 },
  { maxString: 16_384, maxArray: 250, maxKeys: 250, maxDepth: 12 },
  { maxString: 4_096, maxArray: 100, maxKeys: 100, maxDepth: 8 },
  { maxString: 1_024, maxArray: 25, maxKeys: 50, maxDepth: 6 },
  { maxString: 256, maxArray: 10, maxKeys: 25, maxDepth: 4 },
  { maxString: 64, maxArray: 3, maxKeys: 10, maxDepth: 3 },
];

const STUB_MAX_KEYS = 16;
const STUB_MAX_STRING = 256;
const MARKED_KEYS_MAX = 32;
const MARKED_KEY_MAX_LENGTH = 128;

/**
 * Returns the least reduced version of `details` that `fits` accepts: first
 * the details as they are (made JSON-safe), then with long strings, arrays and
 * objects cut progressively, then a stub keeping only small top-level scalars.
 * Every top-level key that lost something is listed under `_truncated`.
 * Returns undefined when not even `{ _truncated: ['*'] }` fits.
 */
export function fitCustomDetails(
  details: Readonly<Record<string, unknown>>,
  fits: (candidate: JsonObject) => boolean,
): JsonObject | undefined {
  for (const limits of [SANITIZE_ONLY, ...SHRINK_STEPS]) {
    const candidate = clipDetails(details, limits);
    if (fits(candidate)) {
      return candidate;
    }
  }
  const stub = stubDetails(details);
  if (fits(stub)) {
    return stub;
  }
  const bare: JsonObject = { [TRUNCATED_MARKER_KEY]: ['*'] };
  return fits(bare) ? bare : undefined;
}

function clipDetails(details: Readonly<Record<string, unknown>>, limits: ClipLimits): JsonObject {
  const result: JsonObject = {};
  const marked: string[] = [];
  const keys = ownKeys(details);
  keys.forEach((key, index) => {
    if (index >= limits.maxKeys) {
      marked.push(key);
      return;
    }
    const cut = { hit: false };
    const value = clip(read(details, key), limits, 1, new Set(), cut);
    defineClipped(result, key, value, limits, cut);
    if (cut.hit) {
      marked.push(key);
    }
  });
  return withMarks(result, marked);
}

function stubDetails(details: Readonly<Record<string, unknown>>): JsonObject {
  const result: JsonObject = {};
  const marked: string[] = [];
  ownKeys(details).forEach((key, index) => {
    const value = read(details, key);
    const small =
      index < STUB_MAX_KEYS &&
      key.length <= MARKED_KEY_MAX_LENGTH &&
      (value === null ||
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && value.length <= STUB_MAX_STRING));
    if (small) {
      define(result, key, value);
    } else {
      marked.push(key);
    }
  });
  return withMarks(result, marked);
}

function clip(
  value: unknown,
  limits: ClipLimits,
  depth: number,
  ancestors: Set<object>,
  cut: { hit: boolean },
  viaToJson = false,
): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
      if (value.length > limits.maxString) {
        cut.hit = true;
        return truncateWithMarker(value, limits.maxString);
      }
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      // JSON.stringify would throw on a BigInt; its decimal text is lossless.
      return clip(value.toString(), limits, depth, ancestors, cut);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      return clipObject(value, limits, depth, ancestors, cut, viaToJson);
  }
}

function clipObject(
  value: object | null,
  limits: ClipLimits,
  depth: number,
  ancestors: Set<object>,
  cut: { hit: boolean },
  viaToJson: boolean,
): JsonValue | undefined {
  if (value === null) {
    return null;
  }
  const toJson = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function' && !viaToJson) {
    try {
      const replaced: unknown = toJson.call(value, '');
      return clip(replaced, limits, depth, ancestors, cut, true);
    } catch {
      cut.hit = true;
      return '[unserializable]';
    }
  }
  if (ancestors.has(value)) {
    cut.hit = true;
    return '[circular]';
  }
  if (depth > limits.maxDepth) {
    cut.hit = true;
    return Array.isArray(value) ? '[array]' : '[object]';
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: unknown[] = value;
      if (items.length > limits.maxArray) {
        cut.hit = true;
      }
      const kept = items.slice(0, Math.min(items.length, limits.maxArray));
      // As in JSON, a hole or an unserializable item becomes null.
      return kept.map((item) => clip(item, limits, depth + 1, ancestors, cut) ?? null);
    }
    const result: JsonObject = {};
    const keys = ownKeys(value);
    if (keys.length > limits.maxKeys) {
      cut.hit = true;
    }
    for (const key of keys.slice(0, Math.min(keys.length, limits.maxKeys))) {
      const item = clip(read(value, key), limits, depth + 1, ancestors, cut);
      defineClipped(result, key, item, limits, cut);
    }
    return result;
  } finally {
    ancestors.delete(value);
  }
}

/** Long keys are cut too; when two cut keys collide the first one wins (and the loss is marked). */
function defineClipped(
  target: JsonObject,
  key: string,
  value: JsonValue | undefined,
  limits: ClipLimits,
  cut: { hit: boolean },
): void {
  if (value === undefined) {
    return;
  }
  if (key.length <= limits.maxString) {
    define(target, key, value);
    return;
  }
  cut.hit = true;
  const shortKey = truncateWithMarker(key, limits.maxString);
  if (!Object.prototype.hasOwnProperty.call(target, shortKey)) {
    define(target, shortKey, value);
  }
}

function withMarks(result: JsonObject, marked: string[]): JsonObject {
  if (marked.length === 0) {
    return result;
  }
  const shown = marked.map((key) => truncateWithMarker(key, MARKED_KEY_MAX_LENGTH));
  const list =
    shown.length > MARKED_KEYS_MAX
      ? [...shown.slice(0, MARKED_KEYS_MAX - 1), `…and ${shown.length - MARKED_KEYS_MAX + 1} more`]
      : shown;
  define(result, TRUNCATED_MARKER_KEY, list);
  return result;
}

function ownKeys(value: object): string[] {
  try {
    return Object.keys(value);
  } catch {
    return [];
  }
}

function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return '[unreadable]';
  }
}

/** Plain assignment would treat a `__proto__` key as the prototype instead of data. */
function define(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
