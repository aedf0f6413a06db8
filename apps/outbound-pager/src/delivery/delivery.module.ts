import { Module } from '@nestjs/common';
import { ChannelReplicaModule } from '@app/channel-replica';
import { DeliveriesController } from '../history/deliveries.controller';
import { ChannelDeletionListener } from '../intake/channel-deletion.listener';
import { DeliveryRecorder } from '../intake/delivery-recorder.service';
import { PagingIntakeController } from '../intake/paging-intake.controller';
import { DeliveryWorker } from './delivery-worker.service';
import { StoredKeyResealer } from './stored-key-resealer.service';

@Module({
  imports: [ChannelReplicaModule],
  controllers: [PagingIntakeController, DeliveriesController],
  providers: [DeliveryWorker, DeliveryRecorder, ChannelDeletionListener, StoredKeyResealer],
  exports: [DeliveryWorker, ChannelReplicaModule, ChannelDeletionListener, StoredKeyResealer],
})
export class DeliveryModule {}
