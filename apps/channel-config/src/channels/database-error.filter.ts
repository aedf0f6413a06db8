import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';

interface PostgresErrorFields {
  code?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

/**
 * A database error on a channel route answers a plain 500 and is logged by its SQLSTATE and
 * constraint only. Nest's default handler would log the whole TypeORM error, whose `parameters`
 * and PostgreSQL `detail` ("Failing row contains (…)") carry the routing key and signing secret,
 * in plaintext for rows stored before a credential key was configured.
 */
@Catch(QueryFailedError)
export class DatabaseErrorFilter implements ExceptionFilter<QueryFailedError> {
  private readonly logger = new Logger('ChannelsDatabase');

  catch(error: QueryFailedError, host: ArgumentsHost): void {
    const { code, table, column, constraint } = error.driverError as PostgresErrorFields;
    this.logger.error(
      { db: { code, table, column, constraint } },
      `database error on a channel request (SQLSTATE ${code ?? 'unknown'})`,
    );
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .json({ statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' });
  }
}
