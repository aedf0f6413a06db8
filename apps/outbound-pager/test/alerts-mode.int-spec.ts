import { randomUUID } from 'node:crypto';
import { waitFor } from '@app/testing';
import { OutboundHarness } from './outbound-harness';

/** The older mode: every high-risk alert pages, within floor, quiet hours and hourly cap. */
describe('outbound-pager, alerts mode', () => {
  const harness = new OutboundHarness();
  const ws = `ws_alerts_${randomUUID().slice(0, 8)}`;
  let channel: Awaited<ReturnType<OutboundHarness['publishChannel']>>;
  const alert = (severity: 'low' | 'medium' | 'high' | 'critical') => ({
    id: `alr_${randomUUID()}`,
    title: `Held tool call (${severity})`,
    severity,
    riskScore: 91,
    agent: { id: 'agt_1', name: 'support-bot' },
    tool: 'crm.export',
  });

  beforeAll(async () => {
    await harness.start();
    channel = await harness.publishChannel({
      workspaceId: ws,
      name: 'Alerts',
      mode: 'alerts',
      severityFloor: 'high',
      quietHours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' },
      hourlyCap: 3,
    });
    // An incidents-mode channel of the same workspace gets no alert pages.
    const incidents = await harness.publishChannel({
      workspaceId: ws,
      name: 'Incidents',
      mode: 'incidents',
    });
    for (const known of [channel, incidents]) await harness.waitUntilKnown(known);
  });

  afterAll(() => harness.stop());

  const outcomes = async (ids: string[]) =>
    waitFor(
      async () => {
        const rows = (await harness.deliveries(ws, channel.id)).filter(
          (d) => ids.includes(d.dedupKey) && d.outcome !== 'pending',
        );
        return rows.length === ids.length ? new Map(rows.map((r) => [r.dedupKey, r])) : null;
      },
      { timeoutMs: 30_000, description: `${ids.length} recorded outcomes` },
    );

  it('pages an alert at or above the severity floor and suppresses one below it', async () => {
    const noon = new Date('2026-12-04T11:00:00Z'); // 12:00 in Berlin: not quiet
    const [high, critical, medium] = [alert('high'), alert('critical'), alert('medium')];
    for (const a of [high, critical, medium]) await harness.publishAlert(a, ws, noon);
    const rows = await outcomes([high.id, critical.id, medium.id]);
    expect(rows.get(high.id)?.outcome).toBe('delivered');
    expect(rows.get(critical.id)?.outcome).toBe('delivered');
    expect(rows.get(medium.id)).toMatchObject({
      outcome: 'suppressed',
      reason: 'below_severity_floor',
    });
    const [pd] = await harness.simIncidents({ dedupKey: critical.id });
    expect(pd.severity).toBe('critical');
    expect(await harness.simIncidents({ dedupKey: medium.id })).toEqual([]);
  });

  it('respects quiet hours in the channel’s time zone, across midnight and daylight saving', async () => {
    const cases = [
      { at: '2026-07-01T20:30:00Z', quiet: true }, // 22:30 CEST
      { at: '2026-12-01T20:30:00Z', quiet: false }, // 21:30 CET
      { at: '2026-03-29T04:30:00Z', quiet: true }, // 06:30 CEST, the morning clocks sprang forward
      { at: '2026-03-29T05:30:00Z', quiet: false }, // 07:30 CEST
      { at: '2026-10-25T05:30:00Z', quiet: true }, // 06:30 CET, the morning clocks fell back
    ];
    const alerts = cases.map((c) => ({ ...c, alert: alert('critical') }));
    for (const c of alerts) await harness.publishAlert(c.alert, ws, new Date(c.at));
    const rows = await outcomes(alerts.map((c) => c.alert.id));
    for (const c of alerts) {
      const row = rows.get(c.alert.id);
      if (c.quiet) expect(row).toMatchObject({ outcome: 'suppressed', reason: 'quiet_hours' });
      else expect(row?.outcome).toBe('delivered');
    }
  });

  it('pages at most hourlyCap alerts in any hour and records the rest as capped', async () => {
    const base = Date.parse('2026-12-02T09:00:00Z');
    const burst = Array.from({ length: 5 }, (_, i) => ({
      alert: alert('high'),
      at: new Date(base + i * 60_000),
    }));
    for (const b of burst) await harness.publishAlert(b.alert, ws, b.at);
    const rows = await outcomes(burst.map((b) => b.alert.id));
    const paged = burst.filter((b) => rows.get(b.alert.id)?.outcome === 'delivered');
    const capped = burst.filter((b) => rows.get(b.alert.id)?.reason === 'hourly_cap');
    expect(paged).toHaveLength(3);
    expect(capped).toHaveLength(2);
    // Two hours later the window has room again.
    const later = alert('high');
    await harness.publishAlert(later, ws, new Date(base + 125 * 60_000));
    const after = await outcomes([later.id]);
    expect(after.get(later.id)?.outcome).toBe('delivered');
  });
});
