// Helpers for integration and e2e specs that talk to the real Kafka broker and
// PostgreSQL server prepared by test/global-setup.ts.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Kafka, logLevel, type IHeaders, type ITopicConfig } from 'kafkajs';

function requiredEnv(name: string, hint: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: ${hint}`);
  return value;
}

/** Broker list from KAFKA_BROKERS (set by the integration global setup or by the caller). */
export function kafkaBrokers(): string[] {
  return requiredEnv('KAFKA_BROKERS', 'run through the jest "integration" project')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

/** URL of this run's fresh test database (axiorank_test_<timestamp>_<random>). */
export function databaseUrl(): string {
  return requiredEnv('DATABASE_URL', 'run through the jest "integration" project');
}

/** URL of the PostgreSQL server without the test database, for specs that create their own. */
export function pgServerUrl(): string {
  return requiredEnv('TEST_PG_SERVER_URL', 'run through the jest "integration" project');
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** What is awaited, for the error message ("the delivery row to be SENT"). */
  description?: string;
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Calls fn every intervalMs until it returns a truthy value without throwing,
 * and returns that value. Fails after timeoutMs naming the description and the
 * last error or value seen.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 100, description = 'condition' }: WaitForOptions = {},
): Promise<Truthy<T>> {
  const started = Date.now();
  let last = 'it never completed';
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as Truthy<T>;
      last = `last value: ${JSON.stringify(value)}`;
    } catch (err) {
      last = `last error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (Date.now() - started >= timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description} (${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export type TopicSpec = string | ITopicConfig;

/** Creates topics (skipping existing ones) and waits until every partition has a leader. */
export async function createTopics(brokers: string | string[], specs: TopicSpec[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'test-admin',
    brokers: Array.isArray(brokers) ? brokers : [brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: specs.map((spec) => (typeof spec === 'string' ? { topic: spec } : spec)),
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  value: string | null;
  /** UTF-8 decoded; for a header repeated in one message, its last value. */
  headers: Record<string, string>;
}

export interface ConsumeAllOptions {
  /** Default true. */
  fromBeginning?: boolean;
  /**
   * Stop once this holds for the messages received so far. Default: stop when
   * every partition has been read up to its end offset at the time of the call.
   */
  until?: (messages: ConsumedMessage[]) => boolean;
  /** Default 15 000 ms. */
  timeoutMs?: number;
  /** Default kafkaBrokers(). */
  brokers?: string[];
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) decoded[name] = value.toString();
  }
  return decoded;
}

/**
 * Reads a topic with a fresh consumer group (random id) and returns the
 * messages with keys, values and headers decoded as UTF-8.
 */
export async function consumeAll(
  topic: string,
  { fromBeginning = true, until, timeoutMs = 15_000, brokers }: ConsumeAllOptions = {},
): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({
    clientId: 'test-consume-all',
    brokers: brokers ?? kafkaBrokers(),
    logLevel: logLevel.NOTHING,
  });
  let done: (messages: ConsumedMessage[]) => boolean;
  if (until) {
    done = until;
  } else {
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    done = (messages) =>
      ends.every(({ partition, high }) => {
        if (high === '0') return true;
        const last = BigInt(high) - 1n;
        return messages.some((m) => m.partition === partition && BigInt(m.offset) >= last);
      });
  }

  const messages: ConsumedMessage[] = [];
  // A short fetch wait: disconnect() waits for the in-flight fetch to return.
  const consumer = kafka.consumer({
    groupId: `test-consume-all-${randomUUID()}`,
    maxWaitTimeInMs: 250,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning });
    // Resolves with a copy: the consumer may still deliver while disconnecting.
    return await new Promise<ConsumedMessage[]>((resolve, reject) => {
      if (done(messages)) {
        resolve([]);
        return;
      }
      timer = setTimeout(() => {
        const sample = messages.slice(0, 5).map((m) => `${m.partition}@${m.offset} ${m.value}`);
        reject(
          new Error(
            `consumeAll(${topic}): condition not met after ${timeoutMs} ms; ` +
              `${messages.length} message(s) received${sample.length ? `, first: ${sample.join(' | ')}` : ''}`,
          ),
        );
      }, timeoutMs);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
      consumer
        .run({
          eachMessage: ({ topic: from, partition, message }) => {
            messages.push({
              topic: from,
              partition,
              offset: message.offset,
              timestamp: message.timestamp,
              key: message.key?.toString() ?? null,
              value: message.value?.toString() ?? null,
              headers: decodeHeaders(message.headers),
            });
            if (done(messages)) resolve([...messages]);
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}
