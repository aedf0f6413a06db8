import { randomUUID } from 'node:crypto';
import { dlqTopic, HEADERS, TOPICS } from '@app/contracts';
import { bearer, consumeAll, tokenFor, waitFor } from '@app/testing';
import { OutboundHarness } from './outbound-harness';

/** Incidents mode end to end: Kafka → outbound-pager (dist/) → PagerDuty simulator. */
describe('outbound-pager, incidents mode', () => {
  const harness = new OutboundHarness();
  const wsA = `ws_a_${randomUUID().slice(0, 8)}`;
  const wsB = `ws_b_${randomUUID().slice(0, 8)}`;
  let a1: Awaited<ReturnType<OutboundHarness['publishChannel']>>;
  let a2: Awaited<ReturnType<OutboundHarness['publishChannel']>>;
  let b1: Awaited<ReturnType<OutboundHarness['publishChannel']>>;

  beforeAll(async () => {
    await harness.start();
    a1 = await harness.publishChannel({ workspaceId: wsA, name: 'A primary' });
    a2 = await harness.publishChannel({ workspaceId: wsA, name: 'A secondary', region: 'eu' });
    b1 = await harness.publishChannel({ workspaceId: wsB, name: 'B' });
    // Channels alerts-mode must not receive incident pages.
    const alerts = await harness.publishChannel({
      workspaceId: wsA,
      name: 'A alerts',
      mode: 'alerts',
    });
    for (const channel of [a1, a2, b1, alerts]) await harness.waitUntilKnown(channel);
  });

  afterAll(() => harness.stop());

  it('opens exactly one PagerDuty incident per AxioRank incident and channel, acknowledged and resolved in order', async () => {
    const incidents = Array.from({ length: 12 }, (_, i) => ({
      id: `inc_${randomUUID()}`,
      workspace: i % 3 === 0 ? wsB : wsA,
      severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
    }));
    for (const type of ['incident.opened', 'incident.acknowledged', 'incident.resolved'] as const) {
      await Promise.all(
        incidents.map((inc) =>
          harness.publishIncident(
            type,
            {
              id: inc.id,
              title: `Agent exfiltrating CRM records ${inc.id}`,
              severity: inc.severity,
              alertCount: 17,
              blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
              recommendedActions: ['Revoke the agent token', 'Block tool crm.export'],
            },
            inc.workspace,
          ),
        ),
      );
    }
    const expectedSeverity = {
      critical: 'critical',
      high: 'error',
      medium: 'warning',
      low: 'info',
    };
    for (const inc of incidents) {
      const found = await harness.waitForSimState(inc.id, 'resolved');
      const keys = inc.workspace === wsA ? [a1.plaintextKey, a2.plaintextKey] : [b1.plaintextKey];
      expect(found.map((f) => f.routingKey).sort()).toEqual([...keys].sort());
      for (const pd of found) {
        expect(pd.log.filter((l) => l.via === 'events_api').map((l) => l.action)).toEqual([
          'trigger',
          'acknowledge',
          'resolve',
        ]);
        expect(pd.title).toBe(`Agent exfiltrating CRM records ${inc.id}`);
        expect(pd.severity).toBe(expectedSeverity[inc.severity]);
      }
    }
    // What lands in PagerDuty: the whole event as received, links at the top level.
    const [request] = (await harness.simRequests({ dedupKey: incidents[1].id })).filter(
      (r) => (r.body as { event_action?: string }).event_action === 'trigger',
    );
    const body = request.body as {
      dedup_key: string;
      payload: { source: string; custom_details: Record<string, unknown> };
      links: unknown;
      client: string;
      client_url: string;
    };
    expect(body.dedup_key).toBe(incidents[1].id);
    expect(body.payload.source).toBe('AxioRank');
    expect(body.payload.custom_details).toMatchObject({
      correlated_alert_count: 17,
      blast_radius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
      recommended_actions: ['Revoke the agent token', 'Block tool crm.export'],
      workspace_id: wsA,
    });
    const link = `https://app.axiorank.test/workspaces/${wsA}/incidents/${incidents[1].id}`;
    expect(body.links).toEqual([{ href: link, text: expect.any(String) }]);
    expect(body.client).toBe('AxioRank');
    expect(body.client_url).toBe(link);
    // The EU channel's events went to the EU endpoint.
    const regions = new Set(
      (await harness.simRequests({ routingKey: a2.plaintextKey })).map((r) => r.region),
    );
    expect([...regions]).toEqual(['eu']);
  });

  it('resolves a stale incident that AxioRank auto-resolved', async () => {
    const id = `inc_${randomUUID()}`;
    await harness.publishIncident(
      'incident.opened',
      { id, title: 'Untriaged, stopped recurring' },
      wsB,
    );
    await harness.waitForSimState(id, 'triggered');
    await harness.publishIncident(
      'incident.resolved',
      { id, title: 'Untriaged, stopped recurring' },
      wsB,
      {
        reason: 'auto_stale',
      },
    );
    await harness.waitForSimState(id, 'resolved');
  });

  it('never sends back to PagerDuty a lifecycle event whose origin is PagerDuty (no loop)', async () => {
    const id = `inc_${randomUUID()}`;
    await harness.publishIncident('incident.opened', { id, title: 'Loop guard' }, wsB);
    await harness.waitForSimState(id, 'triggered');
    await harness.publishIncident('incident.acknowledged', { id, title: 'Loop guard' }, wsB, {
      origin: 'pagerduty',
    });
    await harness.publishIncident('incident.resolved', { id, title: 'Loop guard' }, wsB, {
      origin: 'pagerduty',
      reason: 'pagerduty',
    });
    const skipped = await waitFor(
      async () => {
        const rows = (await harness.deliveries(wsB, b1.id)).filter(
          (d) => d.dedupKey === id && d.outcome === 'skipped',
        );
        return rows.length === 2 ? rows : null;
      },
      { timeoutMs: 20_000, description: 'two skipped deliveries' },
    );
    expect(skipped.map((d) => d.reason)).toEqual(['origin_pagerduty', 'origin_pagerduty']);
    const [pd] = await harness.simIncidents({ dedupKey: id });
    expect(pd.status).toBe('triggered');
    expect(pd.log.map((l) => l.action)).toEqual(['trigger']);
  });

  it('re-triggers on incident.updated only while the PagerDuty incident is open', async () => {
    const id = `inc_${randomUUID()}`;
    await harness.publishIncident('incident.opened', { id, title: 'v1', alertCount: 1 }, wsB);
    await harness.publishIncident('incident.updated', { id, title: 'v2', alertCount: 40 }, wsB);
    await harness.publishIncident('incident.resolved', { id, title: 'v2' }, wsB);
    await harness.publishIncident('incident.updated', { id, title: 'v3 after resolve' }, wsB);
    await waitFor(
      async () =>
        (await harness.deliveries(wsB, b1.id)).filter(
          (d) => d.dedupKey === id && d.outcome !== 'pending',
        ).length === 4,
      { timeoutMs: 20_000, description: 'four finished deliveries' },
    );
    const found = await harness.simIncidents({ dedupKey: id });
    expect(found).toHaveLength(1);
    expect(found[0].status).toBe('resolved');
    const sent = found[0].log.filter((l) => l.via === 'events_api');
    expect(sent.map((l) => l.action)).toEqual(['trigger', 'trigger', 'resolve']);
    expect(sent[1].payload?.summary).toBe('v2');
    expect(
      (sent[1].payload?.custom_details as Record<string, unknown>).correlated_alert_count,
    ).toBe(40);
    const late = (await harness.deliveries(wsB, b1.id)).find(
      (d) => d.dedupKey === id && d.sourceType === 'incident.updated' && d.outcome === 'skipped',
    );
    expect(late?.reason).toBe('pagerduty_incident_not_open');
  });

  it('sends acknowledge and resolve with the routing key that opened the incident, after the key changed', async () => {
    const ws = `ws_rot_${randomUUID().slice(0, 8)}`;
    const channel = await harness.publishChannel({ workspaceId: ws, name: 'Rotating' });
    await harness.waitUntilKnown(channel);
    const id = `inc_${randomUUID()}`;
    await harness.publishIncident('incident.opened', { id, title: 'Before rotation' }, ws);
    await harness.waitForSimState(id, 'triggered');
    const rotated = await harness.publishChannel({
      id: channel.id,
      workspaceId: ws,
      name: 'Rotating',
    });
    // The replica applies channel changes within two seconds.
    await new Promise((r) => setTimeout(r, 2000));
    await harness.publishIncident('incident.resolved', { id, title: 'Before rotation' }, ws);
    const [pd] = await harness.waitForSimState(id, 'resolved');
    expect(pd.routingKey).toBe(channel.plaintextKey);
    expect(await harness.simIncidents({ routingKey: rotated.plaintextKey })).toEqual([]);
    // A new incident uses the new key.
    const next = `inc_${randomUUID()}`;
    await harness.publishIncident('incident.opened', { id: next, title: 'After rotation' }, ws);
    const [fresh] = await harness.waitForSimState(next, 'triggered');
    expect(fresh.routingKey).toBe(rotated.plaintextKey);
  });

  it('resolves the open incidents of a deleted channel, with the key that opened them', async () => {
    const ws = `ws_del_${randomUUID().slice(0, 8)}`;
    const channel = await harness.publishChannel({ workspaceId: ws, name: 'Doomed' });
    await harness.waitUntilKnown(channel);
    const id = `inc_${randomUUID()}`;
    await harness.publishIncident(
      'incident.opened',
      { id, title: 'Open when the channel goes' },
      ws,
    );
    await harness.waitForSimState(id, 'triggered');
    await harness.deleteChannel(channel.id);
    const [pd] = await harness.waitForSimState(id, 'resolved');
    expect(pd.routingKey).toBe(channel.plaintextKey);
  });

  it('records an event for a workspace without a channel and pages nothing', async () => {
    const id = `inc_${randomUUID()}`;
    await harness.publishIncident(
      'incident.opened',
      { id, title: 'Nobody listens' },
      `ws_none_${randomUUID()}`,
    );
    const marker = `inc_${randomUUID()}`;
    await harness.publishIncident('incident.opened', { id: marker, title: 'Marker' }, wsB);
    await harness.waitForSimState(marker, 'triggered');
    expect(await harness.simIncidents({ dedupKey: id })).toEqual([]);
  });

  it('dead-letters poison messages with the reason and delivers the messages after them', async () => {
    const id = `inc_${randomUUID()}`;
    await harness.sendRaw(TOPICS.incidents, id, '{"eventId": "not-a-uuid"');
    await harness.sendRaw(
      TOPICS.incidents,
      id,
      JSON.stringify({ eventId: randomUUID(), type: 'incident.opened' }),
    );
    await harness.publishIncident('incident.opened', { id, title: 'After the poison' }, wsB);
    await harness.waitForSimState(id, 'triggered');
    const letters = await consumeAll(dlqTopic(TOPICS.incidents), {
      until: (messages) => messages.filter((m) => m.key === id).length >= 2,
      timeoutMs: 20_000,
    });
    const reasons = letters.filter((m) => m.key === id).map((m) => m.headers[HEADERS.dlqReason]);
    expect(reasons[0]).toMatch(/^invalid JSON/);
    expect(reasons[1]).toMatch(/required/);
  });

  it('shows a channel its deliveries and nobody else', async () => {
    const own = await fetch(
      `${harness.pager.url}/v1/workspaces/${wsB}/channels/${b1.id}/deliveries`,
      { headers: bearer(wsB) },
    );
    expect(own.status).toBe(200);
    const other = await fetch(
      `${harness.pager.url}/v1/workspaces/${wsB}/channels/${b1.id}/deliveries`,
      {
        headers: { Authorization: `Bearer ${tokenFor(wsA)}` },
      },
    );
    expect(other.status).toBe(404);
    const crossed = await fetch(
      `${harness.pager.url}/v1/workspaces/${wsA}/channels/${b1.id}/deliveries`,
      { headers: bearer(wsA) },
    );
    expect(crossed.status).toBe(404);
    const anonymous = await fetch(
      `${harness.pager.url}/v1/workspaces/${wsB}/channels/${b1.id}/deliveries`,
    );
    expect(anonymous.status).toBe(401);
  });

  it('never writes a routing key to its logs', () => {
    for (const channel of [a1, a2, b1])
      expect(harness.pager.logs).not.toContain(channel.plaintextKey);
  });
});
