import type { IncidentEventV1, MessageHeaders } from '@app/contracts';

/** Where lifecycle events go; resolves only once the broker has acknowledged the event. */
export interface IncidentEventSink {
  publishIncidentEvent(event: IncidentEventV1, headers: MessageHeaders): Promise<void>;
}
