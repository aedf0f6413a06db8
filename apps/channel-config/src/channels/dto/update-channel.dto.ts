import { PartialType } from '@nestjs/swagger';
import { CreateChannelDto } from './create-channel.dto';

/** Every field optional; what is sent changes, what is left out stays. */
export class UpdateChannelDto extends PartialType(CreateChannelDto) {}
