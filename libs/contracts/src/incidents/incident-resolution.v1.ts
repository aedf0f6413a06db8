import { IsIn } from 'class-validator';
import { oneOf } from '../common/one-of';
import { RESOLUTION_REASONS, type ResolutionReason } from './incident-event.constants';

export class IncidentResolutionV1 {
  @IsIn(RESOLUTION_REASONS, oneOf(RESOLUTION_REASONS))
  reason!: ResolutionReason;
}
