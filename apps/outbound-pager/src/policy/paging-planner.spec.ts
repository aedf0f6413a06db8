import { randomUUID } from 'node:crypto';
import {
  makeAlertEvent,
  makeChannelSnapshot,
  makeIncidentEvent,
  parseMessage,
  TOPICS,
  type AlertEventV1,
  type ChannelV1,
  type DeepPartial,
  type IncidentEventV1,
} from '@app/contracts';
import { planAlertEvent, planIncidentEvent } from './paging-planner';

const channel = (overrides: DeepPartial<ChannelV1> = {}): ChannelV1 =>
  makeChannelSnapshot({
    channel: { workspaceId: 'ws_1', hourlyCap: null, quietHours: null, ...overrides },
  }).channel;

const incidentEvent = (overrides: DeepPartial<IncidentEventV1> = {}) => {
  const parsed = parseMessage(
    TOPICS.incidents,
    JSON.stringify(makeIncidentEvent({ workspaceId: 'ws_1', ...overrides })),
  );
  if (!parsed.ok || parsed.tombstone) throw new Error('invalid factory output');
  return parsed.message;
};

const alertEvent = (overrides: DeepPartial<AlertEventV1> = {}) => {
  const parsed = parseMessage(
    TOPICS.alerts,
    JSON.stringify(makeAlertEvent({ workspaceId: 'ws_1', ...overrides })),
  );
  if (!parsed.ok || parsed.tombstone) throw new Error('invalid factory output');
  return parsed.message;
};

describe('planIncidentEvent', () => {
  it.each([
    ['incident.opened', 'trigger', false],
    ['incident.updated', 'trigger', true],
    ['incident.acknowledged', 'acknowledge', false],
    ['incident.resolved', 'resolve', false],
  ] as const)(
    '%s → %s (only while open: %s), dedup key = incident id',
    (type, action, onlyIfOpen) => {
      const event = incidentEvent({ type, incident: { id: 'inc_42' } });
      const [job] = planIncidentEvent(
        event,
        'axiorank',
        [channel({ mode: 'incidents' })],
        'https://app',
      );
      expect(job).toMatchObject({ action, onlyIfOpen, dedupKey: 'inc_42', status: 'pending' });
    },
  );

  it('one job per incidents-mode channel of the workspace; alerts-mode channels get none', () => {
    const a = channel({ id: randomUUID() });
    const b = channel({ id: randomUUID(), region: 'eu' });
    const jobs = planIncidentEvent(
      incidentEvent(),
      undefined,
      [a, b, channel({ mode: 'alerts' })],
      'https://app',
    );
    expect(jobs.map((j) => [j.channelId, j.region])).toEqual([
      [a.id, a.region],
      [b.id, 'eu'],
    ]);
  });

  it('records an event from PagerDuty as skipped: it is never sent back', () => {
    const [job] = planIncidentEvent(
      incidentEvent({ type: 'incident.acknowledged' }),
      'pagerduty',
      [channel()],
      'https://app',
    );
    expect(job).toMatchObject({ status: 'skipped', reason: 'origin_pagerduty' });
  });

  it('records a workspace without a channel as such', () => {
    const jobs = planIncidentEvent(incidentEvent(), 'axiorank', [], 'https://app');
    expect(jobs).toEqual([
      expect.objectContaining({ channelId: null, status: 'skipped', reason: 'no_channel' }),
    ]);
  });

  it('links to the incident in AxioRank when the event carries no URL', () => {
    const event = incidentEvent({ workspaceId: 'ws 1', incident: { id: 'inc/1', url: undefined } });
    const [job] = planIncidentEvent(
      event,
      'axiorank',
      [channel({ workspaceId: 'ws 1' })],
      'https://app.example/',
    );
    expect(job.payload.kind === 'incident' && job.payload.incident.url).toBe(
      'https://app.example/workspaces/ws%201/incidents/inc%2F1',
    );
  });
});

describe('planAlertEvent', () => {
  const alerts = channel({ mode: 'alerts', severityFloor: 'high', hourlyCap: 5 });

  it('pages at or above the floor, with dedup key = alert id and the channel cap attached', () => {
    const [job] = planAlertEvent(
      alertEvent({ alert: { id: 'alr_1', severity: 'critical' } }),
      [alerts],
      'https://app',
    );
    expect(job).toMatchObject({
      status: 'pending',
      dedupKey: 'alr_1',
      action: 'trigger',
      hourlyCap: 5,
    });
  });

  it('suppresses below the floor', () => {
    const [job] = planAlertEvent(
      alertEvent({ alert: { severity: 'medium' } }),
      [alerts],
      'https://app',
    );
    expect(job).toMatchObject({ status: 'suppressed', reason: 'below_severity_floor' });
  });

  it('suppresses inside quiet hours, judged at the alert’s own time', () => {
    const quiet = channel({
      mode: 'alerts',
      severityFloor: 'low',
      quietHours: { start: '22:00', end: '07:00', timezone: 'Asia/Tokyo' },
    });
    const night = alertEvent({ occurredAt: '2026-12-04T15:00:00Z' }); // 00:00 in Tokyo
    const day = alertEvent({ occurredAt: '2026-12-04T03:00:00Z' }); // 12:00 in Tokyo
    expect(planAlertEvent(night, [quiet], 'https://app')[0]).toMatchObject({
      status: 'suppressed',
      reason: 'quiet_hours',
    });
    expect(planAlertEvent(day, [quiet], 'https://app')[0].status).toBe('pending');
  });

  it('ignores incidents-mode channels', () => {
    expect(planAlertEvent(alertEvent(), [channel({ mode: 'incidents' })], 'https://app')).toEqual([
      expect.objectContaining({ channelId: null, reason: 'no_channel' }),
    ]);
  });
});
