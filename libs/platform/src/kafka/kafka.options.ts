import type { TopicSpec } from '@app/contracts';

export type { TopicSpec };

export interface KafkaOptions {
  /** Client id prefix; kafkajs and Nest add their own suffixes. */
  clientId: string;
  brokers: string[];
  /** Create the topics below at startup (local and CI); the platform creates them in production. */
  createTopics: boolean;
  /** Every topic the service produces to or consumes from; readiness requires them all. */
  topics: TopicSpec[];
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
