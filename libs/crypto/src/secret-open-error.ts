export type SecretOpenFailure = 'malformed' | 'unknown_key' | 'authentication_failed';

const MESSAGES: Readonly<Record<SecretOpenFailure, string>> = {
  malformed: 'Stored secret is neither plaintext nor a well-formed sealed value',
  unknown_key: 'Stored secret is sealed under a key id that is not in the key ring',
  authentication_failed:
    'Stored secret failed authentication: it was altered, sealed for another workspace, or the key material for its key id changed',
};

/**
 * A stored secret that cannot be opened. The message never contains the stored
 * value, the plaintext or key material; only the (public) key id is carried.
 */
export class SecretOpenError extends Error {
  override readonly name = 'SecretOpenError';

  constructor(
    readonly reason: SecretOpenFailure,
    readonly keyId?: string,
  ) {
    super(keyId === undefined ? MESSAGES[reason] : `${MESSAGES[reason]} (kid "${keyId}")`);
  }
}
