import 'reflect-metadata';
import { SEVERITIES, type Severity } from '@app/severity';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsNumber,
  IsObject,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsAggregateId } from '../common/field.decorators';
import { IsOptionalField } from '../common/is-optional-field.decorator';
import { IsHttpUrl } from '../common/is-http-url.decorator';
import { MAX_TITLE_LENGTH } from '../common/limits';
import { oneOf } from '../common/one-of';
import { MAX_RISK_SCORE, MIN_RISK_SCORE } from './alert-event.constants';
import { AlertAgentV1 } from './alert-agent.v1';

export class AlertV1 {
  /** PagerDuty's `dedup_key` in alerts mode. */
  @IsAggregateId()
  id!: string;

  @IsString()
  @MaxLength(MAX_TITLE_LENGTH)
  title!: string;

  @IsIn(SEVERITIES, oneOf(SEVERITIES))
  severity!: Severity;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(MIN_RISK_SCORE)
  @Max(MAX_RISK_SCORE)
  riskScore!: number;

  @IsDefined({ message: '$property is required' })
  @IsObject()
  @ValidateNested()
  @Type(() => AlertAgentV1)
  agent!: AlertAgentV1;

  @IsString()
  tool!: string;

  @IsOptionalField()
  @IsAggregateId()
  incidentId?: string;

  @IsOptionalField()
  @IsHttpUrl()
  url?: string;
}
