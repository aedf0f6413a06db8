import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Partitioners, type Kafka, type Producer, type RecordMetadata } from 'kafkajs';
import { KAFKA_CLIENT } from './kafka.options';

export interface OutgoingMessage {
  key: string | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

/** A producer that resolves only once the brokers acknowledged (acks=all). */
@Injectable()
export class KafkaProducerService implements OnApplicationShutdown {
  private producer?: Producer;
  private connecting?: Promise<Producer>;

  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
      });
      producer.on(producer.events.DISCONNECT, () => {
        if (this.producer === producer) this.producer = undefined;
      });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async send(topic: string, messages: OutgoingMessage[]): Promise<RecordMetadata[]> {
    const producer = await this.connected();
    return producer.send({ topic, acks: -1, messages: messages });
  }

  async onApplicationShutdown(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }
}
