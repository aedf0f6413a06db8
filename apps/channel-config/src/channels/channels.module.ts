import { Module } from '@nestjs/common';
import { SendTestService } from '../send-test/send-test.service';
import { WebhookVerificationsController } from '../verifications/webhook-verifications.controller';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';

@Module({
  controllers: [ChannelsController, WebhookVerificationsController],
  providers: [ChannelsService, SendTestService],
  exports: [ChannelsService],
})
export class ChannelsModule {}
