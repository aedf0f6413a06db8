/**
 * A `CREDENTIAL_KEYS` specification that cannot be used. The message names the
 * entry by position (1-based) and, when it is well-formed, by key id; it never
 * repeats key material, so it is safe to log and to show at boot.
 */
export class CredentialKeyError extends Error {
  override readonly name = 'CredentialKeyError';

  constructor(
    readonly entry: number,
    readonly keyId: string | undefined,
    problem: string,
  ) {
    super(
      `CREDENTIAL_KEYS entry ${entry}${keyId === undefined ? '' : ` (kid "${keyId}")`} ${problem}`,
    );
  }
}
