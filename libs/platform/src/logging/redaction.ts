/**
 * Paths pino censors wherever they appear in a log object. Routing keys, signing secrets,
 * credential keys and bearer tokens must never reach a log line.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-pagerduty-signature"]',
  'res.headers["set-cookie"]',
  'routingKey',
  'routing_key',
  'signingSecret',
  'secret',
  'secrets',
  '*.routingKey',
  '*.routing_key',
  '*.signingSecret',
  '*.secret',
  '*.secrets',
  '*.*.routingKey',
  '*.*.routing_key',
  '*.*.signingSecret',
  // Database errors carry the statement's parameters and the failing row, which can hold a
  // routing key or signing secret.
  'err.parameters',
  'err.detail',
  'err.driverError.detail',
  'err.driverError.parameters',
  '*.parameters',
];

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/** Probes and scrapes are not worth a log line each. */
export const isQuietPath = (url: string | undefined): boolean =>
  url !== undefined && QUIET_PATHS.some((p) => url === p || url.startsWith(`${p}?`));
