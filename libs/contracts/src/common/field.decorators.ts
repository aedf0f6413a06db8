import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { compose } from './compose';
import { MAX_ID_LENGTH, MAX_WORKSPACE_ID_LENGTH } from './limits';

/** A non-empty string of at most `max` characters. */
export function IsNonEmptyString(max?: number): PropertyDecorator {
  return max === undefined
    ? compose(IsString(), IsNotEmpty())
    : compose(IsString(), IsNotEmpty(), MaxLength(max));
}

export function IsWorkspaceId(): PropertyDecorator {
  return IsNonEmptyString(MAX_WORKSPACE_ID_LENGTH);
}

/** An AxioRank id that may become a PagerDuty `dedup_key`. */
export function IsAggregateId(): PropertyDecorator {
  return IsNonEmptyString(MAX_ID_LENGTH);
}
