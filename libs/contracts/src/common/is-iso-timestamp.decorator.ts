import { ValidateBy, isISO8601, type ValidationOptions } from 'class-validator';

// Date, time and an explicit zone: a bare date or a local time would be read differently by each consumer.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function isIsoTimestamp(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    TIMESTAMP.test(value) &&
    isISO8601(value, { strict: true, strictSeparator: true }) &&
    Number.isFinite(Date.parse(value))
  );
}

/** An ISO 8601 date-time with a time zone, e.g. `2026-12-04T10:00:00Z`. */
export function IsIsoTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoTimestamp',
      validator: {
        validate: (value: unknown) => isIsoTimestamp(value),
        defaultMessage: () =>
          '$property must be an ISO 8601 date-time with a time zone, e.g. 2026-12-04T10:00:00Z',
      },
    },
    options,
  );
}
