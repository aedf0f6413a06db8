import { Injectable, Logger } from '@nestjs/common';
import type { IHeaders } from 'kafkajs';
import { buildDlqHeaders, dlqTopic } from '@app/contracts';
import { KafkaProducerService } from './kafka-producer.service';

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: IHeaders;
  reason: string;
}

const toHeaderValue = (value: IHeaders[string]): string | Buffer | undefined => {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map(String).join(',') : value;
};

/** Sends messages that can never be processed to `<topic>.dlq`, the reason in their headers. */
@Injectable()
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);

  constructor(private readonly producer: KafkaProducerService) {}

  async publish(letter: DeadLetter): Promise<void> {
    const original: Record<string, string> = {};
    for (const [name, value] of Object.entries(letter.headers ?? {})) {
      const v = toHeaderValue(value);
      if (v !== undefined) original[name] = v.toString();
    }
    await this.producer.send(dlqTopic(letter.topic), [
      {
        key: letter.key === null ? null : letter.key.toString(),
        value: letter.value,
        headers: {
          ...original,
          ...buildDlqHeaders({
            reason: letter.reason,
            sourceTopic: letter.topic,
            sourcePartition: letter.partition,
            sourceOffset: letter.offset,
          }),
        },
      },
    ]);
    this.logger.warn(
      {
        topic: letter.topic,
        partition: letter.partition,
        offset: letter.offset,
        reason: letter.reason,
      },
      'message dead-lettered',
    );
  }
}
