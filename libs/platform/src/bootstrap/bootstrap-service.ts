import {
  BadRequestException,
  type DynamicModule,
  type INestApplication,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Consumer } from 'kafkajs';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { migrateUnderLock } from '../database/migrate';
import { ReadinessGates } from '../health/readiness-gates';
import { KafkaAdminService } from '../kafka/kafka-admin.service';
import { kafkaConsumerOptions, type ConsumerOptions } from '../kafka/kafka-consumer.options';

export interface ServiceBootstrapOptions {
  service: string;
  appModule: DynamicModule;
  port: number;
  schema: string;
  shutdownTimeoutMs: number;
  /** Kafka consumers (Nest `@EventPattern` handlers) to start once the topics exist. */
  consumer?: ConsumerOptions;
  /** Work to start once Kafka is reachable and the topics exist (replicas, relays, workers). */
  afterKafkaReady?: (app: INestApplication) => Promise<void>;
  openApi?: { title: string; description: string; version: string };
  /** Runs before the HTTP server starts, e.g. to mount a raw-body parser on a route. */
  configure?: (app: NestExpressApplication) => void;
  /** Largest JSON request body accepted by the API (default 100 kB). */
  jsonBodyLimit?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Flattens nested validation errors into `path: message` lines naming each field at fault. */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      m.startsWith(e.property) ? `${path}${m.slice(e.property.length)}` : `${path}: ${m}`,
    );
    return [...own, ...describeValidationErrors(e.children ?? [], path)];
  });
}

export const validationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: describeValidationErrors(errors),
      }),
  });

/**
 * Boots a service the same way everywhere: JSON logs, migrations under an advisory lock, HTTP
 * (health, metrics, API) up first, then Kafka topics and consumers once the cluster answers,
 * and a graceful shutdown bounded by `shutdownTimeoutMs`.
 */
export async function bootstrapService(
  options: ServiceBootstrapOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(options.appModule, {
    bufferLogs: true,
    bodyParser: false,
  });
  options.configure?.(app);
  app.useBodyParser('json', { limit: options.jsonBodyLimit ?? '100kb' });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  app.enableShutdownHooks();
  app.useGlobalPipes(validationPipe());

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received, shutting down (at most ${options.shutdownTimeoutMs} ms)`);
      setTimeout(() => {
        logger.error('graceful shutdown timed out, exiting');
        process.exit(1);
      }, options.shutdownTimeoutMs).unref();
    });
  }
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });

  const report = await migrateUnderLock(app.get(DataSource), options.schema);
  logger.log(
    report.applied.length > 0
      ? `migrations applied to schema ${report.schema}: ${report.applied.join(', ')}`
      : `schema ${report.schema} is up to date`,
  );

  if (options.openApi) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle(options.openApi.title)
        .setDescription(options.openApi.description)
        .setVersion(options.openApi.version)
        .addBearerAuth()
        .build(),
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  }

  const gates = app.get(ReadinessGates);
  let kafkaStarted = false;
  gates.register('startup', () => (kafkaStarted ? null : 'waiting for Kafka topics and consumers'));

  if (options.consumer) {
    app.connectMicroservice<MicroserviceOptions>(kafkaConsumerOptions(options.consumer), {
      inheritAppConfig: true,
    });
  }
  await app.listen(options.port);
  logger.log(`${options.service} listening on port ${options.port}`);

  const admin = app.get(KafkaAdminService);
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.ensureTopics();
      break;
    } catch (error) {
      const delay = Math.min(10000, 500 * 2 ** Math.min(attempt, 5));
      logger.warn(
        `Kafka not ready (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}; retrying in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
  if (options.afterKafkaReady) await options.afterKafkaReady(app);
  if (options.consumer) {
    await app.startAllMicroservices();
    superviseConsumer(app, logger);
  }
  kafkaStarted = true;
  logger.log(`${options.service} ready`);
  return app;
}

/** A consumer that crashed for good must take the process down so the orchestrator restarts it. */
function superviseConsumer(app: INestApplication, logger: Logger): void {
  for (const microservice of app.getMicroservices()) {
    const [, consumer] = microservice.unwrap<[unknown, Consumer]>();
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) {
        logger.error({ err: event.payload.error }, 'Kafka consumer crashed and will not restart');
        void app.close().finally(() => process.exit(1));
      }
    });
  }
}
