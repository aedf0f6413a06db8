export { ConfigValidationError } from './config/config-validation.error';
export { loadConfig } from './config/load-config';
export { CommonEnv, LOG_LEVELS, PortVariable, type LogLevel } from './config/common-env';
export { EmptyAsUnset, ToBool, ToInt } from './config/env-transforms';
export { LoggingModule, type LoggingOptions } from './logging/logging.module';
export { REDACTED_PATHS } from './logging/redaction';
export { MetricsModule } from './metrics/metrics.module';
export { MetricsRegistry } from './metrics/metrics.registry';
export { HealthModule } from './health/health.module';
export { ReadinessGates, type ReadinessCheck } from './health/readiness-gates';
export { KafkaModule } from './kafka/kafka.module';
export {
  KAFKA_CLIENT,
  KAFKA_OPTIONS,
  type KafkaOptions,
  type TopicSpec,
} from './kafka/kafka.options';
export { KafkaAdminService } from './kafka/kafka-admin.service';
export { KafkaProducerService, type OutgoingMessage } from './kafka/kafka-producer.service';
export { DeadLetterPublisher, type DeadLetter } from './kafka/dead-letter.publisher';
export {
  MessageIntake,
  recordOf,
  type IncomingMeta,
  type IntakeOutcome,
  type RawRecord,
} from './kafka/message-intake';
export { kafkaConsumerOptions, type ConsumerOptions } from './kafka/kafka-consumer.options';
export { kafkaLogCreator } from './kafka/kafka-log-creator';
export { migrateUnderLock, type MigrationReport } from './database/migrate';
export { GroupCommit } from './database/group-commit';
export { advisoryLockId } from './database/advisory-lock';
export {
  serviceDataSourceOptions,
  type ServiceDataSourceOptions,
} from './database/typeorm-options';
export {
  bootstrapService,
  describeValidationErrors,
  validationPipe,
  type ServiceBootstrapOptions,
} from './bootstrap/bootstrap-service';
export { configOrExit } from './bootstrap/exit-on-invalid-config';
export { ServiceCoreModule, type ServiceCoreOptions } from './core/service-core.module';
export {
  AuthJwtSecretVariable,
  CredentialKeysVariable,
  IntVariable,
  UrlVariable,
} from './config/service-env';
export { OutboxMessage } from './outbox/outbox-message.entity';
export { createOutboxTable, dropOutboxTable } from './outbox/outbox-table';
export { outboxInsertFrom, writeToOutbox, type OutboxEntry } from './outbox/outbox.writer';
export { OutboxRelay, type OutboxOptions } from './outbox/outbox.relay';
export { OutboxModule } from './outbox/outbox.module';
export { WorkspaceAuthGuard, type AuthOptions } from './auth/workspace-auth.guard';
export { WorkspaceAuthModule } from './auth/workspace-auth.module';
export { SecretVault, SECRET_VAULT } from './credentials/secret-vault';
export { commandContext, runMigrateCommand } from './bootstrap/migrate-command';
