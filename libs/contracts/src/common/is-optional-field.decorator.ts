import { Transform } from 'class-transformer';
import { IsOptional } from 'class-validator';
import { compose } from './compose';

/**
 * An optional field. Null is read as absent, so the parsed value matches its
 * `?: T` type: producers outside TypeScript often write null for "none".
 */
export function IsOptionalField(): PropertyDecorator {
  return compose(
    Transform(({ value }: { value: unknown }) => (value === null ? undefined : value)),
    IsOptional(),
  );
}
