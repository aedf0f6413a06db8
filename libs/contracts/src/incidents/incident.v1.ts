import 'reflect-metadata';
import { SEVERITIES, type Severity } from '@app/severity';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsAggregateId } from '../common/field.decorators';
import { IsOptionalField } from '../common/is-optional-field.decorator';
import { IsHttpUrl } from '../common/is-http-url.decorator';
import { MAX_TITLE_LENGTH } from '../common/limits';
import { oneOf } from '../common/one-of';
import { BlastRadiusV1 } from './blast-radius.v1';

export class IncidentV1 {
  /** Becomes PagerDuty's `dedup_key`, hence at most 255 characters. */
  @IsAggregateId()
  id!: string;

  @IsString()
  @MaxLength(MAX_TITLE_LENGTH)
  title!: string;

  @IsIn(SEVERITIES, oneOf(SEVERITIES))
  severity!: Severity;

  @IsString()
  status!: string;

  @IsInt()
  @Min(0)
  alertCount!: number;

  @IsOptionalField()
  @IsObject()
  @ValidateNested()
  @Type(() => BlastRadiusV1)
  blastRadius?: BlastRadiusV1;

  @IsOptionalField()
  @IsArray()
  @IsString({ each: true })
  recommendedActions?: string[];

  /** Deep link; when absent consumers build `APP_BASE_URL/workspaces/{workspaceId}/incidents/{id}`. */
  @IsOptionalField()
  @IsHttpUrl()
  url?: string;
}
