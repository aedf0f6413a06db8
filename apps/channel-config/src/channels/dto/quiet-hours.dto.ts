import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, Validate, ValidatorConstraint } from 'class-validator';
import type { ValidatorConstraintInterface } from 'class-validator';
import { isIanaTimeZone } from '@app/contracts';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

@ValidatorConstraint({ name: 'ianaTimeZone' })
class IanaTimeZoneConstraint implements ValidatorConstraintInterface {
  /**
   * The channel topic's own rule, so the API never stores a zone its consumers would refuse
   * (Intl alone takes offsets such as "+01:00" on newer Node versions; the contract does not).
   */
  validate(value: unknown): boolean {
    return isIanaTimeZone(value);
  }

  defaultMessage(): string {
    return 'timezone must be an IANA time zone such as Europe/Berlin';
  }
}

/** A daily window in the channel's time zone; `start` after `end` spans midnight. */
export class QuietHoursDto {
  @ApiProperty({ example: '22:00' })
  @Matches(HH_MM, { message: 'start must be a time of day as HH:MM (00:00–23:59)' })
  start!: string;

  @ApiProperty({ example: '07:00' })
  @Matches(HH_MM, { message: 'end must be a time of day as HH:MM (00:00–23:59)' })
  end!: string;

  @ApiProperty({ example: 'Europe/Berlin' })
  @IsString()
  @Validate(IanaTimeZoneConstraint)
  timezone!: string;
}
