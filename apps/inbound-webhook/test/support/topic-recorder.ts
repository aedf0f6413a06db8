import { randomUUID } from 'node:crypto';
import { type Admin, type Consumer, Kafka, logLevel } from 'kafkajs';
import { HEADERS } from '@app/contracts';

export interface RecordedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Record<string, unknown>;
  headers: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Other suites put poison messages on the shared topics; they must not stall the recorder.
const parseOrNull = (text: string | undefined): Record<string, unknown> => {
  try {
    return JSON.parse(text ?? 'null') as Record<string, unknown>;
  } catch {
    return {};
  }
};

/**
 * Reads topics from the beginning into memory. Topics are shared with other suites, so tests
 * look only at messages of their own channels (`forChannel`).
 */
export class TopicRecorder {
  readonly messages: RecordedMessage[] = [];
  private readonly seen = new Map<string, bigint>();

  private constructor(
    private readonly consumer: Consumer,
    private readonly admin: Admin,
    private readonly topics: string[],
  ) {}

  static async start(brokers: string, topics: string[]): Promise<TopicRecorder> {
    const kafka = new Kafka({
      clientId: 'inbound-webhook-test',
      brokers: [brokers],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({
      groupId: `inbound-webhook-test-${randomUUID()}`,
      maxWaitTimeInMs: 100,
      retry: { retries: 30, initialRetryTime: 300, maxRetryTime: 3000 },
    });
    const admin = kafka.admin();
    await Promise.all([consumer.connect(), admin.connect()]);
    const recorder = new TopicRecorder(consumer, admin, topics);
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          const single = Array.isArray(value) ? value[0] : value;
          if (single !== undefined) headers[name] = single.toString();
        }
        recorder.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: parseOrNull(message.value?.toString()),
          headers,
        });
        recorder.seen.set(`${topic}:${partition}`, BigInt(message.offset));
        return Promise.resolve();
      },
    });
    return recorder;
  }

  forChannel(channelId: string, topic?: string): RecordedMessage[] {
    return this.messages.filter(
      (m) =>
        m.headers[HEADERS.channelId] === channelId && (topic === undefined || m.topic === topic),
    );
  }

  /** Waits until everything on the topics at this moment has been read. */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const targets: { key: string; high: bigint }[] = [];
    for (const topic of this.topics) {
      for (const p of await this.admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low))
          targets.push({ key: `${topic}:${p.partition}`, high: BigInt(p.high) });
      }
    }
    while (targets.some((t) => (this.seen.get(t.key) ?? -1n) + 1n < t.high)) {
      if (Date.now() > deadline) throw new Error('topic recorder did not catch up in time');
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.consumer.disconnect(), this.admin.disconnect()]);
  }
}
