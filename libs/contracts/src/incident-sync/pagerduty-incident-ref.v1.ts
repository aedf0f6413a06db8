import { IsInt, Min } from 'class-validator';
import { IsNonEmptyString } from '../common/field.decorators';
import { IsOptionalField } from '../common/is-optional-field.decorator';
import { IsHttpUrl } from '../common/is-http-url.decorator';

/** The PagerDuty side of a sync event. */
export class PagerDutyIncidentRefV1 {
  /** PagerDuty's webhook `event.id`. */
  @IsNonEmptyString()
  eventId!: string;

  @IsNonEmptyString()
  incidentId!: string;

  @IsOptionalField()
  @IsInt()
  @Min(0)
  incidentNumber?: number;

  @IsOptionalField()
  @IsHttpUrl()
  htmlUrl?: string;
}
