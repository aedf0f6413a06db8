import { IsString } from 'class-validator';
import { IsNonEmptyString } from '../common/field.decorators';

/** Who acted in PagerDuty (its webhook `agent`). */
export class SyncActorV1 {
  @IsNonEmptyString()
  id!: string;

  @IsString()
  name!: string;

  /** PagerDuty's reference type, e.g. `user_reference`. */
  @IsString()
  type!: string;
}
