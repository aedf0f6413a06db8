import { IsBoolean, IsDefined, ValidateIf } from 'class-validator';
import { IsNonEmptyString } from '../common/field.decorators';
import { IsIsoTimestamp } from '../common/is-iso-timestamp.decorator';

export class TwoWaySyncV1 {
  @IsBoolean()
  enabled!: boolean;

  /** Sealed by `@app/crypto`; null until the user saves one. */
  @ValidateIf((sync: TwoWaySyncV1) => sync.signingSecret !== null)
  @IsDefined({ message: '$property is required (a string or null)' })
  @IsNonEmptyString()
  signingSecret!: string | null;

  /** When PagerDuty's ping reached the webhook; null until then. */
  @ValidateIf((sync: TwoWaySyncV1) => sync.verifiedAt !== null)
  @IsDefined({ message: '$property is required (an ISO 8601 date-time or null)' })
  @IsIsoTimestamp()
  verifiedAt!: string | null;
}
