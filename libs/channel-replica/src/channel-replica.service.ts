import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { Gauge, Counter } from 'prom-client';
import { TOPICS, type ChannelV1 } from '@app/contracts';
import {
  KAFKA_CLIENT,
  KAFKA_OPTIONS,
  KafkaAdminService,
  MessageIntake,
  MetricsRegistry,
  ReadinessGates,
  type KafkaOptions,
} from '@app/platform';

interface PartitionTarget {
  low: bigint;
  high: bigint;
}

/**
 * An in-memory replica of the compacted channel topic. Every process reads the whole topic
 * (its own consumer group, no committed offsets), so each replica of a service knows every
 * channel, paging goes on while channel-config is down, and a restart rebuilds it from Kafka.
 * Readiness waits until the topic has been read up to the end offsets it had at startup.
 */
@Injectable()
export class ChannelReplicaService implements OnApplicationShutdown {
  private readonly logger = new Logger(ChannelReplicaService.name);
  private readonly channels = new Map<string, ChannelV1>();
  private readonly versions = new Map<string, number>();
  private readonly deleted = new Set<string>();
  private readonly targets = new Map<number, PartitionTarget>();
  private readonly lastSeen = new Map<number, bigint>();
  private consumer?: Consumer;
  private readonly deletionListeners: ((channel: ChannelV1) => Promise<void>)[] = [];
  private caughtUp = false;
  private readonly caughtUpWaiters: (() => void)[] = [];
  private readonly size: Gauge;
  private readonly applied: Counter;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly kafkaOptions: KafkaOptions,
    private readonly admin: KafkaAdminService,
    private readonly intake: MessageIntake,
    gates: ReadinessGates,
    metrics: MetricsRegistry,
  ) {
    gates.register('channelReplica', () =>
      this.caughtUp ? null : 'channel replica still reading axiorank.channels.v1',
    );
    this.size = new Gauge({
      name: 'channel_replica_channels',
      help: 'Channels known to this process from axiorank.channels.v1',
      registers: [metrics],
    });
    this.applied = new Counter({
      name: 'channel_replica_changes_total',
      help: 'Channel snapshots and tombstones applied, by kind',
      labelNames: ['kind'],
      registers: [metrics],
    });
  }

  get(channelId: string): ChannelV1 | undefined {
    return this.channels.get(channelId);
  }

  forWorkspace(workspaceId: string): ChannelV1[] {
    return [...this.channels.values()].filter((c) => c.workspaceId === workspaceId);
  }

  /**
   * Called with the last known state of a channel when its tombstone arrives (awaited before the
   * replica moves on; a listener that throws makes the batch be read again).
   */
  onDeleted(listener: (channel: ChannelV1) => Promise<void>): void {
    this.deletionListeners.push(listener);
  }

  isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Starts reading and resolves once the topic has been read to its end offsets at startup. */
  async start(): Promise<void> {
    for (const o of await this.endOffsets()) {
      this.targets.set(o.partition, { low: BigInt(o.low), high: BigInt(o.high) });
    }
    const consumer = this.kafka.consumer({
      groupId: `${this.kafkaOptions.clientId}.channel-replica.${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      retry: { initialRetryTime: 300, maxRetryTime: 10000, retries: 10 },
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.channels, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: (payload) => this.applyBatch(payload),
    });
    this.checkCaughtUp();
    await new Promise<void>((resolve) => {
      if (this.caughtUp) resolve();
      else this.caughtUpWaiters.push(resolve);
    });
    this.logger.log(`channel replica caught up: ${this.channels.size} channels`);
  }

  /** The topic's offsets; right after topic creation a broker may not lead it yet, so retry. */
  private async endOffsets(): Promise<{ partition: number; low: string; high: string }[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.admin.partitionOffsets(TOPICS.channels);
      } catch (error) {
        if (attempt >= 30) throw error;
        this.logger.warn(
          `reading ${TOPICS.channels} offsets failed (attempt ${attempt}): ${error instanceof Error ? error.message : String(error)}`,
        );
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * attempt)));
      }
    }
  }

  private async applyBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (const message of batch.messages) {
      await this.intake.receive(
        TOPICS.channels,
        { ...message, partition: batch.partition },
        (snapshot, meta) => {
          this.apply(snapshot.channel, snapshot.version, meta.key);
          return Promise.resolve();
        },
        async (meta) => {
          if (meta.key === null) return;
          const last = this.channels.get(meta.key);
          if (last) for (const listener of this.deletionListeners) await listener(last);
          this.remove(meta.key);
        },
      );
      this.lastSeen.set(batch.partition, BigInt(message.offset));
    }
    await payload.heartbeat();
    this.checkCaughtUp();
  }

  private apply(channel: ChannelV1, version: number, key: string | null): void {
    if (key !== null && key !== channel.id) {
      this.logger.warn({ key, channelId: channel.id }, 'channel snapshot key differs from its id');
    }
    if (this.deleted.has(channel.id)) return;
    const known = this.versions.get(channel.id);
    if (known !== undefined && known >= version) return;
    this.channels.set(channel.id, channel);
    this.versions.set(channel.id, version);
    this.size.set(this.channels.size);
    this.applied.inc({ kind: 'snapshot' });
  }

  private remove(channelId: string): void {
    this.channels.delete(channelId);
    this.versions.delete(channelId);
    this.deleted.add(channelId);
    this.size.set(this.channels.size);
    this.applied.inc({ kind: 'tombstone' });
  }

  private checkCaughtUp(): void {
    if (this.caughtUp) return;
    for (const [partition, target] of this.targets) {
      if (target.high <= target.low) continue;
      const seen = this.lastSeen.get(partition);
      if (seen === undefined || seen + 1n < target.high) return;
    }
    this.caughtUp = true;
    this.caughtUpWaiters.splice(0).forEach((resolve) => resolve());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
