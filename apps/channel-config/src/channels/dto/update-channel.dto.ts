import { PartialType } from '@nestjs/swagger';
import { CreateChannelDto } from './create-channel.dto';

/**
 * Every field optional; what is sent changes, what is left out stays. `null` clears only the
 * fields that may be empty (quietHours, hourlyCap): for the others it is a 400, not a NULL that
 * the database would refuse with a 500.
 */
export class UpdateChannelDto extends PartialType(CreateChannelDto, {
  skipNullProperties: false,
}) {}
