import { ConfigError } from './config-error';
import { loadSimulatorConfig } from './simulator-config';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadSimulatorConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadSimulatorConfig', () => {
  it('applies the defaults', () => {
    expect(loadSimulatorConfig({ KAFKA_BROKERS: '127.0.0.1:9092' })).toEqual({
      brokers: ['127.0.0.1:9092'],
      host: '127.0.0.1',
      port: 4100,
      appBaseUrl: 'http://localhost:3000',
      createTopics: true,
      staleAfterMs: 1_800_000,
      staleSweepMs: 0,
      groupId: 'incident-simulator',
    });
  });

  it('reads every variable', () => {
    expect(
      loadSimulatorConfig({
        KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093',
        INCIDENT_SIM_HOST: '0.0.0.0',
        INCIDENT_SIM_PORT: '4200',
        APP_BASE_URL: 'https://app.axiorank.test/',
        KAFKA_CREATE_TOPICS: 'false',
        STALE_AFTER_MS: '60000',
        STALE_SWEEP_MS: '5000',
        INCIDENT_SIM_GROUP_ID: 'incident-simulator-e2e',
      }),
    ).toEqual({
      brokers: ['kafka-1:9092', 'kafka-2:9093'],
      host: '0.0.0.0',
      port: 4200,
      appBaseUrl: 'https://app.axiorank.test',
      createTopics: false,
      staleAfterMs: 60_000,
      staleSweepMs: 5000,
      groupId: 'incident-simulator-e2e',
    });
  });

  it('requires KAFKA_BROKERS', () => {
    expect(problems({})).toEqual(['KAFKA_BROKERS is required (comma-separated host:port list)']);
    expect(problems({ KAFKA_BROKERS: '  ' })).toHaveLength(1);
  });

  it('names every bad variable at once', () => {
    const found = problems({
      KAFKA_BROKERS: 'localhost',
      INCIDENT_SIM_PORT: '70000',
      APP_BASE_URL: 'ftp://x',
      KAFKA_CREATE_TOPICS: 'maybe',
      STALE_AFTER_MS: '0',
      STALE_SWEEP_MS: '-5',
    });
    expect(found.map((p) => p.split(' ')[0])).toEqual([
      'KAFKA_BROKERS',
      'INCIDENT_SIM_PORT',
      'APP_BASE_URL',
      'KAFKA_CREATE_TOPICS',
      'STALE_AFTER_MS',
      'STALE_SWEEP_MS',
    ]);
  });

  it.each(['1.5', 'ten', '1e3'])('refuses a non-integer STALE_SWEEP_MS %s', (value) => {
    expect(problems({ KAFKA_BROKERS: 'k:1', STALE_SWEEP_MS: value })).toEqual([
      `STALE_SWEEP_MS must be an integer from 0 to 2147483647, got "${value}"`,
    ]);
  });

  it('says what is wrong in the error message', () => {
    expect(() => loadSimulatorConfig({ KAFKA_BROKERS: 'k:0' })).toThrow(
      'invalid configuration: KAFKA_BROKERS must be a comma-separated list of host:port',
    );
  });
});
