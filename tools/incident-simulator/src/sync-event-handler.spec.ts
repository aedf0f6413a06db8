import {
  buildHeaders,
  makeIncidentSyncEvent,
  serializeMessage,
  type IncidentSyncEventV1,
} from '@app/contracts';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { IncidentService } from './incident-service';
import { SyncEventHandler } from './sync-event-handler';
import { SyncEventLog } from './sync-event-log';
import { RecordingSink } from './testing/recording-sink';

function setup() {
  const sink = new RecordingSink();
  const syncLog = new SyncEventLog();
  const service = new IncidentService({
    sink,
    syncLog,
    appBaseUrl: 'http://app.test',
    staleAfterMs: 60_000,
  });
  const sut = new SyncEventHandler(service, syncLog, sink);
  return { sut, sink, service, syncLog };
}

function kafkaMessage(value: Buffer | null, offset: string, headers: IHeaders = {}): KafkaMessage {
  return {
    key: Buffer.from('inc_1'),
    value,
    offset,
    timestamp: String(Date.now()),
    attributes: 0,
    headers,
  };
}

function syncMessage(event: IncidentSyncEventV1, offset: string): KafkaMessage {
  const headers = buildHeaders({ origin: 'pagerduty', channelId: event.channelId });
  return kafkaMessage(Buffer.from(serializeMessage(event)), offset, headers);
}

describe('SyncEventHandler', () => {
  it('dead-letters a garbage message with the reason and its original headers', async () => {
    const { sut, sink, syncLog } = setup();
    const record = await sut.handle({
      partition: 3,
      message: kafkaMessage(Buffer.from('not json'), '17', { 'x-test': 'kept' }),
    });

    expect(record).toMatchObject({
      outcome: 'dead_lettered',
      partition: 3,
      offset: '17',
      key: 'inc_1',
      detail: expect.stringMatching(/^invalid JSON/),
    });
    expect(sink.deadLetters).toEqual([
      expect.objectContaining({
        topic: 'axiorank.incident-sync.v1',
        partition: 3,
        offset: '17',
        value: Buffer.from('not json'),
        headers: { 'x-test': 'kept' },
        reason: record.detail,
      }),
    ]);
    expect(syncLog.list()).toHaveLength(1);
  });

  it('dead-letters a null value and one that breaks the schema', async () => {
    const { sut, sink } = setup();
    await sut.handle({ partition: 0, message: kafkaMessage(null, '1') });
    const wrong = { ...makeIncidentSyncEvent(), source: 'axiorank' };
    await sut.handle({
      partition: 0,
      message: kafkaMessage(Buffer.from(JSON.stringify(wrong)), '2'),
    });
    expect(sink.deadLetters.map((l) => l.reason)).toEqual([
      'null value (tombstone) is not allowed on axiorank.incident-sync.v1',
      'source must be one of: pagerduty',
    ]);
  });

  it('applies a valid event, carrying the channel header into the lifecycle event', async () => {
    const { sut, sink, service } = setup();
    await service.open({ workspaceId: 'ws_a', id: 'inc_1', title: 'T', severity: 'low' });
    const event = makeIncidentSyncEvent({ workspaceId: 'ws_a', incidentId: 'inc_1' });

    const record = await sut.handle({ partition: 1, message: syncMessage(event, '5') });

    expect(record).toMatchObject({ outcome: 'applied', eventId: event.eventId, offset: '5' });
    expect(sink.last().headers).toMatchObject({ origin: 'pagerduty', channelId: event.channelId });
    expect(sink.deadLetters).toHaveLength(0);
  });

  it('throws, recording nothing, when the dead-letter topic cannot be reached', async () => {
    const { sut, sink, syncLog } = setup();
    sink.failNext = true;
    await expect(
      sut.handle({ partition: 0, message: kafkaMessage(Buffer.from('{'), '1') }),
    ).rejects.toThrow('broker unavailable');
    expect(syncLog.list()).toHaveLength(0);
  });
});
