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

/**
 * An `INSERT INTO outbox … SELECT` for use inside a larger statement (a data-modifying CTE), so
 * a state change and the messages announcing it are stored by one atomic statement without a
 * BEGIN/COMMIT round trip. The entries travel as four array parameters starting at
 * `$firstParam`; one row is added per entry for each row `source` yields (zero rows: none).
 */
export function outboxInsertFrom(
  schema: string,
  source: string,
  firstParam: number,
): { sql: string; params: (entries: OutboxEntry[]) => unknown[] } {
  const [topic, key, value, headers] = [0, 1, 2, 3].map((i) => `$${firstParam + i}`);
  return {
    sql:
      `INSERT INTO "${schema}"."outbox" ("topic", "message_key", "value", "headers") ` +
      `SELECT m."topic", m."message_key", m."value", m."headers" FROM ${source}, ` +
      `unnest(${topic}::text[], ${key}::text[], ${value}::text[], ${headers}::jsonb[]) ` +
      `AS m("topic", "message_key", "value", "headers")`,
    params: (entries) => [
      entries.map((e) => e.topic),
      entries.map((e) => e.key),
      entries.map((e) => e.value),
      entries.map((e) => JSON.stringify(e.headers ?? {})),
    ],
  };
}
