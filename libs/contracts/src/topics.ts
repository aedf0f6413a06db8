/**
 * Kafka topic names. The version in the name is the message schema's major
 * version: a breaking change gets a new topic, never a new meaning on this one.
 */
export const TOPICS = {
  incidents: 'axiorank.incidents.v1',
  alerts: 'axiorank.alerts.v1',
  incidentSync: 'axiorank.incident-sync.v1',
  channels: 'axiorank.channels.v1',
  webhookVerifications: 'axiorank.webhook-verifications.v1',
} as const;

export type TopicName = keyof typeof TOPICS;
export type Topic = (typeof TOPICS)[TopicName];
export type DlqTopic = `${Topic}.dlq`;

export const DLQ_SUFFIX = '.dlq';

export function dlqTopic<T extends string>(topic: T): `${T}.dlq` {
  return `${topic}${DLQ_SUFFIX}`;
}

export interface TopicConfigEntry {
  readonly name: string;
  readonly value: string;
}

/** Shaped like kafkajs' `ITopicConfig`, so a spec can go straight to `admin.createTopics`. */
export interface TopicSpec {
  readonly topic: Topic | DlqTopic;
  readonly numPartitions: number;
  readonly configEntries: readonly TopicConfigEntry[];
}

// Dead letters are rare and read by people, so one partition keeps them in order.
const DLQ_PARTITIONS = 1;

const SOURCE_SPECS: Readonly<Record<Topic, Omit<TopicSpec, 'topic'>>> = {
  [TOPICS.incidents]: { numPartitions: 6, configEntries: [] },
  [TOPICS.alerts]: { numPartitions: 6, configEntries: [] },
  [TOPICS.incidentSync]: { numPartitions: 6, configEntries: [] },
  // Compacted: the latest snapshot per channel id is the channel's state, a tombstone deletes it.
  [TOPICS.channels]: {
    numPartitions: 3,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
  },
  [TOPICS.webhookVerifications]: { numPartitions: 3, configEntries: [] },
};

function buildSpecs(): Readonly<Record<Topic | DlqTopic, TopicSpec>> {
  const specs = {} as Record<Topic | DlqTopic, TopicSpec>;
  for (const topic of Object.values(TOPICS)) {
    specs[topic] = { topic, ...SOURCE_SPECS[topic] };
    const dlq = dlqTopic(topic);
    specs[dlq] = { topic: dlq, numPartitions: DLQ_PARTITIONS, configEntries: [] };
  }
  return specs;
}

/** Every topic and its dead-letter topic, with the partitions and config they are created with. */
export const TOPIC_SPECS: Readonly<Record<Topic | DlqTopic, TopicSpec>> = buildSpecs();

/** The specs a service must create for the topics it uses: each topic and its dead-letter topic. */
export function topicSpecsFor(topics: readonly Topic[]): TopicSpec[] {
  const unique = [...new Set(topics)];
  return unique.flatMap((topic) => [TOPIC_SPECS[topic], TOPIC_SPECS[dlqTopic(topic)]]);
}

export function isTopic(value: string): value is Topic {
  return (Object.values(TOPICS) as string[]).includes(value);
}
