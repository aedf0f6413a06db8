export { KeyRing } from './key-ring';
export { CredentialKeyError } from './credential-key-error';
export { SecretOpenError } from './secret-open-error';
export type { SecretOpenFailure } from './secret-open-error';
export { isSealed, needsReseal, openSecret, sealSecret, sealedKeyId } from './sealed-secret';
export { signPagerDutyPayload, verifyPagerDutySignature } from './pagerduty-signature';
