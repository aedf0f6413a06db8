import { Module } from '@nestjs/common';
import { ChannelReplicaModule } from '@app/channel-replica';
import { PagerDutyWebhookController } from './pagerduty-webhook.controller';
import { ReceivePagerDutyWebhook } from './receive-pagerduty-webhook.use-case';
import { WebhookEventStore } from './webhook-event.store';
import { WebhookMetrics } from './webhook.metrics';

@Module({
  imports: [ChannelReplicaModule],
  controllers: [PagerDutyWebhookController],
  providers: [ReceivePagerDutyWebhook, WebhookEventStore, WebhookMetrics],
  exports: [ChannelReplicaModule, WebhookMetrics],
})
export class WebhooksModule {}
