import { Matches } from 'class-validator';
import { IsIanaTimeZone } from '../common/is-iana-time-zone.decorator';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HH_MM_MESSAGE = { message: '$property must be a time of day as HH:MM (00:00 to 23:59)' };

/** A daily window in a time zone; it may cross midnight (start 22:00, end 07:00). */
export class QuietHoursV1 {
  @Matches(HH_MM, HH_MM_MESSAGE)
  start!: string;

  @Matches(HH_MM, HH_MM_MESSAGE)
  end!: string;

  @IsIanaTimeZone()
  timezone!: string;
}
