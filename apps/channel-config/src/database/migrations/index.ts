import { CreateChannels1764806400000 } from './1764806400000-create-channels';

/** Every migration of the channel_config schema, oldest first. */
export const MIGRATIONS = [CreateChannels1764806400000];
