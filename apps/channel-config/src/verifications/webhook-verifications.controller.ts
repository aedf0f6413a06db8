import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext } from '@nestjs/microservices';
import { TOPICS } from '@app/contracts';
import { MessageIntake, recordOf } from '@app/platform';
import { ChannelsService } from '../channels/channels.service';

/** inbound-webhook reports PagerDuty's verified ping; the channel shows `verifiedAt`. */
@Controller()
export class WebhookVerificationsController {
  private readonly logger = new Logger(WebhookVerificationsController.name);

  constructor(
    private readonly intake: MessageIntake,
    private readonly channels: ChannelsService,
  ) {}

  @EventPattern(TOPICS.webhookVerifications)
  async onVerification(@Ctx() context: KafkaContext): Promise<void> {
    await this.intake.receive(TOPICS.webhookVerifications, recordOf(context), async (event) => {
      const applied = await this.channels.markWebhookVerified(
        event.workspaceId,
        event.channelId,
        new Date(event.occurredAt),
      );
      if (!applied)
        this.logger.log({ channelId: event.channelId }, 'verification for unknown channel ignored');
    });
  }
}
