import { ArgumentsHost, Catch, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';

interface PostgresErrorFields {
  code?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

/** Seconds a client is told to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// SQLSTATE class 08 (connection exception), the server shutting down or starting, too many
// connections; and the socket-level failures of node-postgres and its pool.
const UNAVAILABLE_SQLSTATES = /^(08|57P0[1-3]$|53300$)/;
const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|the database system is (starting up|shutting down)/i;

/** Whether an error means "the database cannot be reached now" rather than "this request failed". */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause =
    error instanceof QueryFailedError ? (error.driverError as Error & { code?: string }) : error;
  const code = (cause as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_SOCKET_CODES.has(code))
  )
    return true;
  return UNAVAILABLE_MESSAGES.test(cause.message);
}

/**
 * Database errors on a channel route. While PostgreSQL cannot be reached the answer is 503 with
 * `Retry-After`, so a client knows to retry (nothing was changed); any other database error is a
 * plain 500. Both are logged by SQLSTATE and constraint only: Nest's default handler would log
 * the whole TypeORM error, whose `parameters` and PostgreSQL `detail` ("Failing row contains
 * (…)") carry the routing key and signing secret, in plaintext for rows stored before a
 * credential key was configured. Every other error goes to Nest's own handling.
 */
@Catch()
export class DatabaseErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('ChannelsDatabase');

  override catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (isDatabaseUnavailable(error)) {
      const { code } = (error instanceof QueryFailedError ? error.driverError : error) as {
        code?: string;
      };
      this.logger.warn(
        { db: { code } },
        `database unavailable on a channel request (${code ?? 'connection lost'}); answered 503`,
      );
      response
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS))
        .json({
          statusCode: HttpStatus.SERVICE_UNAVAILABLE,
          error: 'Service Unavailable',
          message: 'the channel store is unavailable; nothing was changed, retry shortly',
        });
      return;
    }
    if (error instanceof QueryFailedError) {
      const { code, table, column, constraint } = error.driverError as PostgresErrorFields;
      this.logger.error(
        { db: { code, table, column, constraint } },
        `database error on a channel request (SQLSTATE ${code ?? 'unknown'})`,
      );
      response
        .status(HttpStatus.INTERNAL_SERVER_ERROR)
        .json({ statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' });
      return;
    }
    super.catch(error, host);
  }
}
