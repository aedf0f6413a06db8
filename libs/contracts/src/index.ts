export { TOPICS, TOPIC_SPECS, DLQ_SUFFIX, dlqTopic, isTopic, topicSpecsFor } from './topics';
export type { DlqTopic, Topic, TopicConfigEntry, TopicName, TopicSpec } from './topics';

export {
  HEADERS,
  MAX_DLQ_REASON_LENGTH,
  ORIGINS,
  buildDlqHeaders,
  buildHeaders,
  isOrigin,
  readHeaders,
} from './headers';
export type {
  DlqHeaderValues,
  MessageHeaders,
  Origin,
  RawHeaderValue,
  RawHeaders,
} from './headers';

export {
  MAX_ID_LENGTH,
  MAX_MESSAGE_BYTES,
  MAX_TITLE_LENGTH,
  MAX_WORKSPACE_ID_LENGTH,
} from './common/limits';

export { BlastRadiusV1 } from './incidents/blast-radius.v1';
export { IncidentEventV1 } from './incidents/incident-event.v1';
export { IncidentResolutionV1 } from './incidents/incident-resolution.v1';
export { IncidentV1 } from './incidents/incident.v1';
export { INCIDENT_EVENT_TYPES, RESOLUTION_REASONS } from './incidents/incident-event.constants';
export type { IncidentEventType, ResolutionReason } from './incidents/incident-event.constants';

export { AlertAgentV1 } from './alerts/alert-agent.v1';
export { AlertEventV1 } from './alerts/alert-event.v1';
export { AlertV1 } from './alerts/alert.v1';
export { ALERT_EVENT_TYPES, MAX_RISK_SCORE, MIN_RISK_SCORE } from './alerts/alert-event.constants';
export type { AlertEventType } from './alerts/alert-event.constants';

export { IncidentSyncEventV1 } from './incident-sync/incident-sync-event.v1';
export { PagerDutyIncidentRefV1 } from './incident-sync/pagerduty-incident-ref.v1';
export { SyncActorV1 } from './incident-sync/sync-actor.v1';
export {
  INCIDENT_SYNC_EVENT_TYPES,
  INCIDENT_SYNC_SOURCES,
} from './incident-sync/incident-sync-event.constants';
export type {
  IncidentSyncEventType,
  IncidentSyncSource,
} from './incident-sync/incident-sync-event.constants';

export { ChannelSnapshotV1 } from './channels/channel-snapshot.v1';
export { ChannelV1 } from './channels/channel.v1';
export { QuietHoursV1 } from './channels/quiet-hours.v1';
export { TwoWaySyncV1 } from './channels/two-way-sync.v1';
export {
  CHANNEL_MODES,
  CHANNEL_REGIONS,
  CHANNEL_SNAPSHOT_TYPES,
  CHANNEL_TYPES,
} from './channels/channel.constants';
export type {
  ChannelMode,
  ChannelRegion,
  ChannelSnapshotType,
  ChannelType,
} from './channels/channel.constants';

export { WebhookVerificationV1 } from './webhook-verifications/webhook-verification.v1';
export { WEBHOOK_VERIFICATION_TYPES } from './webhook-verifications/webhook-verification.constants';
export type { WebhookVerificationType } from './webhook-verifications/webhook-verification.constants';

export { COMPACTED_TOPICS, MESSAGE_CLASSES, messageKey } from './messages';
export type { Message, MessageByTopic, MessageFor } from './messages';

export { formatValidationErrors, parseMessage, serializeMessage } from './parse-message';
export type { ParseFailure, ParseResult, ParsedMessage, ParsedTombstone } from './parse-message';

export { isIanaTimeZone } from './common/is-iana-time-zone.decorator';
export { isIsoTimestamp } from './common/is-iso-timestamp.decorator';

// Test data builders for every package's specs.
export { makeAlertEvent } from './testing/alert-event.factory';
export { makeChannelSnapshot } from './testing/channel-snapshot.factory';
export { makeIncidentEvent } from './testing/incident-event.factory';
export { makeIncidentSyncEvent } from './testing/incident-sync-event.factory';
export { makeWebhookVerification } from './testing/webhook-verification.factory';
export type { DeepPartial } from './testing/deep-partial';
