import { randomUUID } from 'node:crypto';
import {
  buildHeaders,
  type IncidentSyncEventV1,
  type Message,
  messageKey,
  parseMessage,
  serializeMessage,
  type Topic,
  TOPICS,
  type WebhookVerificationV1,
} from '@app/contracts';
import type { OutboxEntry } from '@app/platform';
import type { WebhookEventOutcome } from './entities/webhook-event.entity';
import type {
  EventFacts,
  IgnoreReason,
  IncidentFacts,
  SyncEventType,
  WebhookClassification,
} from './webhook-event.classifier';

/** Where a verified delivery came from; the workspace is the channel's, never the payload's. */
export interface DeliveryContext {
  channelId: string;
  workspaceId: string;
  webhookId: string | null;
  correlationId: string;
  receivedAt: Date;
}

export type PlannableEvent =
  | { kind: 'ping'; event: EventFacts }
  | { kind: 'sync'; event: EventFacts; type: SyncEventType; incident: IncidentFacts };

export type MessagePlan =
  { ok: true; eventId: string; entry: OutboxEntry } | { ok: false; reason: string };

/**
 * Builds the Kafka message a verified event announces, validated against its contract so that
 * nothing the consumers would dead-letter ever reaches the outbox. The `eventId` is new and
 * travels in the outbox row, so a republished message repeats it.
 */
export function planMessage(
  verified: PlannableEvent,
  context: DeliveryContext,
  newId: () => string = randomUUID,
): MessagePlan {
  const headers = buildHeaders({
    origin: 'pagerduty',
    channelId: context.channelId,
    correlationId: context.correlationId,
  });
  switch (verified.kind) {
    case 'ping': {
      const message: WebhookVerificationV1 = {
        eventId: newId(),
        type: 'channel.webhook_verified',
        // When AxioRank saw the verified ping: that is what `twoWaySync.verifiedAt` reports.
        occurredAt: context.receivedAt.toISOString(),
        workspaceId: context.workspaceId,
        channelId: context.channelId,
        pagerdutyEventId: verified.event.id,
        ...(context.webhookId === null ? {} : { webhookId: context.webhookId }),
      };
      const key = messageKey(TOPICS.webhookVerifications, message);
      return validated(TOPICS.webhookVerifications, message, key, headers);
    }
    case 'sync': {
      const { incident } = verified;
      const message: IncidentSyncEventV1 = {
        eventId: newId(),
        type: verified.type,
        occurredAt: incident.occurredAt,
        workspaceId: context.workspaceId,
        incidentId: incident.key,
        channelId: context.channelId,
        source: 'pagerduty',
        pagerduty: {
          eventId: verified.event.id,
          incidentId: incident.pagerdutyIncidentId,
          ...(incident.number === undefined ? {} : { incidentNumber: incident.number }),
          ...(incident.htmlUrl === undefined ? {} : { htmlUrl: incident.htmlUrl }),
        },
        actor: incident.actor,
      };
      return validated(
        TOPICS.incidentSync,
        message,
        messageKey(TOPICS.incidentSync, message),
        headers,
      );
    }
  }
}

function validated(
  topic: Topic,
  message: Message,
  key: string,
  headers: Record<string, string>,
): MessagePlan {
  const value = serializeMessage(message);
  const check = parseMessage(topic, value);
  if (!check.ok) return { ok: false, reason: check.reason };
  return { ok: true, eventId: message.eventId, entry: { topic, key, value, headers } };
}

export const ACCEPTED_KINDS = ['sync', 'verification', 'ignored'] as const;
export type AcceptedKind = (typeof ACCEPTED_KINDS)[number];

/** What storing a verified, well-formed event amounts to. */
export interface RecordPlan {
  outcome: WebhookEventOutcome;
  kind: AcceptedKind;
  ignoredReason?: IgnoreReason;
  /** Why a ping or acknowledge/resolve could not become a valid message (then it is ignored). */
  invalidReason?: string;
  messageEventId: string | null;
  outbox: OutboxEntry[];
}

/** Turns a classified event into the row's outcome and the outbox entries stored with it. */
export function planRecord(
  classification: Exclude<WebhookClassification, { kind: 'malformed' }>,
  context: DeliveryContext,
  newId: () => string = randomUUID,
): RecordPlan {
  if (classification.kind === 'ignored') {
    return ignoredPlan(classification.reason);
  }
  const plan = planMessage(classification, context, newId);
  if (!plan.ok) return { ...ignoredPlan('invalid_payload'), invalidReason: plan.reason };
  return {
    outcome: classification.kind === 'ping' ? 'verified' : 'synced',
    kind: classification.kind === 'ping' ? 'verification' : 'sync',
    messageEventId: plan.eventId,
    outbox: [plan.entry],
  };
}

function ignoredPlan(reason: IgnoreReason): RecordPlan {
  return {
    outcome: 'ignored',
    kind: 'ignored',
    ignoredReason: reason,
    messageEventId: null,
    outbox: [],
  };
}
