import { loadSimulatorEnv } from './simulator-env';

describe('loadSimulatorEnv', () => {
  it('applies the documented defaults', () => {
    const result = loadSimulatorEnv({});
    expect(result).toEqual({
      ok: true,
      env: expect.objectContaining({
        port: 8080,
        host: '127.0.0.1',
        options: expect.objectContaining({
          routingKeys: [],
          acceptAnyKey: false,
          ratePerMinute: 120,
          enforceRate: true,
          fastMode: false,
          webhookMaxAttempts: 8,
        }),
      }),
    });
  });

  it('reads every variable', () => {
    const result = loadSimulatorEnv({
      PD_SIM_PORT: '9090',
      PD_SIM_ROUTING_KEYS: ' aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa , bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb ',
      PD_SIM_ACCEPT_ANY_KEY: 'true',
      PD_SIM_RATE_PER_MINUTE: '5',
      PD_SIM_ENFORCE_RATE: 'false',
      PD_SIM_FAST: '1',
    });
    expect(result.ok && result.env.port).toBe(9090);
    expect(result.ok && result.env.options).toMatchObject({
      routingKeys: ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'],
      acceptAnyKey: true,
      ratePerMinute: 5,
      enforceRate: false,
      fastMode: true,
    });
  });

  it('names every invalid variable, and never echoes a routing key', () => {
    const result = loadSimulatorEnv({
      PD_SIM_PORT: 'http',
      PD_SIM_ENFORCE_RATE: 'maybe',
      PD_SIM_ROUTING_KEYS: 'secret-looking-key',
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toMatch(
      /PD_SIM_PORT[\s\S]*PD_SIM_ENFORCE_RATE|PD_SIM_ENFORCE_RATE[\s\S]*PD_SIM_PORT/,
    );
    expect(errors.join('\n')).not.toContain('secret-looking-key');
  });
});
