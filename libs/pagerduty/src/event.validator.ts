import { PAGERDUTY_SEVERITIES } from '@app/severity';
import { EVENT_ACTIONS } from './events-v2.types';
import { PAGERDUTY_LIMITS, ROUTING_KEY_PATTERN } from './pagerduty-limits';
import { utf8ByteLength } from './text-limits';

/**
 * The checks PagerDuty applies before answering 400, done locally so a bad
 * event is reported without a round trip. Messages never quote the routing
 * key. `serialized` may be passed when the caller already has the JSON text.
 */
export function validatePagerDutyEvent(event: unknown, serialized?: string): string[] {
  if (!isObject(event)) {
    return ['event must be a JSON object'];
  }
  const errors: string[] = [];
  const routingKey = event.routing_key;
  if (typeof routingKey !== 'string') {
    errors.push('routing_key is required');
  } else if (!ROUTING_KEY_PATTERN.test(routingKey)) {
    errors.push(
      `routing_key must be ${PAGERDUTY_LIMITS.routingKeyLength} letters or digits (got ${routingKey.length} characters)`,
    );
  }

  const action = event.event_action;
  const actionValid = (EVENT_ACTIONS as readonly unknown[]).includes(action);
  if (!actionValid) {
    errors.push(`event_action must be one of ${EVENT_ACTIONS.join(', ')}`);
  }
  const isTrigger = action === 'trigger';

  const dedupKey = event.dedup_key;
  if (dedupKey === undefined) {
    if (actionValid && !isTrigger) {
      errors.push(`dedup_key is required for ${String(action)}`);
    }
  } else if (typeof dedupKey !== 'string' || dedupKey.length === 0) {
    errors.push('dedup_key must be a non-empty string');
  } else if (dedupKey.length > PAGERDUTY_LIMITS.dedupKeyMaxLength) {
    errors.push(
      `dedup_key must be at most ${PAGERDUTY_LIMITS.dedupKeyMaxLength} characters (got ${dedupKey.length})`,
    );
  }

  if (event.payload === undefined) {
    if (isTrigger) {
      errors.push('payload is required for trigger');
    }
  } else {
    errors.push(...validatePayload(event.payload, isTrigger));
  }

  errors.push(...validateList(event.links, 'links', 'href'));
  errors.push(...validateList(event.images, 'images', 'src'));

  if (errors.length === 0) {
    const bytes = utf8ByteLength(serialized ?? JSON.stringify(event));
    if (bytes >= PAGERDUTY_LIMITS.eventMaxBytes) {
      errors.push(
        `event is ${bytes} bytes; PagerDuty accepts less than ${PAGERDUTY_LIMITS.eventMaxBytes}`,
      );
    }
  }
  return errors;
}

function validatePayload(payload: unknown, isTrigger: boolean): string[] {
  if (!isObject(payload)) {
    return ['payload must be an object'];
  }
  const errors: string[] = [];
  const { summary, source, severity, timestamp } = payload;
  if (summary === undefined || (typeof summary === 'string' && summary.trim().length === 0)) {
    if (isTrigger) {
      errors.push('payload.summary is required and must not be blank');
    }
  } else if (typeof summary !== 'string') {
    errors.push('payload.summary must be a string');
  } else if (summary.length > PAGERDUTY_LIMITS.summaryMaxLength) {
    errors.push(
      `payload.summary must be at most ${PAGERDUTY_LIMITS.summaryMaxLength} characters (got ${summary.length})`,
    );
  }
  if (source === undefined || (typeof source === 'string' && source.trim().length === 0)) {
    if (isTrigger) {
      errors.push('payload.source is required and must not be blank');
    }
  } else if (typeof source !== 'string') {
    errors.push('payload.source must be a string');
  }
  if (severity === undefined) {
    if (isTrigger) {
      errors.push('payload.severity is required');
    }
  } else if (!(PAGERDUTY_SEVERITIES as readonly unknown[]).includes(severity)) {
    errors.push(`payload.severity must be one of ${PAGERDUTY_SEVERITIES.join(', ')}`);
  }
  if (
    timestamp !== undefined &&
    (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp)))
  ) {
    errors.push('payload.timestamp must be an ISO 8601 date-time');
  }
  if (payload.custom_details !== undefined && !isObject(payload.custom_details)) {
    errors.push('payload.custom_details must be an object');
  }
  return errors;
}

function validateList(list: unknown, name: string, required: string): string[] {
  if (list === undefined) {
    return [];
  }
  if (!Array.isArray(list)) {
    return [`${name} must be an array`];
  }
  const errors: string[] = [];
  list.forEach((item: unknown, index) => {
    if (!isObject(item) || typeof item[required] !== 'string' || item[required] === '') {
      errors.push(`${name}[${index}].${required} is required`);
    }
  });
  return errors;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
