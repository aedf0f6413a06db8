import type { IHeaders } from 'kafkajs';

/** A consumed message that can never be processed, on its way to `<topic>.dlq`. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
  reason: string;
}

export interface DeadLetterSink {
  publishDeadLetter(letter: DeadLetter): Promise<void>;
}
