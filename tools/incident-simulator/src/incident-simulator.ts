import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_APP_BASE_URL,
  DEFAULT_HOST,
  DEFAULT_STALE_AFTER_MS,
} from './config/simulator-config';
import { createHttpApp } from './http/create-http-app';
import { IncidentService } from './incident-service';
import { KafkaGateway } from './kafka-gateway';
import { jsonLogger, type SimulatorLogger } from './simulator-logger';
import { StaleSweeper } from './stale-sweeper';
import { SyncEventHandler } from './sync-event-handler';
import { SyncEventLog } from './sync-event-log';

export const DEFAULT_GROUP_ID = 'incident-simulator';

export interface IncidentSimulatorOptions {
  /** `host:port` list, as an array or comma-separated. */
  brokers: string[] | string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Consumer group for the sync topic; tests give their own so they do not share partitions. */
  groupId?: string;
  appBaseUrl?: string;
  createTopics?: boolean;
  staleAfterMs?: number;
  /** 0 (the default) = no periodic sweep. */
  staleSweepMs?: number;
  logger?: SimulatorLogger;
}

export interface StartedSimulator {
  url: string;
}

interface Running {
  server: Server;
  kafka: KafkaGateway;
  service: IncidentService;
  sweeper: StaleSweeper;
  logger: SimulatorLogger;
}

function brokerList(brokers: string[] | string): string[] {
  const list = Array.isArray(brokers) ? brokers : brokers.split(',');
  return list.map((broker) => broker.trim()).filter((broker) => broker !== '');
}

async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** A host a client can dial: a wildcard listen address is reached through loopback. */
function reachableHost(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '[::1]';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Stands in for the AxioRank incident service: an HTTP API that opens,
 * updates, acknowledges, resolves and reopens incidents and produces their
 * lifecycle events, and a consumer applying PagerDuty's acknowledges and
 * resolves from the sync topic. State lives in memory.
 */
export class IncidentSimulator {
  private running?: Running;

  async start(options: IncidentSimulatorOptions): Promise<StartedSimulator> {
    if (this.running !== undefined) throw new Error('the incident simulator is already running');
    const logger = options.logger ?? jsonLogger;
    const kafka = new KafkaGateway({
      brokers: brokerList(options.brokers),
      groupId: options.groupId ?? DEFAULT_GROUP_ID,
      createTopics: options.createTopics ?? true,
      logger,
    });
    const syncLog = new SyncEventLog();
    const service = new IncidentService({
      sink: kafka,
      syncLog,
      appBaseUrl: (options.appBaseUrl ?? DEFAULT_APP_BASE_URL).replace(/\/+$/, ''),
      staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
      logger,
    });
    const handler = new SyncEventHandler(service, syncLog, kafka, logger);
    const sweeper = new StaleSweeper(service, options.staleSweepMs ?? 0, logger);
    const server = createServer(createHttpApp(service, syncLog, logger));
    try {
      await kafka.connect();
      await kafka.startConsuming(async ({ partition, message }) => {
        await handler.handle({ partition, message });
      });
      const address = await listen(server, options.port ?? 0, options.host ?? DEFAULT_HOST);
      sweeper.start();
      this.running = { server, kafka, service, sweeper, logger };
      const url = `http://${reachableHost(address)}:${address.port}`;
      logger.info('incident simulator started', {
        url,
        groupId: options.groupId ?? DEFAULT_GROUP_ID,
      });
      return { url };
    } catch (error) {
      if (server.listening) await close(server);
      await kafka.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** Stops consuming, stops taking requests, lets changes in flight finish, then closes the producer. */
  async stop(): Promise<void> {
    const running = this.running;
    if (running === undefined) return;
    this.running = undefined;
    const started = Date.now();
    await running.sweeper.stop();
    await running.kafka.stopConsuming();
    await close(running.server);
    await running.service.idle();
    await running.kafka.disconnect();
    running.logger.info('incident simulator stopped', { tookMs: Date.now() - started });
  }
}
