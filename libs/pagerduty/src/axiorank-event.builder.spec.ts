import { buildAxioRankAlertEvent, buildAxioRankIncidentEvent } from './axiorank-event.builder';
import { validatePagerDutyEvent } from './event.validator';
import type { EventAction } from './events-v2.types';
import { pagerDutyEventByteLength } from './incident-event.builder';

const ROUTING_KEY = '0123456789abcdef0123456789ABCDEF';
const URL = 'https://app.axiorank.test/workspaces/ws_1/incidents/inc_1';

function incidentEvent(action: EventAction, extra: { recommendedActions?: string[] } = {}) {
  return buildAxioRankIncidentEvent({
    action,
    routingKey: ROUTING_KEY,
    workspaceId: 'ws_1',
    incident: {
      id: 'inc_1',
      title: 'Agent exfiltrating CRM records',
      severity: 'high',
      alertCount: 17,
      blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
      recommendedActions: ["Revoke the agent's token", 'Block tool crm.export'],
      url: URL,
      ...extra,
    },
  });
}

describe('buildAxioRankIncidentEvent', () => {
  it('produces what DESIGN.md says lands in PagerDuty', () => {
    expect(incidentEvent('trigger')).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'inc_1',
      payload: {
        summary: 'Agent exfiltrating CRM records',
        source: 'AxioRank',
        severity: 'error',
        class: 'ai_agent_incident',
        custom_details: {
          correlated_alert_count: 17,
          blast_radius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools' },
          recommended_actions: ["Revoke the agent's token", 'Block tool crm.export'],
          workspace_id: 'ws_1',
          axiorank_incident_url: URL,
        },
      },
      links: [{ href: URL, text: 'Open in AxioRank' }],
      client: 'AxioRank',
      client_url: URL,
    });
    expect(validatePagerDutyEvent(incidentEvent('trigger'))).toEqual([]);
  });

  it.each([
    ['critical', 'critical'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'info'],
  ] as const)('maps AxioRank %s to PagerDuty %s', (severity, expected) => {
    const event = buildAxioRankIncidentEvent({
      action: 'trigger',
      routingKey: ROUTING_KEY,
      workspaceId: 'ws_1',
      incident: { id: 'inc_1', title: 't', severity, alertCount: 1, url: URL },
    });
    expect(event.payload?.severity).toBe(expected);
  });

  it('sends the identical payload and link with acknowledge and resolve', () => {
    const trigger = incidentEvent('trigger');
    for (const action of ['acknowledge', 'resolve'] as const) {
      const event = incidentEvent(action);
      expect(event.payload).toEqual(trigger.payload);
      expect(event.links).toEqual(trigger.links);
      expect(event.dedup_key).toBe('inc_1');
      expect(event).not.toHaveProperty('client');
    }
  });

  it('shrinks a 2 MB recommendedActions list under 512 KB and marks it', () => {
    const recommendedActions = Array.from(
      { length: 21_000 },
      (_, i) => `Step ${i} ${'r'.repeat(95)}`,
    );
    const event = incidentEvent('trigger', { recommendedActions });
    const details = event.payload?.custom_details as Record<string, unknown>;
    expect(pagerDutyEventByteLength(event)).toBeLessThan(524_288);
    expect(details._truncated).toEqual(['recommended_actions']);
    expect(details.correlated_alert_count).toBe(17);
    expect(details.axiorank_incident_url).toBe(URL);
  });
});

describe('buildAxioRankAlertEvent', () => {
  it('keys on the alert id and carries risk score, agent, tool and incident id', () => {
    const event = buildAxioRankAlertEvent({
      action: 'trigger',
      routingKey: ROUTING_KEY,
      workspaceId: 'ws_1',
      alert: {
        id: 'alr_1',
        title: 'support-bot called crm.export',
        severity: 'critical',
        riskScore: 91,
        agent: { id: 'agt_1', name: 'support-bot' },
        tool: 'crm.export',
        incidentId: 'inc_1',
        url: 'https://app.axiorank.test/a/alr_1',
      },
    });
    expect(event.dedup_key).toBe('alr_1');
    expect(event.payload).toMatchObject({
      summary: 'support-bot called crm.export',
      severity: 'critical',
      source: 'AxioRank',
      component: 'crm.export',
      group: 'support-bot',
      custom_details: {
        risk_score: 91,
        agent: { id: 'agt_1', name: 'support-bot' },
        tool: 'crm.export',
        incident_id: 'inc_1',
        workspace_id: 'ws_1',
        axiorank_alert_url: 'https://app.axiorank.test/a/alr_1',
      },
    });
    expect(event.links).toEqual([
      { href: 'https://app.axiorank.test/a/alr_1', text: 'Open in AxioRank' },
    ]);
  });

  it('omits links and client_url when the alert has no url', () => {
    const event = buildAxioRankAlertEvent({
      action: 'trigger',
      routingKey: ROUTING_KEY,
      workspaceId: 'ws_1',
      alert: {
        id: 'alr_2',
        title: '',
        severity: 'low',
        riskScore: 10,
        agent: { id: 'agt_1', name: 'bot' },
        tool: 't',
      },
    });
    expect(event).not.toHaveProperty('links');
    expect(event).not.toHaveProperty('client_url');
    expect(event.payload?.summary).toBe('AxioRank incident alr_2');
  });
});
