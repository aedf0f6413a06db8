import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import { GatesHealthIndicator } from './gates.health';
import { KafkaHealthIndicator } from './kafka.health';
import { ReadinessGates } from './readiness-gates';

const DATABASE_TIMEOUT_MS = 1500;
const KAFKA_TIMEOUT_MS = 2500;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly gates: GatesHealthIndicator,
    private readonly readinessGates: ReadinessGates,
  ) {}

  /** The process is alive and its event loop turns; nothing external is checked. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready to take traffic: database and Kafka answer in time, and every service gate is open. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: DATABASE_TIMEOUT_MS }),
      () => this.kafka.check('kafka', KAFKA_TIMEOUT_MS),
      ...this.readinessGates.entries().map(
        ([name]) =>
          () =>
            this.gates.check(name),
      ),
    ]);
  }
}
