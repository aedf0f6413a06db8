import type { IncidentEventV1, MessageHeaders } from '@app/contracts';
import type { DeadLetter, DeadLetterSink } from '../dead-letter';
import type { IncidentEventSink } from '../incident-event-sink';

export interface RecordedEvent {
  event: IncidentEventV1;
  headers: MessageHeaders;
}

/** Stands in for Kafka in unit specs: keeps what was published, or fails on demand. */
export class RecordingSink implements IncidentEventSink, DeadLetterSink {
  readonly events: RecordedEvent[] = [];
  readonly deadLetters: DeadLetter[] = [];
  failNext = false;

  publishIncidentEvent(event: IncidentEventV1, headers: MessageHeaders): Promise<void> {
    return this.take(() => this.events.push({ event, headers }));
  }

  publishDeadLetter(letter: DeadLetter): Promise<void> {
    return this.take(() => this.deadLetters.push(letter));
  }

  last(): RecordedEvent {
    const recorded = this.events.at(-1);
    if (recorded === undefined) throw new Error('nothing was published');
    return recorded;
  }

  private take(keep: () => void): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('broker unavailable'));
    }
    keep();
    return Promise.resolve();
  }
}
