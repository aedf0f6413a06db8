import { applyDecorators } from '@nestjs/common';
import { Expose } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { EmptyAsUnset, ToInt } from './env-transforms';

/**
 * Decorator bundles for variables several services share, so each service's env class lists
 * the variables it reads, one line each, with its own default.
 */
const URL_OPTIONS = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

/** An http(s) URL variable. */
export const UrlVariable = (name: string): PropertyDecorator =>
  applyDecorators(
    Expose(),
    EmptyAsUnset(),
    IsUrl(URL_OPTIONS, { message: `${name} must be an http(s) URL` }),
  );

/** An integer variable within bounds. */
export const IntVariable = (name: string, min: number, max: number): PropertyDecorator =>
  applyDecorators(
    Expose(),
    ToInt(),
    IsInt({ message: `${name} must be an integer` }),
    Min(min, { message: `${name} must be at least ${min}` }),
    Max(max, { message: `${name} must be at most ${max}` }),
  );

/** `AUTH_JWT_SECRET`: the HS256 secret for the REST API's bearer tokens (required). */
export const AuthJwtSecretVariable = (): PropertyDecorator =>
  applyDecorators(
    Expose(),
    EmptyAsUnset(),
    IsString({ message: 'AUTH_JWT_SECRET must be set (HS256 secret for bearer tokens)' }),
    MinLength(16, { message: 'AUTH_JWT_SECRET must be at least 16 characters' }),
  );

/** `CREDENTIAL_KEYS`: `kid:base64key,...`; the first key seals. Unset = plaintext as before. */
export const CredentialKeysVariable = (): PropertyDecorator =>
  applyDecorators(Expose(), EmptyAsUnset(), IsOptional(), IsString());
