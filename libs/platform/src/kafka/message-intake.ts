import { Injectable } from '@nestjs/common';
import type { KafkaContext } from '@nestjs/microservices';
import type { IHeaders } from 'kafkajs';
import {
  parseMessage,
  readHeaders,
  type MessageFor,
  type MessageHeaders,
  type Topic,
} from '@app/contracts';
import { DeadLetterPublisher } from './dead-letter.publisher';

export interface IncomingMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: MessageHeaders;
}

export type IntakeOutcome = 'handled' | 'dead-lettered' | 'tombstone';

/** A consumed record as kafkajs hands it over (Nest's parser may have decoded headers and key). */
export interface RawRecord {
  partition: number;
  offset: string;
  key: Buffer | string | null | undefined;
  value: Buffer | string | null;
  headers?: IHeaders;
}

/** The record behind a Nest `KafkaContext`. */
export const recordOf = (context: KafkaContext): RawRecord => {
  const message = context.getMessage();
  return {
    partition: context.getPartition(),
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers,
  };
};

/**
 * The one way a consumer takes a message in: parse and validate it through `@app/contracts`;
 * an unparseable or invalid one goes to `<topic>.dlq` with the reason and is committed, so a
 * poison message never stalls its partition. A handler that throws (a transient failure such
 * as the database being down) makes kafkajs redeliver the same message, so nothing is lost.
 */
@Injectable()
export class MessageIntake {
  constructor(private readonly deadLetters: DeadLetterPublisher) {}

  async receive<T extends Topic>(
    topic: T,
    record: RawRecord,
    handle: (message: MessageFor<T>, meta: IncomingMeta) => Promise<void>,
    onTombstone?: (meta: IncomingMeta) => Promise<void>,
  ): Promise<IntakeOutcome> {
    const { value } = record;
    const key = record.key === null || record.key === undefined ? null : String(record.key);
    const meta: IncomingMeta = {
      topic,
      partition: record.partition,
      offset: record.offset,
      key,
      headers: readHeaders(record.headers),
    };
    const parsed = parseMessage(topic, value);
    if (!parsed.ok) {
      await this.deadLetters.publish({
        topic,
        partition: meta.partition,
        offset: meta.offset,
        key,
        value,
        headers: record.headers,
        reason: parsed.reason,
      });
      return 'dead-lettered';
    }
    if (parsed.tombstone) {
      await onTombstone?.(meta);
      return 'tombstone';
    }
    await handle(parsed.message, meta);
    return 'handled';
  }
}
