import {
  HEADERS,
  TOPICS,
  buildDlqHeaders,
  buildHeaders,
  dlqTopic,
  messageKey,
  serializeMessage,
  topicSpecsFor,
  type IncidentEventV1,
  type MessageHeaders,
} from '@app/contracts';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachMessagePayload,
  type IHeaders,
  type logCreator,
  type Producer,
} from 'kafkajs';
import type { DeadLetter, DeadLetterSink } from './dead-letter';
import type { IncidentEventSink } from './incident-event-sink';
import type { SimulatorLogger } from './simulator-logger';

export interface KafkaGatewayOptions {
  brokers: string[];
  groupId: string;
  createTopics: boolean;
  logger: SimulatorLogger;
  clientId?: string;
  /** How long `startConsuming` waits for the consumer to join its group. */
  joinTimeoutMs?: number;
}

/** The topics the simulator uses: it produces incidents and consumes incident-sync (each with its DLQ). */
const USED_TOPICS = topicSpecsFor([TOPICS.incidents, TOPICS.incidentSync]);

const DEFAULT_JOIN_TIMEOUT_MS = 60_000;

function toLogCreator(logger: SimulatorLogger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...fields } = log;
      if (level === logLevel.ERROR) logger.error(`kafkajs: ${message}`, fields);
      else if (level === logLevel.WARN) logger.warn(`kafkajs: ${message}`, fields);
    };
}

function headerText(value: IHeaders[string]): string | Buffer | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String).join(',') : value;
}

/** Everything the simulator does with Kafka: topics, the producer, the sync consumer. */
export class KafkaGateway implements IncidentEventSink, DeadLetterSink {
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private consumer?: Consumer;

  constructor(private readonly options: KafkaGatewayOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'incident-simulator',
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: toLogCreator(options.logger),
    });
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      // The partitioner every AxioRank producer uses, so a key maps to the same partition.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Makes sure the topics exist (creating them when allowed) and connects the producer. */
  async connect(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await this.ensureTopics(admin);
    } finally {
      await admin.disconnect();
    }
    await this.producer.connect();
  }

  async publishIncidentEvent(event: IncidentEventV1, headers: MessageHeaders): Promise<void> {
    await this.producer.send({
      topic: TOPICS.incidents,
      acks: -1,
      messages: [
        {
          key: messageKey(TOPICS.incidents, event),
          value: serializeMessage(event),
          headers: buildHeaders(headers),
        },
      ],
    });
  }

  async publishDeadLetter(letter: DeadLetter): Promise<void> {
    const original: Record<string, string | Buffer> = {};
    for (const [name, value] of Object.entries(letter.headers)) {
      const text = headerText(value);
      if (text !== undefined) original[name] = text;
    }
    const dlqHeaders = buildDlqHeaders({
      reason: letter.reason,
      sourceTopic: letter.topic,
      sourcePartition: letter.partition,
      sourceOffset: letter.offset,
    });
    const send = (value: Buffer | null, headers: Record<string, string | Buffer>) =>
      this.producer.send({
        topic: dlqTopic(letter.topic),
        acks: -1,
        messages: [{ key: letter.key, value, headers }],
      });
    try {
      await send(letter.value, { ...original, ...dlqHeaders });
    } catch (error) {
      // A value just under the broker's limit no longer fits with the reason added; retrying it
      // as it is would fail for ever and stop the consumer. Keep its start, say how big it was.
      if (!isTooLarge(error) || letter.value === null) throw error;
      const trimmed: Record<string, Buffer> = {};
      for (const [name, value] of Object.entries(original)) {
        trimmed[name] = Buffer.from(value).subarray(0, 1024);
      }
      await send(letter.value.subarray(0, 64 * 1024), {
        ...trimmed,
        ...dlqHeaders,
        [HEADERS.dlqValueTruncated]: String(letter.value.length),
      });
    }
  }

  /**
   * Subscribes to the sync topic and resolves once the consumer has joined its
   * group. A group that never committed starts at the end of each partition as
   * it was just before: old sync events (for incidents this in-memory simulator
   * never had) are skipped, and nothing produced after this resolves is missed.
   */
  async startConsuming(handle: (payload: EachMessagePayload) => Promise<void>): Promise<void> {
    const startAt = await this.endsOfUncommittedPartitions();
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      // A stop waits for the fetch in flight; a short wait keeps shutdown quick.
      maxWaitTimeInMs: 1000,
    });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.incidentSync], fromBeginning: false });
    await consumer.run({ eachMessage: handle });
    // Applied before the partition's next fetch, and committed; partitions not assigned here are skipped.
    for (const { partition, offset } of startAt) {
      consumer.seek({ topic: TOPICS.incidentSync, partition, offset });
    }
    const timeoutMs = this.options.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    });
    const late = await Promise.race([joined.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) {
      this.options.logger.warn('consumer has not joined its group yet; it keeps trying', {
        groupId: this.options.groupId,
        timeoutMs,
      });
    }
  }

  /** Leaves the group; messages not yet handled stay uncommitted for the next run. */
  async stopConsuming(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  /** Stops consuming first, then closes the producer. */
  async disconnect(): Promise<void> {
    await this.stopConsuming();
    await this.producer.disconnect();
  }

  private async ensureTopics(admin: Admin): Promise<void> {
    const existing = new Set(await admin.listTopics());
    const missing = USED_TOPICS.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    const names = missing.map((spec) => spec.topic);
    if (!this.options.createTopics) {
      throw new Error(`Kafka topics missing and KAFKA_CREATE_TOPICS=false: ${names.join(', ')}`);
    }
    // Another process may create them at the same moment; kafkajs treats "already exists" as done.
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.numPartitions,
        replicationFactor: -1,
        configEntries: spec.configEntries.map((entry) => ({ ...entry })),
      })),
    });
    this.options.logger.info('created Kafka topics', { topics: names });
  }

  /** The high watermark of each sync partition the group has never committed an offset for. */
  private async endsOfUncommittedPartitions(): Promise<{ partition: number; offset: string }[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({
        groupId: this.options.groupId,
        topics: [TOPICS.incidentSync],
      });
      const uncommitted = new Set(
        (committed?.partitions ?? []).filter((p) => p.offset === '-1').map((p) => p.partition),
      );
      const ends = await admin.fetchTopicOffsets(TOPICS.incidentSync);
      return ends
        .filter((end) => uncommitted.has(end.partition))
        .map((end) => ({ partition: end.partition, offset: end.high }));
    } finally {
      await admin.disconnect();
    }
  }
}

/** The broker refused the record as larger than its `max.message.bytes`. */
function isTooLarge(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const type = (e as { type?: unknown }).type;
    if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}
