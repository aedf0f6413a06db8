// B2/B3 baseline: what a user could write by hand to page PagerDuty from the incident topic. A
// bare kafkajs consumer (eachBatch) that posts every event to the Events API with undici, no
// durable queue, no retries, no ordering guarantees beyond the partition's, no rate limit.
// Env: KAFKA_BROKERS, GROUP_ID, TOPIC, EVENTS_URL, CHANNELS_FILE (JSON: workspaceId → [routing
// keys]), CONNECTIONS (HTTP connections to PagerDuty, default 32).
import fs from 'node:fs';
import kafkajs from 'kafkajs';
import { Agent, fetch } from 'undici';

const { Kafka, logLevel } = kafkajs;
const { KAFKA_BROKERS, GROUP_ID, TOPIC, EVENTS_URL, CHANNELS_FILE } = process.env;
const channels = new Map(Object.entries(JSON.parse(fs.readFileSync(CHANNELS_FILE, 'utf8'))));
const dispatcher = new Agent({ connections: Number(process.env.CONNECTIONS ?? 32) });
const SEVERITY = { critical: 'critical', high: 'error', medium: 'warning', low: 'info' };
const ACTION = {
  'incident.opened': 'trigger',
  'incident.updated': 'trigger',
  'incident.acknowledged': 'acknowledge',
  'incident.resolved': 'resolve',
};
const CHUNK = 64;
let sent = 0;
let failed = 0;

async function page(routingKey, event) {
  const { incident } = event;
  const body = {
    routing_key: routingKey,
    event_action: ACTION[event.type],
    dedup_key: incident.id,
    payload: {
      summary: incident.title,
      source: 'AxioRank',
      severity: SEVERITY[incident.severity] ?? 'error',
      custom_details: {
        alertCount: incident.alertCount,
        blastRadius: incident.blastRadius,
        recommendedActions: incident.recommendedActions,
        workspace: event.workspaceId,
      },
    },
    links: [
      { href: `http://localhost:3000/workspaces/${event.workspaceId}/incidents/${incident.id}` },
    ],
    client: 'AxioRank',
  };
  try {
    const res = await fetch(EVENTS_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      dispatcher,
    });
    await res.arrayBuffer();
    if (res.ok) sent++;
    else failed++;
  } catch {
    failed++;
  }
}

const kafka = new Kafka({
  clientId: 'bare-pager',
  brokers: KAFKA_BROKERS.split(','),
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId: GROUP_ID });
await consumer.connect();
await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
await consumer.run({
  partitionsConsumedConcurrently: 6,
  eachBatch: async ({ batch, heartbeat }) => {
    // At most CHUNK requests in flight per partition, so a large batch does not queue
    // thousands of requests at once.
    for (let i = 0; i < batch.messages.length; i += CHUNK) {
      const pages = [];
      for (const message of batch.messages.slice(i, i + CHUNK)) {
        const event = JSON.parse(message.value.toString('utf8'));
        for (const key of channels.get(event.workspaceId) ?? []) pages.push(page(key, event));
      }
      await Promise.all(pages);
      await heartbeat();
    }
  },
});
const report = setInterval(() => console.log(JSON.stringify({ sent, failed })), 5000);

const stop = async () => {
  clearInterval(report);
  console.log(JSON.stringify({ sent, failed, stopping: true }));
  await consumer.disconnect().catch(() => undefined);
  await dispatcher.close().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
