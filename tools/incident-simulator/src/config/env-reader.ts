import type { Env } from './env';

const BROKER = /^[^\s,:]+:(\d{1,5})$/;

function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Collects each variable's problem instead of stopping at the first one. */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  brokers(name: string): string[] {
    const value = present(this.env, name);
    if (value === undefined) {
      this.problems.push(`${name} is required (comma-separated host:port list)`);
      return [];
    }
    const brokers = value.split(',').map((broker) => broker.trim());
    const valid = brokers.every((broker) => {
      const port = BROKER.exec(broker)?.[1];
      return port !== undefined && Number(port) >= 1 && Number(port) <= 65535;
    });
    if (!valid) this.problems.push(`${name} must be a comma-separated list of host:port`);
    return brokers;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = present(this.env, name);
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got "${value}"`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = present(this.env, name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes'].includes(value)) return true;
    if (['false', '0', 'no'].includes(value)) return false;
    this.problems.push(`${name} must be true or false, got "${value}"`);
    return fallback;
  }

  httpUrl(name: string, fallback: string): string {
    const value = present(this.env, name);
    if (value === undefined) return fallback;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      this.problems.push(`${name} must be an absolute http(s) URL, got "${value}"`);
      return fallback;
    }
    return value.replace(/\/+$/, '');
  }

  text(name: string, fallback: string): string {
    return present(this.env, name) ?? fallback;
  }
}
