import { ConfigValidationError } from '../config/config-validation.error';

/**
 * Runs the config loader and, if the environment is invalid, prints every problem and exits 1
 * before anything starts. A JSON line goes to stderr too, for log pipelines.
 */
export function configOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    const problems =
      error instanceof ConfigValidationError
        ? error.problems
        : [error instanceof Error ? error.message : String(error)];
    process.stderr.write(
      `${service}: refusing to start, the environment is invalid:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\n' +
        JSON.stringify({ level: 'fatal', service, msg: 'invalid configuration', problems }) +
        '\n',
    );
    process.exit(1);
  }
}
