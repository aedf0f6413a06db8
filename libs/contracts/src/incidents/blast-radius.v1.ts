import { IsInt, IsString, Min } from 'class-validator';
import { IsOptionalField } from '../common/is-optional-field.decorator';

export class BlastRadiusV1 {
  @IsOptionalField()
  @IsInt()
  @Min(0)
  agents?: number;

  @IsOptionalField()
  @IsInt()
  @Min(0)
  tools?: number;

  @IsOptionalField()
  @IsInt()
  @Min(0)
  users?: number;

  @IsOptionalField()
  @IsString()
  summary?: string;
}
