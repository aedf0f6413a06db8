// kafkajs helpers for the bench: topics, fast bulk production, and placing a consumer group
// at chosen offsets so that a service started later reads exactly the bench's own events.
import kafkajs from 'kafkajs';
import { TOPIC_SPECS } from './fixtures.mjs';

const { Kafka, logLevel, Partitioners, CompressionTypes } = kafkajs;

export function kafkaClient(brokers, clientId = 'bench') {
  return new Kafka({
    clientId,
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

/**
 * Creates the missing topics and waits for their leaders. A broker that has just started can
 * answer "does not host this topic-partition" while it elects them, so try again for a while.
 */
export async function ensureTopics(kafka) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = TOPIC_SPECS.filter((spec) => !existing.has(spec.topic));
        if (missing.length > 0) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((spec) => ({ ...spec, replicationFactor: -1 })),
          });
        }
        await admin.fetchTopicMetadata({ topics: TOPIC_SPECS.map((spec) => spec.topic) });
        return;
      } catch (error) {
        if (attempt >= 30) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

export async function producer(kafka) {
  const p = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await p.connect();
  return p;
}

/** Produces messages in chunks (acks from all in-sync replicas), bounded by the array length. */
export async function produceAll(p, topic, messages, chunk = 2000) {
  for (let i = 0; i < messages.length; i += chunk) {
    await p.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: messages.slice(i, i + chunk),
    });
  }
}

/** `[{ partition, offset }]`: the next offset to be written, per partition. */
export async function endOffsets(kafka, topic) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.map(({ partition, offset }) => ({ partition, offset }));
  } finally {
    await admin.disconnect();
  }
}

/** Commits `offsets` for a consumer group that has no members yet, so it starts there. */
export async function positionGroup(kafka, groupId, topic, offsets) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({ groupId, topic, partitions: offsets });
  } finally {
    await admin.disconnect();
  }
}
