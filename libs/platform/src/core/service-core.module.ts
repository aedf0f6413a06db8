import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntitySchema, MixedList } from 'typeorm';
import type { CommonEnv } from '../config/common-env';
import { serviceDataSourceOptions } from '../database/typeorm-options';
import { HealthModule } from '../health/health.module';
import { KafkaModule } from '../kafka/kafka.module';
import type { TopicSpec } from '../kafka/kafka.options';
import { LoggingModule } from '../logging/logging.module';
import { MetricsModule } from '../metrics/metrics.module';

export interface ServiceCoreOptions {
  service: string;
  config: CommonEnv;
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  topics: TopicSpec[];
  poolSize?: number;
  /** Routes so busy that their successful requests are logged at debug (see LoggingOptions). */
  routinePaths?: RegExp;
}

/** What every service stands on: logs, metrics, health, Kafka and its own PostgreSQL schema. */
@Module({})
export class ServiceCoreModule {
  static forRoot(options: ServiceCoreOptions): DynamicModule {
    const { config } = options;
    return {
      module: ServiceCoreModule,
      imports: [
        LoggingModule.forRoot({
          service: options.service,
          level: config.LOG_LEVEL,
          routinePaths: options.routinePaths,
        }),
        MetricsModule.forRoot(options.service),
        KafkaModule.forRoot({
          clientId: options.service,
          brokers: config.kafkaBrokers,
          createTopics: config.KAFKA_CREATE_TOPICS,
          topics: options.topics,
        }),
        TypeOrmModule.forRoot({
          ...serviceDataSourceOptions({
            url: config.DATABASE_URL,
            schema: options.schema,
            entities: options.entities,
            migrations: options.migrations,
            poolSize: options.poolSize,
            applicationName: options.service,
          }),
          retryAttempts: 5,
          retryDelay: 2000,
        }),
        HealthModule,
      ],
    };
  }
}
