import type { EntityManager } from 'typeorm';
import { OutboxMessage } from './outbox-message.entity';

export interface OutboxEntry {
  topic: string;
  key: string | null;
  value: string | null;
  headers?: Record<string, string>;
}

/** Adds messages to the outbox inside the caller's transaction. */
export async function writeToOutbox(manager: EntityManager, entries: OutboxEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await manager.getRepository(OutboxMessage).insert(
    entries.map((e) => ({
      topic: e.topic,
      key: e.key,
      value: e.value,
      headers: e.headers ?? {},
    })),
  );
}
