import { IsUrl, type ValidationOptions } from 'class-validator';

/** An absolute http(s) URL; hosts without a TLD (localhost) are allowed for local runs. */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return IsUrl(
    { require_protocol: true, protocols: ['http', 'https'], require_tld: false },
    { message: '$property must be an absolute http(s) URL', ...options },
  );
}
