import {
  INCIDENT_STATUSES,
  isActive,
  transition,
  type IncidentStatus,
  type LifecycleAction,
} from './incident-state-machine';

describe('incident state machine', () => {
  it.each<[IncidentStatus, LifecycleAction, IncidentStatus, string]>([
    ['open', 'acknowledge', 'acknowledged', 'incident.acknowledged'],
    ['open', 'resolve', 'resolved', 'incident.resolved'],
    ['acknowledged', 'resolve', 'resolved', 'incident.resolved'],
    ['resolved', 'reopen', 'open', 'incident.opened'],
    ['open', 'update', 'open', 'incident.updated'],
    ['acknowledged', 'update', 'acknowledged', 'incident.updated'],
  ])('%s + %s → %s, emitting %s', (from, action, to, eventType) => {
    expect(transition(from, action)).toEqual({ kind: 'move', to, eventType });
  });

  it('never moves a resolved incident backwards to acknowledged', () => {
    expect(transition('resolved', 'acknowledge')).toMatchObject({ kind: 'backwards' });
  });

  it.each<[IncidentStatus, LifecycleAction]>([
    ['acknowledged', 'acknowledge'],
    ['resolved', 'resolve'],
  ])('%s + %s changes nothing', (from, action) => {
    expect(transition(from, action)).toMatchObject({ kind: 'unchanged' });
  });

  it.each<[IncidentStatus, LifecycleAction]>([
    ['open', 'reopen'],
    ['acknowledged', 'reopen'],
    ['resolved', 'update'],
  ])('%s + %s is illegal', (from, action) => {
    expect(transition(from, action)).toMatchObject({ kind: 'illegal' });
  });

  it('explains every refusal', () => {
    const actions: LifecycleAction[] = ['update', 'acknowledge', 'resolve', 'reopen'];
    for (const from of INCIDENT_STATUSES) {
      for (const action of actions) {
        const result = transition(from, action);
        if (result.kind !== 'move') expect(result.message).toMatch(/incident is/);
      }
    }
  });

  it('only a resolved incident is inactive', () => {
    expect(INCIDENT_STATUSES.filter(isActive)).toEqual(['open', 'acknowledged']);
  });
});
