export { ChannelReplicaModule } from './channel-replica.module';
export { ChannelReplicaService } from './channel-replica.service';
