export type LogFields = Readonly<Record<string, unknown>>;

export interface SimulatorLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

function line(level: string, message: string, fields: LogFields = {}): string {
  return JSON.stringify({
    time: new Date().toISOString(),
    level,
    name: 'incident-simulator',
    msg: message,
    ...fields,
  });
}

/** One JSON object per line on stdout (errors on stderr). */
export const jsonLogger: SimulatorLogger = {
  info: (message, fields) => process.stdout.write(`${line('info', message, fields)}\n`),
  warn: (message, fields) => process.stdout.write(`${line('warn', message, fields)}\n`),
  error: (message, fields) => process.stderr.write(`${line('error', message, fields)}\n`),
};

export const silentLogger: SimulatorLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
