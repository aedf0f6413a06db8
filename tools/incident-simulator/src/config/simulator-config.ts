import { ConfigError } from './config-error';
import type { Env } from './env';
import { EnvReader } from './env-reader';

export interface SimulatorConfig {
  readonly brokers: string[];
  readonly host: string;
  readonly port: number;
  readonly appBaseUrl: string;
  readonly createTopics: boolean;
  readonly staleAfterMs: number;
  /** 0 = no periodic sweep. */
  readonly staleSweepMs: number;
  /** Consumer group for the sync topic; one per simulator instance that must see every event. */
  readonly groupId: string;
}

export const DEFAULT_PORT = 4100;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_APP_BASE_URL = 'http://localhost:3000';
export const DEFAULT_STALE_AFTER_MS = 30 * 60 * 1000;

// Beyond setTimeout's 32-bit limit a timer fires at once; no sweep needs longer than ~24 days.
const MAX_TIMER_MS = 2_147_483_647;
const MAX_STALE_AFTER_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * Reads and validates the simulator's environment. Throws a `ConfigError`
 * naming every missing or invalid variable, so it refuses to start.
 */
export function loadSimulatorConfig(env: Env = process.env): SimulatorConfig {
  const reader = new EnvReader(env);
  const config: SimulatorConfig = {
    brokers: reader.brokers('KAFKA_BROKERS'),
    host: reader.text('INCIDENT_SIM_HOST', DEFAULT_HOST),
    port: reader.integer('INCIDENT_SIM_PORT', DEFAULT_PORT, 0, 65535),
    appBaseUrl: reader.httpUrl('APP_BASE_URL', DEFAULT_APP_BASE_URL),
    createTopics: reader.boolean('KAFKA_CREATE_TOPICS', true),
    staleAfterMs: reader.integer('STALE_AFTER_MS', DEFAULT_STALE_AFTER_MS, 1, MAX_STALE_AFTER_MS),
    staleSweepMs: reader.integer('STALE_SWEEP_MS', 0, 0, MAX_TIMER_MS),
    groupId: reader.text('INCIDENT_SIM_GROUP_ID', 'incident-simulator'),
  };
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}
