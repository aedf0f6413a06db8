import { randomUUID } from 'node:crypto';
import {
  TOPICS,
  makeIncidentSyncEvent,
  parseMessage,
  serializeMessage,
  type DeepPartial,
  type IncidentSyncEventV1,
} from '@app/contracts';
import type { OpenIncidentInput } from './incident-inputs';
import { IncidentService } from './incident-service';
import { SyncEventLog } from './sync-event-log';
import { RecordingSink } from './testing/recording-sink';

const CHANNEL_ID = '6f1c1f0e-2b8a-4f5e-9a3e-3f1f1f0c2b11';

function setup() {
  let now = Date.parse('2026-12-04T10:00:00Z');
  const sink = new RecordingSink();
  const syncLog = new SyncEventLog();
  const sut = new IncidentService({
    sink,
    syncLog,
    appBaseUrl: 'http://app.test',
    staleAfterMs: 60_000,
    clock: () => now,
  });
  const advance = (ms: number) => {
    now += ms;
  };
  const open = (overrides: Partial<OpenIncidentInput> = {}) =>
    sut.open({
      workspaceId: 'ws_a',
      title: 'Agent exfiltrating CRM records',
      severity: 'critical',
      ...overrides,
    });
  let offset = 0;
  const sync = (id: string, overrides: DeepPartial<IncidentSyncEventV1> = {}) =>
    sut.applySync(
      makeIncidentSyncEvent({
        workspaceId: 'ws_a',
        incidentId: id,
        channelId: CHANNEL_ID,
        occurredAt: new Date(now).toISOString(),
        ...overrides,
      }),
      { origin: 'pagerduty', channelId: CHANNEL_ID, correlationId: 'corr-sync' },
      { partition: 0, offset: String(offset++) },
    );
  return { sut, sink, syncLog, advance, open, sync };
}

