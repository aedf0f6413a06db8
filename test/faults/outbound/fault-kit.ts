// Shared pieces of the outbound-pager fault suites (issue 9, F1–F3): an incident stream that
// survives a broker outage, simulator read-outs, and the one-line summary the lead collects.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { Client } from 'pg';
import {
  buildHeaders,
  makeIncidentEvent,
  serializeMessage,
  TOPICS,
  type IncidentEventV1,
} from '@app/contracts';
import { databaseUrl } from '@app/testing';
// The outbound-pager suites' harness (simulator + service from dist/); reused, not duplicated.
// eslint-disable-next-line no-restricted-imports
import type { SimIncident, SimRequest } from '../../../apps/outbound-pager/test/outbound-harness';

export const LIFECYCLE = ['incident.opened', 'incident.acknowledged', 'incident.resolved'] as const;
export type LifecycleType = (typeof LIFECYCLE)[number];
export const ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;

/** Reads a positive integer knob from the environment (durations and sizes of a fault run). */
export function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer (got "${raw}")`);
  }
  return value;
}

/** The summary line of one case, on stderr, for the closing note. */
export function summary(line: string): void {
  process.stderr.write(`[faults] ${line}\n`);
}

export const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)}s`;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function lifecycleEvent(
  type: LifecycleType,
  incidentId: string,
  workspaceId: string,
): IncidentEventV1 {
  return makeIncidentEvent({
    type,
    workspaceId,
    incident: { id: incidentId, title: `Lifecycle ${incidentId}` },
    ...(type === 'incident.resolved' ? { resolution: { reason: 'manual' as const } } : {}),
  });
}

/**
 * Stands in for the AxioRank incident service: publishes incident events keyed by incident id
 * and, like an outbox relay, resends the same messages (same eventId) until the broker has
 * acknowledged them, so a broker outage delays the stream but neither loses nor reorders it.
 */
export class IncidentStream {
  /** Sends that failed and were repeated (broker down or electing leaders). */
  resends = 0;
  private producer?: Producer;

  constructor(private readonly brokers: string[]) {}

  async connect(): Promise<void> {
    const kafka = new Kafka({
      clientId: `faults-incident-stream-${randomUUID().slice(0, 8)}`,
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2000,
      retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1000 },
    });
    this.producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await this.producer.connect();
  }

  async publish(events: IncidentEventV1[], deadlineMs = 180_000): Promise<void> {
    if (!this.producer) throw new Error('IncidentStream not connected');
    const messages = events.map((event) => ({
      key: event.incident.id,
      value: serializeMessage(event),
      headers: buildHeaders({ origin: 'axiorank', correlationId: randomUUID() }),
    }));
    const giveUpAt = Date.now() + deadlineMs;
    for (;;) {
      try {
        await this.producer.send({ topic: TOPICS.incidents, messages });
        return;
      } catch (error) {
        if (Date.now() > giveUpAt) throw error;
        this.resends++;
        await sleep(500);
      }
    }
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
  }
}

/** What the simulator counted: accepted events and incidents by status. */
export async function simStats(simUrl: string): Promise<{
  accepted: { total: number };
  requests: { total: number; byOutcome: Record<string, number> };
  incidents: Record<string, number>;
}> {
  const res = await fetch(`${simUrl}/_sim/stats`);
  return (await res.json()) as Awaited<ReturnType<typeof simStats>>;
}

export async function allSimRequests(simUrl: string, region?: string): Promise<SimRequest[]> {
  const query = region ? `?region=${region}` : '';
  const res = await fetch(`${simUrl}/_sim/requests${query}`);
  return (await res.json()) as SimRequest[];
}

export async function allSimIncidents(simUrl: string): Promise<SimIncident[]> {
  const res = await fetch(`${simUrl}/_sim/incidents`);
  return (await res.json()) as SimIncident[];
}

/** The Events API actions an incident received, in the order PagerDuty applied them. */
export const eventsApiActions = (incident: SimIncident): string[] =>
  incident.log.filter((entry) => entry.via === 'events_api').map((entry) => entry.action);

/** A job of the stream: one (dedup key, action); each incident has one trigger, ack and resolve. */
export const jobKey = (dedupKey: string | undefined, action: string | undefined): string =>
  `${String(dedupKey)}:${String(action)}`;

/** Rows of outbound-pager's durable queue, read straight from its schema in one statement. */
export async function deliveryRows(
  channelIds: string[],
  url = databaseUrl(),
): Promise<{ dedup_key: string; action: string; status: string; attempts: number }[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{
      dedup_key: string;
      action: string;
      status: string;
      attempts: number;
    }>(
      `SELECT dedup_key, action, status, attempts FROM outbound_pager.deliveries
        WHERE channel_id = ANY($1::uuid[])`,
      [channelIds],
    );
    return result.rows;
  } finally {
    await client.end();
  }
}
