import { InvalidEventInputError } from './invalid-event-input.error';
import { PAGERDUTY_LIMITS } from './pagerduty-limits';

/**
 * Still too large after custom_details was reduced to a stub: the remaining
 * fields (source, component, links, images...) alone exceed the limit.
 */
export class EventTooLargeError extends InvalidEventInputError {
  override readonly name = 'EventTooLargeError';

  constructor(readonly bytes: number) {
    super(
      'event_too_large',
      `event is ${bytes} bytes without custom_details; PagerDuty accepts less than ${PAGERDUTY_LIMITS.eventMaxBytes}`,
    );
  }
}