describe('IncidentService', () => {
  describe('commands', () => {
    it('opens an incident and produces a valid incident.opened with defaults filled in', async () => {
      const { sut, sink, open } = setup();
      const view = await open({ id: 'inc_1', blastRadius: { agents: 3, tools: 5 } });

      expect(view.status).toBe('open');
      const { event, headers } = sink.last();
      expect(event).toMatchObject({
        type: 'incident.opened',
        workspaceId: 'ws_a',
        occurredAt: '2026-12-04T10:00:00.000Z',
        incident: {
          id: 'inc_1',
          status: 'open',
          alertCount: 1,
          blastRadius: { agents: 3, tools: 5, users: 0, summary: '3 agents, 5 tools, 0 users' },
          recommendedActions: [],
          url: 'http://app.test/workspaces/ws_a/incidents/inc_1',
        },
      });
      expect(parseMessage(TOPICS.incidents, serializeMessage(event)).ok).toBe(true);
      expect(headers).toMatchObject({ origin: 'axiorank', correlationId: expect.any(String) });
      expect(sut.get('inc_1')?.history).toEqual([
        {
          type: 'incident.opened',
          origin: 'axiorank',
          occurredAt: event.occurredAt,
          eventId: event.eventId,
        },
      ]);
    });

    it('generates an id and gives every event a fresh event id', async () => {
      const { sut, sink, open } = setup();
      const view = await open();
      await sut.acknowledge(view.incident.id);
      expect(view.incident.id).toMatch(/^inc_/);
      expect(new Set(sink.events.map((e) => e.event.eventId)).size).toBe(2);
    });

    it('refuses a second incident with the same id', async () => {
      const { open } = setup();
      await open({ id: 'inc_1' });
      await expect(open({ id: 'inc_1', workspaceId: 'ws_b' })).rejects.toMatchObject({
        kind: 'conflict',
      });
    });

    it('refuses input the contract rejects, producing nothing', async () => {
      const { sink, open } = setup();
      await expect(open({ url: 'javascript:alert(1)' })).rejects.toMatchObject({
        kind: 'invalid',
        message: 'incident.url must be an absolute http(s) URL',
      });
      await expect(open({ title: 't'.repeat(10_001) })).rejects.toMatchObject({ kind: 'invalid' });
      expect(sink.events).toHaveLength(0);
    });

    it('walks the lifecycle and emits one event per change', async () => {
      const { sut, sink, open } = setup();
      await open({ id: 'inc_1' });
      await sut.update('inc_1', { alertCount: 17, title: 'Wider now' });
      await sut.acknowledge('inc_1');
      await sut.resolve('inc_1');
      await sut.reopen('inc_1');

      expect(sink.events.map((e) => [e.event.type, e.event.incident.status])).toEqual([
        ['incident.opened', 'open'],
        ['incident.updated', 'open'],
        ['incident.acknowledged', 'acknowledged'],
        ['incident.resolved', 'resolved'],
        ['incident.opened', 'open'],
      ]);
      expect(sink.events[3].event.resolution).toEqual({ reason: 'manual' });
      expect(sink.events[4].event.incident).toMatchObject({ title: 'Wider now', alertCount: 17 });
      expect(sut.get('inc_1')?.history.map((h) => h.type)).toHaveLength(5);
    });

    it.each([
      ['acknowledge a resolved incident', 'resolved', 'acknowledge'],
      ['acknowledge twice', 'acknowledged', 'acknowledge'],
      ['resolve twice', 'resolved', 'resolve'],
      ['reopen an open incident', 'open', 'reopen'],
      ['update a resolved incident', 'resolved', 'update'],
    ] as const)('refuses to %s with a conflict', async (_name, status, action) => {
      const { sut, sink, open } = setup();
      await open({ id: 'inc_1' });
      if (status === 'acknowledged') await sut.acknowledge('inc_1');
      if (status === 'resolved') await sut.resolve('inc_1');
      const published = sink.events.length;

      const attempt =
        action === 'update' ? sut.update('inc_1', { alertCount: 2 }) : sut[action]('inc_1');

      await expect(attempt).rejects.toMatchObject({
        kind: 'conflict',
        message: expect.stringMatching(/^cannot \w+ inc_1: incident is/),
      });
      expect(sink.events).toHaveLength(published);
      expect(sut.get('inc_1')?.status).toBe(status);
    });

    it('answers not found for an unknown incident', async () => {
      const { sut } = setup();
      await expect(sut.acknowledge('nope')).rejects.toMatchObject({ kind: 'not_found' });
    });

    it('changes nothing when the broker does not take the event', async () => {
      const { sut, sink, open } = setup();
      await open({ id: 'inc_1' });
      sink.failNext = true;
      await expect(sut.acknowledge('inc_1')).rejects.toThrow('broker unavailable');
      expect(sut.get('inc_1')?.status).toBe('open');
      expect(sut.get('inc_1')?.history).toHaveLength(1);
      await sut.acknowledge('inc_1');
      expect(sut.get('inc_1')?.status).toBe('acknowledged');
    });

    it('keeps concurrent changes to one incident in order', async () => {
      const { sut, sink, open } = setup();
      await open({ id: 'inc_1' });
      const results = await Promise.allSettled([
        sut.acknowledge('inc_1'),
        sut.resolve('inc_1'),
        sut.acknowledge('inc_1'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect(sink.events.map((e) => e.event.type)).toEqual([
        'incident.opened',
        'incident.acknowledged',
        'incident.resolved',
      ]);
    });

    it('lists incidents by workspace', async () => {
      const { sut, open } = setup();
      await open({ id: 'inc_1' });
      await open({ id: 'inc_2', workspaceId: 'ws_b' });
      expect(sut.list('ws_b').map((v) => v.incident.id)).toEqual(['inc_2']);
      expect(sut.list()).toHaveLength(2);
    });
  });

  describe('stale sweep', () => {
    it('auto-resolves active incidents idle past the threshold', async () => {
      const { sut, sink, advance, open } = setup();
      await open({ id: 'inc_old' });
      await open({ id: 'inc_acked' });
      await sut.acknowledge('inc_acked');
      await open({ id: 'inc_done' });
      await sut.resolve('inc_done');
      advance(30_000);
      await open({ id: 'inc_new' });
      advance(30_000);

      const result = await sut.sweep();

      expect(result).toEqual({
        olderThanMs: 60_000,
        resolved: ['inc_old', 'inc_acked'],
        failed: [],
      });
      const resolves = sink.events.filter((e) => e.event.type === 'incident.resolved').slice(1);
      expect(
        resolves.map((e) => [e.event.incident.id, e.event.resolution, e.headers.origin]),
      ).toEqual([
        ['inc_old', { reason: 'auto_stale' }, 'axiorank'],
        ['inc_acked', { reason: 'auto_stale' }, 'axiorank'],
      ]);
      expect(sut.get('inc_new')?.status).toBe('open');
    });

    it('takes a threshold and a workspace', async () => {
      const { sut, advance, open } = setup();
      await open({ id: 'inc_a' });
      await open({ id: 'inc_b', workspaceId: 'ws_b' });
      advance(10);
      expect((await sut.sweep({ olderThanMs: 10, workspaceId: 'ws_b' })).resolved).toEqual([
        'inc_b',
      ]);
    });

    it('counts any change as activity', async () => {
      const { sut, advance, open } = setup();
      await open({ id: 'inc_1' });
      advance(59_000);
      await sut.update('inc_1', { alertCount: 3 });
      advance(59_000);
      expect((await sut.sweep()).resolved).toEqual([]);
    });

    it('reports an incident it could not resolve and carries on', async () => {
      const { sut, sink, advance, open } = setup();
      await open({ id: 'inc_1' });
      await open({ id: 'inc_2' });
      advance(60_000);
      sink.failNext = true;
      expect(await sut.sweep()).toEqual({
        olderThanMs: 60_000,
        resolved: ['inc_2'],
        failed: [{ id: 'inc_1', error: 'broker unavailable' }],
      });
    });
  });

  describe('sync events from PagerDuty', () => {
    it('acknowledges and emits incident.acknowledged with origin pagerduty and the channel id', async () => {
      const { sut, sink, open, sync } = setup();
      await open({ id: 'inc_1' });
      const record = await sync('inc_1', {
        actor: { id: 'PJANE', name: 'Jane Doe', type: 'user_reference' },
      });

      expect(record).toMatchObject({
        outcome: 'applied',
        incidentId: 'inc_1',
        emittedEventId: sink.last().event.eventId,
      });
      expect(sink.last().event).toMatchObject({
        type: 'incident.acknowledged',
        incident: { status: 'acknowledged' },
      });
      expect(sink.last().headers).toEqual({
        origin: 'pagerduty',
        channelId: CHANNEL_ID,
        correlationId: 'corr-sync',
        traceparent: undefined,
      });
      expect(sut.get('inc_1')?.history.at(-1)).toMatchObject({
        type: 'incident.acknowledged',
        origin: 'pagerduty',
        actor: { id: 'PJANE', name: 'Jane Doe', type: 'user_reference' },
        channelId: CHANNEL_ID,
      });
    });

    it('resolves with resolution.reason pagerduty', async () => {
      const { sink, open, sync } = setup();
      await open({ id: 'inc_1' });
      await sync('inc_1', { type: 'incident.resolved', actor: null });
      expect(sink.last().event).toMatchObject({
        type: 'incident.resolved',
        resolution: { reason: 'pagerduty' },
      });
      expect(sink.last().headers.origin).toBe('pagerduty');
    });

    it('applies the same event id once', async () => {
      const { sink, open, sync } = setup();
      await open({ id: 'inc_1' });
      const eventId = randomUUID();
      const first = await sync('inc_1', { eventId, type: 'incident.resolved' });
      const second = await sync('inc_1', { eventId, type: 'incident.resolved' });
      expect([first.outcome, second.outcome]).toEqual(['applied', 'ignored_duplicate']);
      expect(sink.events).toHaveLength(2);
    });

    it("never touches another workspace's incident", async () => {
      const { sut, sink, open, sync } = setup();
      await open({ id: 'inc_1', workspaceId: 'ws_victim' });
      const ack = await sync('inc_1', { workspaceId: 'ws_attacker' });
      const resolve = await sync('inc_1', {
        workspaceId: 'ws_attacker',
        type: 'incident.resolved',
      });
      expect([ack.outcome, resolve.outcome]).toEqual([
        'ignored_other_workspace',
        'ignored_other_workspace',
      ]);
      expect(sut.get('inc_1')?.status).toBe('open');
      expect(sink.events).toHaveLength(1);
    });

    it('keeps a resolved incident resolved when a late acknowledge arrives', async () => {
      const { sut, sink, open, sync } = setup();
      await open({ id: 'inc_1' });
      await sut.resolve('inc_1');
      expect((await sync('inc_1')).outcome).toBe('ignored_backwards');
      expect(sut.get('inc_1')?.status).toBe('resolved');
      expect(sink.events).toHaveLength(2);
    });

    it('ignores a change from before a reopen but applies one after it', async () => {
      const { sut, advance, open, sync } = setup();
      await open({ id: 'inc_1' });
      await sut.resolve('inc_1');
      advance(1000);
      const staleAt = new Date(Date.parse('2026-12-04T10:00:00.500Z')).toISOString();
      await sut.reopen('inc_1');
      expect((await sync('inc_1', { occurredAt: staleAt })).outcome).toBe('ignored_backwards');
      advance(1000);
      expect((await sync('inc_1')).outcome).toBe('applied');
      expect(sut.get('inc_1')?.status).toBe('acknowledged');
    });

    it('records an unknown incident and leaves the event retryable when the broker fails', async () => {
      const { sut, sink, syncLog, open, sync } = setup();
      expect((await sync('inc_missing')).outcome).toBe('ignored_unknown_incident');

      await open({ id: 'inc_1' });
      const eventId = randomUUID();
      sink.failNext = true;
      await expect(sync('inc_1', { eventId })).rejects.toThrow('broker unavailable');
      expect(syncLog.hasSeen(eventId)).toBe(false);
      expect((await sync('inc_1', { eventId })).outcome).toBe('applied');
      expect(sut.get('inc_1')?.status).toBe('acknowledged');
    });
  });
});
