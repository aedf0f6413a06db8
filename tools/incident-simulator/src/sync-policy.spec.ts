import type { IncidentRecord } from './incident-record';
import type { IncidentStatus } from './incident-state-machine';
import { decideSync, type SyncFacts } from './sync-policy';

const T0 = Date.parse('2026-12-04T10:00:00Z');

function makeRecord(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    workspaceId: 'ws_a',
    status: 'open',
    lastActivityAtMs: T0,
    history: [],
    details: {
      id: 'inc_1',
      title: 'Agent exfiltrating CRM records',
      severity: 'critical',
      alertCount: 3,
      blastRadius: { agents: 1, tools: 1, users: 0, summary: '1 agent' },
      recommendedActions: [],
      url: 'http://localhost:3000/workspaces/ws_a/incidents/inc_1',
    },
    ...overrides,
  };
}

function makeSync(overrides: Partial<SyncFacts> = {}): SyncFacts {
  return {
    eventId: '0b6f1f4e-8f2a-4d55-9a3e-3f1f1f0c2b11',
    type: 'incident.acknowledged',
    workspaceId: 'ws_a',
    occurredAt: new Date(T0 + 1000).toISOString(),
    ...overrides,
  };
}

describe('decideSync', () => {
  it('applies an acknowledge to an open incident of the same workspace', () => {
    const record = makeRecord();
    expect(decideSync(makeSync(), record, false)).toEqual({
      outcome: 'applied',
      record,
      to: 'acknowledged',
      eventType: 'incident.acknowledged',
    });
  });

  it.each<IncidentStatus>(['open', 'acknowledged'])(
    'applies a resolve to a %s incident',
    (status) => {
      expect(
        decideSync(makeSync({ type: 'incident.resolved' }), makeRecord({ status }), false),
      ).toMatchObject({ outcome: 'applied', to: 'resolved', eventType: 'incident.resolved' });
    },
  );

  it('ignores a sync event naming an incident of another workspace, whatever its status', () => {
    for (const status of ['open', 'acknowledged', 'resolved'] as const) {
      for (const type of ['incident.acknowledged', 'incident.resolved'] as const) {
        const sut = decideSync(
          makeSync({ workspaceId: 'ws_b', type }),
          makeRecord({ status }),
          false,
        );
        expect(sut.outcome).toBe('ignored_other_workspace');
      }
    }
  });

  it('ignores an acknowledge after a resolve (never backwards)', () => {
    expect(decideSync(makeSync(), makeRecord({ status: 'resolved' }), false)).toMatchObject({
      outcome: 'ignored_backwards',
    });
  });

  it('counts a change the incident already has as a duplicate', () => {
    expect(decideSync(makeSync(), makeRecord({ status: 'acknowledged' }), false)).toMatchObject({
      outcome: 'ignored_duplicate',
      detail: 'incident is already acknowledged',
    });
    expect(
      decideSync(
        makeSync({ type: 'incident.resolved' }),
        makeRecord({ status: 'resolved' }),
        false,
      ),
    ).toMatchObject({ outcome: 'ignored_duplicate' });
  });

  it('ignores an event id already processed before looking at the incident', () => {
    expect(decideSync(makeSync(), makeRecord(), true)).toMatchObject({
      outcome: 'ignored_duplicate',
    });
    expect(decideSync(makeSync(), undefined, true).outcome).toBe('ignored_duplicate');
  });

  it('ignores an unknown incident', () => {
    expect(decideSync(makeSync(), undefined, false).outcome).toBe('ignored_unknown_incident');
  });

  it('ignores a change PagerDuty made before the incident reopened', () => {
    const reopened = makeRecord({ status: 'open', reopenedAtMs: T0 + 5000 });
    const before = makeSync({ occurredAt: new Date(T0 + 4999).toISOString() });
    const after = makeSync({ occurredAt: new Date(T0 + 5000).toISOString() });
    expect(decideSync(before, reopened, false)).toMatchObject({ outcome: 'ignored_backwards' });
    expect(decideSync(after, reopened, false)).toMatchObject({ outcome: 'applied' });
  });

  it('does not compare clocks for an incident that never reopened', () => {
    const skewed = makeSync({ occurredAt: new Date(T0 - 60_000).toISOString() });
    expect(decideSync(skewed, makeRecord(), false).outcome).toBe('applied');
  });
});
