import { applyDecorators } from '@nestjs/common';
import { Expose } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { EmptyAsUnset, ToBool, ToInt } from './env-transforms';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables every service reads. Each service's env class extends this one. */
export class CommonEnv {
  @Expose()
  @EmptyAsUnset()
  @IsString({ message: 'DATABASE_URL must be set (postgres://user:pass@host:port/db)' })
  @Matches(/^postgres(ql)?:\/\/.+/, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
  })
  DATABASE_URL!: string;

  @Expose()
  @EmptyAsUnset()
  @IsString({ message: 'KAFKA_BROKERS must be set (comma-separated host:port list)' })
  @Matches(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, {
    message: 'KAFKA_BROKERS must be a comma-separated list of host:port',
  })
  KAFKA_BROKERS!: string;

  /** Consumer group of the service's consumers; defaults to the service name. */
  @Expose()
  @EmptyAsUnset()
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,200}$/, {
    message: 'KAFKA_GROUP_ID must be 1-200 letters, digits, dots, underscores or dashes',
  })
  KAFKA_GROUP_ID?: string;

  @Expose()
  @ToBool()
  @IsBoolean({ message: 'KAFKA_CREATE_TOPICS must be true or false' })
  KAFKA_CREATE_TOPICS: boolean = true;

  @Expose()
  @EmptyAsUnset()
  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of: ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  @Expose()
  @ToInt()
  @IsInt({ message: 'SHUTDOWN_TIMEOUT_MS must be an integer' })
  @Min(1000)
  @Max(600000)
  SHUTDOWN_TIMEOUT_MS: number = 25000;

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',').map((b) => b.trim());
  }
}

/** The `PORT` variable; each service declares it with its own default. */
export const PortVariable = (): PropertyDecorator =>
  applyDecorators(
    Expose(),
    ToInt(),
    IsInt({ message: 'PORT must be an integer between 1 and 65535' }),
    Min(1, { message: 'PORT must be between 1 and 65535' }),
    Max(65535, { message: 'PORT must be between 1 and 65535' }),
  );
