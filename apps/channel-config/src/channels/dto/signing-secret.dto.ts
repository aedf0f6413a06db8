import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class SigningSecretDto {
  @ApiProperty({
    description: 'The signing secret PagerDuty showed when the webhook subscription was created.',
    writeOnly: true,
  })
  @IsString({ message: 'signingSecret must be a string' })
  @MinLength(8, { message: 'signingSecret must be at least 8 characters' })
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9+/=_-]+$/, {
    message:
      'signingSecret must be the secret exactly as PagerDuty showed it (letters, digits, + / = _ -)',
  })
  signingSecret!: string;
}
