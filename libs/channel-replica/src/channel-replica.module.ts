import { Module } from '@nestjs/common';
import { ChannelReplicaService } from './channel-replica.service';

/** Provides the in-memory channel replica; the service starts it once Kafka's topics exist. */
@Module({
  providers: [ChannelReplicaService],
  exports: [ChannelReplicaService],
})
export class ChannelReplicaModule {}
