import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GatesHealthIndicator } from './gates.health';
import { HealthController } from './health.controller';
import { KafkaHealthIndicator } from './kafka.health';
import { ReadinessGates } from './readiness-gates';

@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
  controllers: [HealthController],
  providers: [KafkaHealthIndicator, GatesHealthIndicator, ReadinessGates],
  exports: [ReadinessGates],
})
export class HealthModule {}
