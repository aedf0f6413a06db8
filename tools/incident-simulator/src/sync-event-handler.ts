import { TOPICS, parseMessage, readHeaders } from '@app/contracts';
import type { KafkaMessage } from 'kafkajs';
import type { DeadLetterSink } from './dead-letter';
import type { IncidentService } from './incident-service';
import { silentLogger, type SimulatorLogger } from './simulator-logger';
import type { SyncEventLog, SyncEventRecord } from './sync-event-log';

export interface ConsumedSyncMessage {
  partition: number;
  message: KafkaMessage;
}

/**
 * Handles one message of `axiorank.incident-sync.v1`: an invalid one goes to
 * the dead-letter topic with the reason in its headers; a valid one is applied
 * (or ignored, with the reason recorded). Throws only on a transient failure
 * (Kafka unreachable), so the consumer retries the same message.
 */
export class SyncEventHandler {
  constructor(
    private readonly service: IncidentService,
    private readonly syncLog: SyncEventLog,
    private readonly deadLetters: DeadLetterSink,
    private readonly logger: SimulatorLogger = silentLogger,
  ) {}

  async handle({ partition, message }: ConsumedSyncMessage): Promise<SyncEventRecord> {
    const position = { partition, offset: message.offset };
    const parsed = parseMessage(TOPICS.incidentSync, message.value);
    if (parsed.ok && parsed.tombstone !== true) {
      const headers = readHeaders(message.headers);
      return this.service.applySync(parsed.message, headers, position);
    }
    const reason = parsed.ok ? 'unexpected tombstone' : parsed.reason;
    await this.deadLetters.publishDeadLetter({
      topic: TOPICS.incidentSync,
      ...position,
      key: message.key,
      value: message.value,
      headers: message.headers ?? {},
      reason,
    });
    this.logger.warn('sync event dead-lettered', { ...position, reason });
    return this.syncLog.record({
      receivedAt: new Date().toISOString(),
      ...position,
      outcome: 'dead_lettered',
      detail: reason,
      ...(message.key === null ? {} : { key: message.key.toString('utf8') }),
    });
  }
}
