import { Transform } from 'class-transformer';

const emptyToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Parses an env string as an integer; leaves garbage in place so validation names it. */
export const ToInt = (): PropertyDecorator =>
  Transform(({ value }) => {
    const v = emptyToUndefined(value);
    if (typeof v !== 'string') return v;
    return /^-?\d+$/.test(v.trim()) ? Number.parseInt(v, 10) : v;
  });

/** Parses `true/false/1/0/yes/no`; leaves anything else in place so validation names it. */
export const ToBool = (): PropertyDecorator =>
  Transform(({ value }) => {
    const v = emptyToUndefined(value);
    if (typeof v !== 'string') return v;
    const s = v.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(s)) return true;
    if (['false', '0', 'no'].includes(s)) return false;
    return v;
  });

/** Treats an empty variable as unset, so defaults and @IsOptional apply. */
export const EmptyAsUnset = (): PropertyDecorator =>
  Transform(({ value }) => emptyToUndefined(value));
