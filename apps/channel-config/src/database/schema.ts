import { OutboxMessage } from '@app/platform';
import { ChannelEntity } from '../channels/entities/channel.entity';

export const SCHEMA = 'channel_config';
export const ENTITIES = [ChannelEntity, OutboxMessage];
