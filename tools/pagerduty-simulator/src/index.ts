export { PagerDutySimulator, type StartOptions } from './pagerduty-simulator';
export { THROTTLE_BODY } from './enqueue-handler';
export type {
  DeliveryAttempt,
  DeliveryStatus,
  DroppedEvent,
  EnqueueRecord,
  FaultSettings,
  IncidentLogEntry,
  PagerDutySimulatorOptions,
  SimulatorIncident,
  SimulatorService,
  SimulatorUser,
  WebhookDelivery,
  WebhookEventType,
  WebhookSubscription,
} from './simulator.types';
