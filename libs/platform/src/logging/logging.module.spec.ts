import { accessLogLevel } from './logging.module';

describe('accessLogLevel', () => {
  const routine = /^\/v1\/webhooks\//;

  it('logs failures loudly and refusals at info, whatever the path', () => {
    expect(accessLogLevel('/v1/webhooks/pagerduty/x', 503, false, routine)).toBe('error');
    expect(accessLogLevel('/v1/webhooks/pagerduty/x', 200, true, routine)).toBe('error');
    expect(accessLogLevel('/v1/webhooks/pagerduty/x', 401, false, routine)).toBe('info');
    expect(accessLogLevel('/v1/workspaces/ws/channels', 400, false, routine)).toBe('info');
  });

  it('logs a routine path’s success at debug and every other success at info', () => {
    expect(accessLogLevel('/v1/webhooks/pagerduty/x', 202, false, routine)).toBe('debug');
    expect(accessLogLevel('/v1/workspaces/ws/channels', 201, false, routine)).toBe('info');
    expect(accessLogLevel('/v1/webhooks/pagerduty/x', 202, false)).toBe('info');
    expect(accessLogLevel(undefined, 200, false, routine)).toBe('info');
  });
});
