import { InvalidEventInputError } from './invalid-event-input.error';
import { PAGERDUTY_LIMITS } from './pagerduty-limits';

/**
 * A dedup key longer than PagerDuty accepts. Never truncated instead: two
 * incidents sharing a prefix would collide into one PagerDuty incident.
 */
export class DedupKeyTooLongError extends InvalidEventInputError {
  override readonly name = 'DedupKeyTooLongError';

  constructor(readonly length: number) {
    super(
      'dedup_key_too_long',
      `dedup_key is ${length} characters; PagerDuty accepts at most ${PAGERDUTY_LIMITS.dedupKeyMaxLength}`,
    );
  }
}
