import { Injectable } from '@nestjs/common';

/** Returns null when ready, otherwise why not. */
export type ReadinessCheck = () => Promise<string | null> | string | null;

/**
 * Service-specific conditions for readiness beyond the database and Kafka, e.g. "the channel
 * replica has caught up" or "consumers are running".
 */
@Injectable()
export class ReadinessGates {
  private readonly gates = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.gates.set(name, check);
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.gates.entries()];
  }
}
