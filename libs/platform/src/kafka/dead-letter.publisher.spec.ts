import { Logger } from '@nestjs/common';
import { KafkaJSProtocolError } from 'kafkajs';
import { HEADERS } from '@app/contracts';
import { DeadLetterPublisher, DLQ_TRUNCATED_VALUE_BYTES } from './dead-letter.publisher';
import type { KafkaProducerService, OutgoingMessage } from './kafka-producer.service';

/** A producer standing in for the broker: refuses records larger than `maxBytes`. */
class SizeLimitedProducer {
  readonly sent: { topic: string; message: OutgoingMessage }[] = [];

  constructor(private readonly maxBytes: number) {}

  send(topic: string, messages: OutgoingMessage[]): Promise<[]> {
    for (const message of messages) {
      const headerBytes = Object.entries(message.headers ?? {}).reduce(
        (sum, [k, v]) => sum + k.length + Buffer.byteLength(v),
        0,
      );
      const valueBytes = message.value === null ? 0 : Buffer.byteLength(message.value);
      if (valueBytes + headerBytes > this.maxBytes) {
        const refusal = Object.assign(new Error('message larger than the max message size'), {
          type: 'MESSAGE_TOO_LARGE',
          code: 10,
          retriable: false,
        });
        return Promise.reject(new KafkaJSProtocolError(refusal));
      }
      this.sent.push({ topic, message });
    }
    return Promise.resolve([]);
  }
}

const letter = (value: string) => ({
  topic: 'axiorank.incidents.v1',
  partition: 2,
  offset: '7',
  key: 'inc_1',
  value,
  headers: { 'x-correlation-id': Buffer.from('corr-1') },
  reason: 'eventId must be a UUID',
});

describe('DeadLetterPublisher', () => {
  // Each dead letter is logged as a warning; not needed here.
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it('dead-letters the value whole, with the reason and the original headers', async () => {
    const producer = new SizeLimitedProducer(10_000);
    const sut = new DeadLetterPublisher(producer as unknown as KafkaProducerService);

    await sut.publish(letter('{not json'));

    expect(producer.sent).toHaveLength(1);
    const [{ topic, message }] = producer.sent;
    expect(topic).toBe('axiorank.incidents.v1.dlq');
    expect(message.value).toBe('{not json');
    expect(message.headers).toMatchObject({
      'x-correlation-id': 'corr-1',
      [HEADERS.dlqReason]: 'eventId must be a UUID',
      [HEADERS.dlqSourceOffset]: '7',
    });
    expect(message.headers?.[HEADERS.dlqValueTruncated]).toBeUndefined();
  });

  it('cuts a value that no longer fits once the headers are added, instead of failing for ever', async () => {
    const limit = 200_000;
    const producer = new SizeLimitedProducer(limit);
    const sut = new DeadLetterPublisher(producer as unknown as KafkaProducerService);
    const value = `{"eventId":"${'x'.repeat(limit - 40)}"}`;

    await sut.publish(letter(value));

    expect(producer.sent).toHaveLength(1);
    const { message } = producer.sent[0];
    const kept = message.value as Buffer;
    expect(kept).toHaveLength(DLQ_TRUNCATED_VALUE_BYTES);
    expect(value.startsWith(kept.toString('utf8'))).toBe(true);
    expect(message.headers).toMatchObject({
      [HEADERS.dlqValueTruncated]: String(Buffer.byteLength(value)),
      [HEADERS.dlqReason]: 'eventId must be a UUID',
      'x-correlation-id': 'corr-1',
    });
  });

  it('lets any other failure through, so the message is redelivered', async () => {
    const producer = {
      send: () => Promise.reject(new Error('broker unreachable')),
    } as unknown as KafkaProducerService;
    const sut = new DeadLetterPublisher(producer);

    await expect(sut.publish(letter('{not json'))).rejects.toThrow('broker unreachable');
  });
});
