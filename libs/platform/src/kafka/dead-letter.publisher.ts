import { Injectable, Logger } from '@nestjs/common';
import type { IHeaders } from 'kafkajs';
import { buildDlqHeaders, dlqTopic, HEADERS } from '@app/contracts';
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

/** What is kept of a value (and of each original header) the broker refused as too large. */
export const DLQ_TRUNCATED_VALUE_BYTES = 64 * 1024;
const TRUNCATED_HEADER_BYTES = 1024;

/** The broker refused the record as larger than its `max.message.bytes`. */
function isTooLarge(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const type = (e as { type?: unknown }).type;
    if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}

const byteLength = (value: Buffer | string): number =>
  typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;

const cut = (value: Buffer | string, bytes: number): Buffer =>
  (typeof value === 'string' ? Buffer.from(value, 'utf8') : value).subarray(0, bytes);

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
    const dlqHeaders = buildDlqHeaders({
      reason: letter.reason,
      sourceTopic: letter.topic,
      sourcePartition: letter.partition,
      sourceOffset: letter.offset,
    });
    const key = letter.key === null ? null : letter.key.toString();
    try {
      await this.producer.send(dlqTopic(letter.topic), [
        { key, value: letter.value, headers: { ...original, ...dlqHeaders } },
      ]);
    } catch (error) {
      // A message just under the broker's limit no longer fits with the reason added: were the
      // send retried as it is, it would fail for ever and stall the partition behind it.
      if (!isTooLarge(error) || letter.value === null) throw error;
      const trimmed: Record<string, string> = {};
      for (const [name, value] of Object.entries(original)) {
        trimmed[name] = cut(value, TRUNCATED_HEADER_BYTES).toString('utf8');
      }
      await this.producer.send(dlqTopic(letter.topic), [
        {
          key,
          value: cut(letter.value, DLQ_TRUNCATED_VALUE_BYTES),
          headers: {
            ...trimmed,
            ...dlqHeaders,
            [HEADERS.dlqValueTruncated]: String(byteLength(letter.value)),
          },
        },
      ]);
    }
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
