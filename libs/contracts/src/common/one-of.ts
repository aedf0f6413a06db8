import type { ValidationOptions } from 'class-validator';

/** Message for `@IsIn`, naming the allowed values the way a reader expects them. */
export function oneOf(values: readonly string[]): ValidationOptions {
  return { message: `$property must be one of: ${values.join(', ')}` };
}
