#!/usr/bin/env node
// `npm run demo` (with `npm start` running): one incident through the whole loop, each step
// printed — opened in AxioRank → paged in PagerDuty → acknowledged by a responder in PagerDuty →
// reflected onto the AxioRank incident with no echo → resolved in AxioRank → resolved in PagerDuty.
import { http, PORTS, readState, until } from './dev-stack.mjs';

const state = readState();
const sim = state.simUrl;
const incidents = `http://127.0.0.1:${PORTS.incidentSimulator}/incidents`;
let n = 0;
const say = (msg) => process.stdout.write(`${++n}. ${msg}\n`);

async function pdIncident(dedupKey) {
  const [incident] = await http(
    'GET',
    `${sim}/_sim/incidents?dedupKey=${encodeURIComponent(dedupKey)}`,
  );
  return incident;
}

async function main() {
  const opened = await http('POST', incidents, {
    workspaceId: state.workspaceId,
    title: 'Agent exfiltrating CRM records',
    severity: 'critical',
    alertCount: 17,
    blastRadius: { agents: 3, tools: 5, users: 12, summary: '3 agents, 5 tools, 12 users' },
    recommendedActions: ["Revoke the agent's token", 'Block tool crm.export'],
  });
  const id = opened.incident?.id ?? opened.id;
  say(`AxioRank opened incident ${id} (critical, 17 correlated alerts)`);

  const paged = await until('PagerDuty to open the incident', () => pdIncident(id));
  say(
    `PagerDuty incident #${paged.number} (${paged.id}) is ${paged.status}, severity ${paged.severity}: "${paged.title}"`,
  );

  await http('POST', `${sim}/_sim/incidents/${paged.id}/acknowledge`, {
    user: { id: 'PDEMO01', name: 'Jane Doe (on call)' },
  });
  say('Jane Doe acknowledged it in PagerDuty; PagerDuty sends a signed webhook to AxioRank');

  await until(
    'AxioRank to reflect the acknowledge',
    async () => (await http('GET', `${incidents}/${id}`)).status === 'acknowledged',
  );
  say('AxioRank shows the incident acknowledged (origin: pagerduty)');

  await new Promise((r) => setTimeout(r, 1500));
  const afterAck = await pdIncident(id);
  const echoes = afterAck.log.filter(
    (l) => l.via === 'events_api' && l.action === 'acknowledge',
  ).length;
  say(`no echo: AxioRank sent PagerDuty ${echoes} acknowledge event(s) back (expected 0)`);

  await http('POST', `${incidents}/${id}/resolve`, { reason: 'manual' });
  say('resolved in AxioRank');

  const resolved = await until('PagerDuty to resolve the incident', async () => {
    const incident = await pdIncident(id);
    return incident.status === 'resolved' ? incident : null;
  });
  say(
    `PagerDuty incident #${resolved.number} is ${resolved.status}; AxioRank incident is ${(await http('GET', `${incidents}/${id}`)).status}`,
  );
  const deliveries = await http(
    'GET',
    `http://127.0.0.1:${PORTS.outboundPager}/v1/workspaces/${state.workspaceId}/channels/${state.channelId}/deliveries?limit=10`,
    undefined,
    { Authorization: `Bearer ${state.token}` },
  );
  const mine = deliveries.filter((d) => d.dedupKey === id).reverse();
  say(
    `delivery history: ${mine.map((d) => `${d.sourceType} → ${d.outcome}${d.reason ? ` (${d.reason})` : ''}`).join(', ')}`,
  );
  if (echoes !== 0) process.exit(1);
}

main().catch((error) => {
  process.stderr.write(`demo failed: ${error.message}\n`);
  process.exit(1);
});
