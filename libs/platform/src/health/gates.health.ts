import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ReadinessGates } from './readiness-gates';

@Injectable()
export class GatesHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly gates: ReadinessGates,
  ) {}

  async check(name: string): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(name);
    const gate = this.gates.entries().find(([n]) => n === name)?.[1];
    const reason = gate ? await gate() : 'unknown gate';
    return reason === null ? indicator.up() : indicator.down({ message: reason });
  }
}
