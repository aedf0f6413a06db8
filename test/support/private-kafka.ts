import { startPrivateKafka, type PrivateKafkaBroker } from './infra-servers';

/**
 * A broker of the test's own (real Apache Kafka from the local launcher), for tests that stop,
 * kill or restart it without disturbing the shared broker other suites use. `start()` the first
 * time starts it; after `stop()`, `start()` brings it back on the same port with its data.
 */
export class PrivateKafka {
  private broker?: PrivateKafkaBroker;

  get brokers(): string {
    if (!this.broker) throw new Error('private Kafka not started');
    return this.broker.brokers;
  }

  async start(): Promise<string> {
    if (this.broker) await this.broker.restart();
    else this.broker = await startPrivateKafka();
    return this.broker.brokers;
  }

  async stop(): Promise<void> {
    await this.broker?.stop();
  }

  async restart(): Promise<void> {
    await this.start();
  }

  /** Stops the broker for good and its host process; call it in afterAll. */
  async close(): Promise<void> {
    await this.broker?.close();
    this.broker = undefined;
  }
}
