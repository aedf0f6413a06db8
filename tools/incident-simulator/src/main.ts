import 'reflect-metadata';
import { ConfigError } from './config/config-error';
import { loadSimulatorConfig, type SimulatorConfig } from './config/simulator-config';
import { IncidentSimulator } from './incident-simulator';
import { errorText, jsonLogger } from './simulator-logger';

function readConfig(): SimulatorConfig {
  try {
    return loadSimulatorConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const lines = error.problems.map((problem) => `  - ${problem}\n`).join('');
    process.stderr.write(`incident-simulator: refusing to start, invalid configuration:\n${lines}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const simulator = new IncidentSimulator();
  const { url } = await simulator.start({ ...config, logger: jsonLogger });
  process.stdout.write(`incident-simulator listening on ${url}\n`);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    jsonLogger.info('shutting down', { signal });
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        jsonLogger.error('shutdown failed', { error: errorText(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  jsonLogger.error('incident simulator failed to start', { error: errorText(error) });
  process.exit(1);
});
