export type InvalidEventInputCode =
  | 'event_action_invalid'
  | 'dedup_key_missing'
  | 'dedup_key_too_long'
  | 'severity_invalid'
  | 'event_too_large';

/**
 * The builder refused its input. Messages never quote the routing key, and
 * quote no caller data beyond lengths, so they are safe to log.
 */
export class InvalidEventInputError extends Error {
  override readonly name: string = 'InvalidEventInputError';

  constructor(
    readonly code: InvalidEventInputCode,
    message: string,
  ) {
    super(message);
  }
}
