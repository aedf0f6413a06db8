import { isRecord } from './http-kit';

/**
 * The simulator's own reading of PagerDuty's rules, written apart from
 * @app/pagerduty's client-side validator on purpose: a shared implementation
 * would agree with itself and hide mistakes in both.
 */
export const SIM_LIMITS = Object.freeze({
  maxBodyBytes: 524_288,
  summaryMax: 1024,
  dedupKeyMax: 255,
});

const ACTIONS = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const WELL_FORMED_KEY = /^[A-Za-z0-9]{32}$/;

export interface EnqueueCheck {
  errors: string[];
  /** Things PagerDuty accepts but ignores; recorded to help whoever reads the log. */
  warnings: string[];
}

export function isWellFormedRoutingKey(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED_KEY.test(value);
}

export function checkEnqueueBody(
  body: Record<string, unknown>,
  isKnownKey: (routingKey: string) => boolean,
): EnqueueCheck {
  const errors: string[] = [];
  const warnings: string[] = [];

  const key = body.routing_key;
  if (typeof key !== 'string' || key.trim() === '') {
    errors.push("'routing_key' is missing or blank");
  } else if (!isWellFormedRoutingKey(key)) {
    errors.push("'routing_key' must be 32 letters or digits");
  } else if (!isKnownKey(key)) {
    errors.push('Invalid routing key');
  }

  const action = body.event_action;
  if (typeof action !== 'string' || !ACTIONS.includes(action)) {
    errors.push(`'event_action' is invalid (must be one of ${ACTIONS.join(', ')})`);
  }

  const dedup = body.dedup_key;
  if (dedup !== undefined && dedup !== null) {
    if (typeof dedup !== 'string') {
      errors.push("'dedup_key' must be a string");
    } else if (dedup.length > SIM_LIMITS.dedupKeyMax) {
      errors.push(`'dedup_key' must be at most ${SIM_LIMITS.dedupKeyMax} characters`);
    } else if (dedup === '' && action !== 'trigger') {
      errors.push("'dedup_key' is missing or blank");
    }
  } else if (action === 'acknowledge' || action === 'resolve') {
    errors.push("'dedup_key' is missing or blank");
  }

  if (action === 'trigger') {
    checkTriggerPayload(body.payload, errors, warnings);
  } else if (body.payload !== undefined && !isRecord(body.payload)) {
    errors.push("'payload' must be an object");
  }

  checkList(body.links, 'links', 'href', errors);
  checkList(body.images, 'images', 'src', errors);
  if (Array.isArray(body.images)) {
    body.images.forEach((image: unknown, index) => {
      if (isRecord(image) && typeof image.src === 'string' && !image.src.startsWith('https://')) {
        warnings.push(`images[${index}].src is not https; PagerDuty will not display it`);
      }
    });
  }
  if (action !== 'trigger' && (body.client !== undefined || body.client_url !== undefined)) {
    warnings.push(`client and client_url are ignored on ${String(action)}`);
  }
  return { errors, warnings };
}

function checkTriggerPayload(payload: unknown, errors: string[], warnings: string[]): void {
  if (!isRecord(payload)) {
    errors.push("'payload' is missing or not an object");
    return;
  }
  const { summary, source, severity, timestamp } = payload;
  if (typeof summary !== 'string' || summary.trim() === '') {
    errors.push("'payload.summary' is missing or blank");
  } else if (summary.length > SIM_LIMITS.summaryMax) {
    errors.push(`'payload.summary' must be at most ${SIM_LIMITS.summaryMax} characters`);
  }
  if (typeof source !== 'string' || source.trim() === '') {
    errors.push("'payload.source' is missing or blank");
  }
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) {
    errors.push(`'payload.severity' is invalid (must be one of ${SEVERITIES.join(', ')})`);
  }
  if (timestamp !== undefined && (typeof timestamp !== 'string' || !isIsoDateTime(timestamp))) {
    errors.push("'payload.timestamp' is not a valid ISO 8601 date-time");
  }
  if (payload.custom_details !== undefined && !isRecord(payload.custom_details)) {
    errors.push("'payload.custom_details' must be an object");
  }
  for (const misplaced of ['links', 'images']) {
    if (payload[misplaced] !== undefined) {
      warnings.push(`payload.${misplaced} is ignored: ${misplaced} belong at the top level`);
    }
  }
}

function checkList(list: unknown, name: string, required: string, errors: string[]): void {
  if (list === undefined) {
    return;
  }
  if (!Array.isArray(list)) {
    errors.push(`'${name}' must be an array`);
    return;
  }
  list.forEach((item: unknown, index) => {
    if (!isRecord(item) || typeof item[required] !== 'string' || item[required] === '') {
      errors.push(`'${name}[${index}].${required}' is missing`);
    }
  });
}

function isIsoDateTime(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value));
}
