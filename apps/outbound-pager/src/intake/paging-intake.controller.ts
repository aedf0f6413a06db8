import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { TOPICS } from '@app/contracts';
import { ChannelReplicaService } from '@app/channel-replica';
import { MessageIntake, recordOf } from '@app/platform';
import { DELIVERY_SETTINGS, type DeliverySettings } from '../delivery/delivery-settings';
import { planAlertEvent, planIncidentEvent } from '../policy/paging-planner';
import { DeliveryRecorder } from './delivery-recorder.service';

/**
 * Consumes incidents and alerts. A handler only validates, decides and records durably; it never
 * waits on PagerDuty. Its offset is committed after it returns, i.e. after the jobs are written.
 */
@Controller()
export class PagingIntakeController {
  constructor(
    private readonly intake: MessageIntake,
    private readonly channels: ChannelReplicaService,
    private readonly recorder: DeliveryRecorder,
    @Inject(DELIVERY_SETTINGS) private readonly settings: DeliverySettings,
  ) {}

  @EventPattern(TOPICS.incidents)
  async onIncident(@Ctx() context: KafkaContext): Promise<void> {
    await this.intake.receive(TOPICS.incidents, recordOf(context), (event, meta) =>
      this.recorder.record(
        planIncidentEvent(
          event,
          meta.headers.origin,
          this.channels.forWorkspace(event.workspaceId),
          this.settings.appBaseUrl,
        ),
      ),
    );
  }

  @EventPattern(TOPICS.alerts)
  async onAlert(@Ctx() context: KafkaContext): Promise<void> {
    await this.intake.receive(TOPICS.alerts, recordOf(context), (event) =>
      this.recorder.record(
        planAlertEvent(
          event,
          this.channels.forWorkspace(event.workspaceId),
          this.settings.appBaseUrl,
        ),
      ),
    );
  }
}
