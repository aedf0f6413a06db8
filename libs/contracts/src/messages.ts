import { AlertEventV1 } from './alerts/alert-event.v1';
import { ChannelSnapshotV1 } from './channels/channel-snapshot.v1';
import { IncidentSyncEventV1 } from './incident-sync/incident-sync-event.v1';
import { IncidentEventV1 } from './incidents/incident-event.v1';
import { TOPICS, type Topic } from './topics';
import { WebhookVerificationV1 } from './webhook-verifications/webhook-verification.v1';

/** The message class each topic carries. */
export interface MessageByTopic {
  [TOPICS.incidents]: IncidentEventV1;
  [TOPICS.alerts]: AlertEventV1;
  [TOPICS.incidentSync]: IncidentSyncEventV1;
  [TOPICS.channels]: ChannelSnapshotV1;
  [TOPICS.webhookVerifications]: WebhookVerificationV1;
}

export type MessageFor<T extends Topic> = MessageByTopic[T];
export type Message = MessageByTopic[Topic];

export const MESSAGE_CLASSES: { readonly [T in Topic]: new () => MessageByTopic[T] } = {
  [TOPICS.incidents]: IncidentEventV1,
  [TOPICS.alerts]: AlertEventV1,
  [TOPICS.incidentSync]: IncidentSyncEventV1,
  [TOPICS.channels]: ChannelSnapshotV1,
  [TOPICS.webhookVerifications]: WebhookVerificationV1,
};

/** Topics whose deletes are tombstones (null values). */
export const COMPACTED_TOPICS: readonly Topic[] = [TOPICS.channels];

const KEY_OF: { readonly [T in Topic]: (message: MessageByTopic[T]) => string } = {
  [TOPICS.incidents]: (message) => message.incident.id,
  [TOPICS.alerts]: (message) => message.alert.id,
  [TOPICS.incidentSync]: (message) => message.incidentId,
  [TOPICS.channels]: (message) => message.channel.id,
  [TOPICS.webhookVerifications]: (message) => message.channelId,
};

/** The Kafka key for a message: its aggregate id, so order holds per incident, alert or channel. */
export function messageKey<T extends Topic>(topic: T, message: MessageByTopic[T]): string {
  const keyOf = KEY_OF[topic] as (message: MessageByTopic[T]) => string;
  return keyOf(message);
}
