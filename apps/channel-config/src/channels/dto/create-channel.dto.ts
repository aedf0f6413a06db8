import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CHANNEL_MODES,
  CHANNEL_REGIONS,
  type ChannelMode,
  type ChannelRegion,
} from '@app/contracts';
import { SEVERITIES, type Severity } from '@app/severity';
import { QuietHoursDto } from './quiet-hours.dto';

export const ROUTING_KEY_PATTERN = /^[A-Za-z0-9]{32}$/;

/**
 * May be left out (a default applies, or an update leaves it as it is), but `null` is no value
 * for it: `@IsOptional` would let null through to a NOT NULL column and answer 500.
 */
const IsOptionalButNotNull = (): PropertyDecorator =>
  ValidateIf((_, value: unknown) => value !== undefined);

export class CreateChannelDto {
  @ApiProperty({ example: 'Security on-call' })
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @Matches(/^$|\S/, { message: 'name must not be blank' })
  @MaxLength(100)
  // PostgreSQL cannot store NUL in text; a control character has no place in a display name.
  @Matches(/^\P{Cc}*$/u, { message: 'name must not contain control characters' })
  name!: string;

  @ApiProperty({
    description: 'The Events API v2 integration key (32 letters or digits). Write-only.',
    writeOnly: true,
    example: 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12',
  })
  @IsString({ message: 'routingKey must be a string' })
  @Matches(ROUTING_KEY_PATTERN, { message: 'routingKey must be exactly 32 letters or digits' })
  routingKey!: string;

  @ApiPropertyOptional({ enum: CHANNEL_REGIONS, default: 'us' })
  @IsOptionalButNotNull()
  @IsIn(CHANNEL_REGIONS, { message: `region must be one of: ${CHANNEL_REGIONS.join(', ')}` })
  region?: ChannelRegion;

  @ApiPropertyOptional({ enum: CHANNEL_MODES, default: 'incidents' })
  @IsOptionalButNotNull()
  @IsIn(CHANNEL_MODES, { message: `mode must be one of: ${CHANNEL_MODES.join(', ')}` })
  mode?: ChannelMode;

  @ApiPropertyOptional({ enum: SEVERITIES, default: 'high' })
  @IsOptionalButNotNull()
  @IsIn(SEVERITIES, { message: `severityFloor must be one of: ${SEVERITIES.join(', ')}` })
  severityFloor?: Severity;

  @ApiPropertyOptional({ type: QuietHoursDto, nullable: true })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @ValidateNested()
  @Type(() => QuietHoursDto)
  quietHours?: QuietHoursDto | null;

  @ApiPropertyOptional({ nullable: true, minimum: 1, maximum: 100000, example: 20 })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsInt({ message: 'hourlyCap must be an integer or null' })
  @Min(1)
  @Max(100000)
  hourlyCap?: number | null;

  @ApiPropertyOptional({ default: false })
  @IsOptionalButNotNull()
  @IsBoolean({ message: 'twoWaySync must be a boolean' })
  twoWaySync?: boolean;
}
