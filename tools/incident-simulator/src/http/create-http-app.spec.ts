import { HEADERS } from '@app/contracts';
import request from 'supertest';
import { IncidentService } from '../incident-service';
import { silentLogger } from '../simulator-logger';
import { SyncEventLog } from '../sync-event-log';
import { RecordingSink } from '../testing/recording-sink';
import { createHttpApp } from './create-http-app';

function setup() {
  const sink = new RecordingSink();
  const syncLog = new SyncEventLog();
  const service = new IncidentService({
    sink,
    syncLog,
    appBaseUrl: 'http://app.test',
    staleAfterMs: 60_000,
  });
  const app = createHttpApp(service, syncLog, silentLogger);
  return { app, sink, service, syncLog };
}

const incident = { workspaceId: 'ws_a', id: 'inc_1', title: 'Exfiltration', severity: 'high' };

describe('incident simulator HTTP API', () => {
  it('opens an incident: 201 with the incident, correlation id carried into the event', async () => {
    const { app, sink } = setup();
    const res = await request(app)
      .post('/incidents')
      .set(HEADERS.correlationId, 'corr-1')
      .send({ ...incident, alertCount: 17, recommendedActions: ['Revoke the token'] });

    expect(res.status).toBe(201);
    expect(res.headers[HEADERS.correlationId]).toBe('corr-1');
    expect(res.body).toMatchObject({
      workspaceId: 'ws_a',
      status: 'open',
      incident: {
        id: 'inc_1',
        status: 'open',
        alertCount: 17,
        url: 'http://app.test/workspaces/ws_a/incidents/inc_1',
      },
      history: [{ type: 'incident.opened', origin: 'axiorank' }],
    });
    expect(sink.last().headers).toMatchObject({ origin: 'axiorank', correlationId: 'corr-1' });
  });

  it.each([
    [{ ...incident, workspaceId: undefined }, 'workspaceId is required'],
    [{ ...incident, title: '' }, 'title must be a non-empty string'],
    [{ ...incident, severity: 'urgent' }, 'severity must be one of: low, medium, high, critical'],
    [{ ...incident, alertCount: -1 }, 'alertCount must be a non-negative integer'],
    [
      { ...incident, blastRadius: { agents: 'many' } },
      'blastRadius.agents must be a non-negative integer',
    ],
    [{ ...incident, recommendedActions: [1] }, 'recommendedActions must be an array of strings'],
    [{ ...incident, url: 'not a url' }, 'incident.url must be an absolute http(s) URL'],
    [[incident], 'body must be a JSON object'],
  ])('answers 400 for %j', async (body, error) => {
    const { app, sink } = setup();
    const res = await request(app).post('/incidents').send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error });
    expect(sink.events).toHaveLength(0);
  });

  it('answers 400 for malformed JSON', async () => {
    const { app } = setup();
    const res = await request(app)
      .post('/incidents')
      .set('content-type', 'application/json')
      .send('{"workspaceId":');
    expect(res.status).toBe(400);
  });

  it('runs the lifecycle over HTTP and answers 409 for an illegal transition', async () => {
    const { app, sink } = setup();
    await request(app).post('/incidents').send(incident).expect(201);
    await request(app).post('/incidents/inc_1/update').send({ alertCount: 4 }).expect(200);
    await request(app).post('/incidents/inc_1/acknowledge').expect(200);
    const resolved = await request(app)
      .post('/incidents/inc_1/resolve')
      .send({ reason: 'auto_stale' })
      .expect(200);
    expect(resolved.body.status).toBe('resolved');
    expect(sink.last().event.resolution).toEqual({ reason: 'auto_stale' });

    const late = await request(app).post('/incidents/inc_1/acknowledge').expect(409);
    expect(late.body).toEqual({
      error: 'cannot acknowledge inc_1: incident is resolved; it cannot be acknowledged',
    });
    await request(app).post('/incidents/inc_1/reopen').expect(200);
    await request(app).post('/incidents/inc_1/reopen').expect(409);

    const view = await request(app).get('/incidents/inc_1').expect(200);
    const history = view.body.history as { type: string }[];
    expect(history.map((h) => h.type)).toEqual([
      'incident.opened',
      'incident.updated',
      'incident.acknowledged',
      'incident.resolved',
      'incident.opened',
    ]);
  });

  it('refuses the pagerduty reason and an empty update', async () => {
    const { app } = setup();
    await request(app).post('/incidents').send(incident).expect(201);
    const reason = await request(app)
      .post('/incidents/inc_1/resolve')
      .send({ reason: 'pagerduty' });
    expect(reason.status).toBe(400);
    expect(reason.body.error).toBe('reason must be one of: manual, auto_stale');
    await request(app).post('/incidents/inc_1/update').send({}).expect(400);
  });

  it('answers 404 for an unknown incident or route, 409 for a duplicate id', async () => {
    const { app } = setup();
    await request(app).get('/incidents/nope').expect(404);
    await request(app).post('/incidents/nope/acknowledge').expect(404);
    await request(app).get('/nothing-here').expect(404);
    await request(app).post('/incidents').send(incident).expect(201);
    await request(app).post('/incidents').send(incident).expect(409);
  });

  it('answers 503 and changes nothing when Kafka does not take the event', async () => {
    const { app, sink } = setup();
    await request(app).post('/incidents').send(incident).expect(201);
    sink.failNext = true;
    const res = await request(app).post('/incidents/inc_1/acknowledge').expect(503);
    expect(res.body.error).toMatch(/broker unavailable/);
    expect((await request(app).get('/incidents/inc_1')).body.status).toBe('open');
  });

  it('lists incidents by workspace and sweeps', async () => {
    const { app } = setup();
    await request(app).post('/incidents').send(incident).expect(201);
    await request(app)
      .post('/incidents')
      .send({ ...incident, id: 'inc_2', workspaceId: 'ws_b' })
      .expect(201);
    const list = await request(app).get('/incidents').query({ workspaceId: 'ws_b' }).expect(200);
    const incidents = list.body.incidents as { incident: { id: string } }[];
    expect(incidents.map((v) => v.incident.id)).toEqual(['inc_2']);
    const sweep = await request(app).post('/sweep').send({ olderThanMs: 0 }).expect(200);
    expect(sweep.body).toEqual({ olderThanMs: 0, resolved: ['inc_1', 'inc_2'], failed: [] });
  });

  it('lists sync events with filters and refuses an unknown outcome', async () => {
    const { app, syncLog } = setup();
    syncLog.record({ receivedAt: 'x', partition: 0, offset: '1', outcome: 'dead_lettered' });
    syncLog.record({
      receivedAt: 'x',
      partition: 0,
      offset: '2',
      outcome: 'ignored_unknown_incident',
      incidentId: 'inc_9',
    });
    const all = await request(app).get('/sync-events').expect(200);
    expect(all.body.syncEvents).toHaveLength(2);
    const one = await request(app).get('/sync-events?incidentId=inc_9').expect(200);
    expect(one.body.syncEvents).toEqual([expect.objectContaining({ offset: '2' })]);
    await request(app).get('/sync-events?outcome=whatever').expect(400);
  });

  it('answers its health check', async () => {
    const { app } = setup();
    await request(app).get('/health').expect(200, { status: 'ok' });
  });
});
