import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { KAFKA_CLIENT, KAFKA_OPTIONS, type KafkaOptions } from './kafka.options';

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });

/** Topic creation at startup and the topic check behind readiness. */
@Injectable()
export class KafkaAdminService implements OnApplicationShutdown {
  private readonly logger = new Logger(KafkaAdminService.name);
  private admin?: Admin;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaOptions,
  ) {}

  private async connected(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin({ retry: { retries: 1 } });
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  /** Creates the service's topics that do not exist yet, waiting for their leaders. */
  async ensureTopics(): Promise<string[]> {
    const admin = await this.connected();
    const existing = new Set(await admin.listTopics());
    const missing = this.options.topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return [];
    if (!this.options.createTopics) {
      throw new Error(
        `Kafka topics missing and KAFKA_CREATE_TOPICS=false: ${missing.map((t) => t.topic).join(', ')}`,
      );
    }
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.numPartitions,
        replicationFactor: -1,
        configEntries: [...t.configEntries],
      })),
    });
    const names = missing.map((t) => t.topic);
    this.logger.log(`created Kafka topics: ${names.join(', ')}`);
    return names;
  }

  /** The service's topics absent from the cluster; throws when the cluster cannot be reached in time. */
  async missingTopics(timeoutMs: number): Promise<string[]> {
    try {
      const topics = await withTimeout(
        this.connected().then((a) => a.listTopics()),
        timeoutMs,
        'Kafka topic listing',
      );
      const existing = new Set(topics);
      return this.options.topics.map((t) => t.topic).filter((t) => !existing.has(t));
    } catch (error) {
      await this.reset();
      throw error;
    }
  }

  /** Low and high watermarks per partition, e.g. to read a compacted topic up to its end. */
  async partitionOffsets(
    topic: string,
  ): Promise<{ partition: number; low: string; high: string }[]> {
    const admin = await this.connected();
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high }));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reset();
  }
}
