import { Transport, type KafkaOptions as NestKafkaOptions } from '@nestjs/microservices';
import { Partitioners } from 'kafkajs';
import { kafkaLogCreator } from './kafka-log-creator';

export interface ConsumerOptions {
  clientId: string;
  brokers: string[];
  groupId: string;
  /** Partitions handled at once; each partition stays strictly sequential. */
  partitionsConsumedConcurrently?: number;
}

/**
 * The Nest Kafka transport for a service's consumers. Values stay binary so that
 * `@app/contracts` parses and validates them (and can dead-letter what it cannot parse);
 * offsets are committed by kafkajs only after a handler resolved, i.e. after its durable write.
 */
export function kafkaConsumerOptions(options: ConsumerOptions): NestKafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
      // Nest appends "-server" to ids unless told otherwise; keep the ids we chose.
      postfixId: '',
      client: {
        clientId: options.clientId,
        brokers: options.brokers,
        logCreator: kafkaLogCreator,
        connectionTimeout: 3000,
        retry: { initialRetryTime: 300, maxRetryTime: 10000, retries: 10 },
      },
      consumer: {
        groupId: options.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: 30000,
        heartbeatInterval: 3000,
        // A shorter fetch wait makes shutdown (which waits for the fetch in flight) quick.
        maxWaitTimeInMs: 1000,
        retry: { initialRetryTime: 300, maxRetryTime: 10000, retries: 10 },
      },
      producer: { createPartitioner: Partitioners.DefaultPartitioner },
      subscribe: { fromBeginning: true },
      run: {
        autoCommit: true,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      },
      parser: { keepBinary: true },
    },
  };
}
