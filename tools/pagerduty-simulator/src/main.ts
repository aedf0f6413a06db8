import { loadSimulatorEnv } from './config/simulator-env';
import { PagerDutySimulator } from './pagerduty-simulator';

async function main(): Promise<void> {
  const loaded = loadSimulatorEnv(process.env);
  if (!loaded.ok) {
    console.error(`pagerduty-simulator: invalid configuration\n  ${loaded.errors.join('\n  ')}`);
    process.exitCode = 1;
    return;
  }
  const { env } = loaded;
  const log = (entry: Record<string, unknown>): void => {
    console.log(JSON.stringify({ time: new Date().toISOString(), ...entry }));
  };
  const simulator = new PagerDutySimulator({ ...env.options, logger: env.quiet ? undefined : log });
  const { url } = await simulator.start({ port: env.port, host: env.host });
  log({
    msg: 'pagerduty-simulator listening',
    url,
    enqueue: `${url}/v2/enqueue`,
    enqueueEu: `${url}/eu/v2/enqueue`,
    mode: env.options.fastMode === true ? 'fast' : 'full',
    registeredKeys: env.options.routingKeys?.length ?? 0,
    acceptAnyKey: env.options.acceptAnyKey,
  });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    log({ msg: 'pagerduty-simulator stopping', signal });
    simulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('pagerduty-simulator failed to start', error);
  process.exitCode = 1;
});
