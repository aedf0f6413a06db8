import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { ConfigValidationError } from './config-validation.error';

function describe(error: ValidationError): string[] {
  const constraints = Object.values(error.constraints ?? {});
  // Never echo the offending value: it may be a secret (a credential key, a JWT secret).
  const own = constraints.length > 0 ? [`${error.property}: ${constraints.join('; ')}`] : [];
  return [...own, ...(error.children ?? []).flatMap(describe)];
}

/**
 * Validates `env` into a typed config object once, at boot. Only properties decorated with
 * `@Expose()` are read, so nothing else in the environment leaks into the config.
 */
export function loadConfig<T extends object>(
  service: string,
  schema: new () => T,
  env: Record<string, string | undefined>,
): T {
  const config = plainToInstance(schema, env, {
    excludeExtraneousValues: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigValidationError(service, errors.flatMap(describe));
  }
  return config;
}
