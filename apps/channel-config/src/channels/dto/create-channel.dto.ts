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
import { CHANNEL_MODES, CHANNEL_REGIONS, type ChannelMode, type ChannelRegion } from '@app/contracts';
import { SEVERITIES, type Severity } from '@app/severity';
import { QuietHoursDto } from './quiet-hours.dto';

export const ROUTING_KEY_PATTERN = /^[A-Za-z0-9]{32}$/;

export class CreateChannelDto {
  @ApiProperty({ example: 'Security on-call' })
  @IsString()
  @MinLength(1, { message: 'name must not be empty' })
  @MaxLength(100)
  name!: string;

  @ApiProperty({
    description: "The Events API v2 integration key (32 letters or digits). Write-only.",
    writeOnly: true,
    example: 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12',
  })
  @IsString({ message: 'routingKey must be a string' })
  @Matches(ROUTING_KEY_PATTERN, { message: 'routingKey must be exactly 32 letters or digits' })
  routingKey!: string;

  @ApiPropertyOptional({ enum: CHANNEL_REGIONS, default: 'us' })
  @IsOptional()
  @IsIn(CHANNEL_REGIONS, { message: `region must be one of: ${CHANNEL_REGIONS.join(', ')}` })
  region?: ChannelRegion;

  @ApiPropertyOptional({ enum: CHANNEL_MODES, default: 'incidents' })
  @IsOptional()
  @IsIn(CHANNEL_MODES, { message: `mode must be one of: ${CHANNEL_MODES.join(', ')}` })
  mode?: ChannelMode;

  @ApiPropertyOptional({ enum: SEVERITIES, default: 'high' })
  @IsOptional()
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
  @IsOptional()
  @IsBoolean({ message: 'twoWaySync must be a boolean' })
  twoWaySync?: boolean;
}
