import { ValidateBy, type ValidationOptions } from 'class-validator';

// IANA names only; Intl alone would also take offsets such as "+01:00" on newer runtimes.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

export function isIanaTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || !ZONE_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A time zone the runtime knows by its IANA name, e.g. `Europe/Berlin`. */
export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIanaTimeZone',
      validator: {
        validate: (value: unknown) => isIanaTimeZone(value),
        defaultMessage: () => '$property must be an IANA time zone, e.g. Europe/Berlin',
      },
    },
    options,
  );
}
