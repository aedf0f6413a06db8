import type { PagerDutySimulatorOptions } from '../simulator.types';

export interface SimulatorEnv {
  port: number;
  host: string;
  quiet: boolean;
  options: PagerDutySimulatorOptions;
}

export type SimulatorEnvResult = { ok: true; env: SimulatorEnv } | { ok: false; errors: string[] };

const KEY = /^[A-Za-z0-9]{32}$/;

/** Reads and validates every PD_SIM_* variable, naming each invalid one. */
export function loadSimulatorEnv(
  env: Readonly<Record<string, string | undefined>>,
): SimulatorEnvResult {
  const errors: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') {
      return fallback;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      errors.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = env[name]?.trim().toLowerCase();
    if (raw === undefined || raw === '') {
      return fallback;
    }
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    errors.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  };

  const routingKeys = (env.PD_SIM_ROUTING_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  const malformed = routingKeys.filter((key) => !KEY.test(key));
  if (malformed.length > 0) {
    // Count only: these are routing keys, and even fake ones stay out of logs.
    errors.push(
      `PD_SIM_ROUTING_KEYS has ${malformed.length} key(s) that are not 32 letters or digits`,
    );
  }
  const publicUrl = env.PD_SIM_PUBLIC_URL?.trim();
  if (publicUrl !== undefined && publicUrl !== '' && !/^https?:\/\/\S+$/.test(publicUrl)) {
    errors.push('PD_SIM_PUBLIC_URL must be an http(s) URL');
  }

  const result: SimulatorEnv = {
    port: int('PD_SIM_PORT', 8080, 0, 65_535),
    host: env.PD_SIM_HOST?.trim() || '127.0.0.1',
    quiet: bool('PD_SIM_QUIET', false),
    options: {
      routingKeys,
      acceptAnyKey: bool('PD_SIM_ACCEPT_ANY_KEY', false),
      ratePerMinute: int('PD_SIM_RATE_PER_MINUTE', 120, 1, 1_000_000),
      enforceRate: bool('PD_SIM_ENFORCE_RATE', true),
      fastMode: bool('PD_SIM_FAST', false),
      webhookTimeoutMs: int('PD_SIM_WEBHOOK_TIMEOUT_MS', 5_000, 1, 600_000),
      webhookBackoffMs: int('PD_SIM_WEBHOOK_BACKOFF_MS', 1_000, 0, 3_600_000),
      webhookMaxBackoffMs: int('PD_SIM_WEBHOOK_MAX_BACKOFF_MS', 60_000, 0, 86_400_000),
      webhookMaxAttempts: int('PD_SIM_WEBHOOK_MAX_ATTEMPTS', 8, 1, 1_000),
      publicUrl: publicUrl === '' ? undefined : publicUrl,
    },
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, env: result };
}
