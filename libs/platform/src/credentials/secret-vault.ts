import {
  isSealed,
  KeyRing,
  needsReseal,
  openSecret,
  sealSecret,
  SecretOpenError,
  type SecretOpenFailure,
} from '@app/crypto';

export const SECRET_VAULT = Symbol('SECRET_VAULT');

/**
 * The service's view of `CREDENTIAL_KEYS`: seals new secrets bound to their workspace when a
 * key is configured, stores them as before (plaintext) when none is, and opens both kinds.
 */
export class SecretVault {
  constructor(private readonly ring: KeyRing) {}

  static fromSpec(spec: string | undefined): SecretVault {
    return new SecretVault(KeyRing.parse(spec));
  }

  get sealingEnabled(): boolean {
    return this.ring.isEnabled;
  }

  /** Seals when a key is configured; otherwise returns the plaintext unchanged (legacy mode). */
  protect(plaintext: string, workspaceId: string): string {
    return this.ring.isEnabled ? sealSecret(plaintext, workspaceId, this.ring) : plaintext;
  }

  /** Opens a stored value; throws `SecretOpenError` for a value that cannot be trusted. */
  reveal(stored: string, workspaceId: string): string {
    return openSecret(stored, workspaceId, this.ring);
  }

  /**
   * Why a stored value cannot be opened with this key ring, or undefined when it opens. The
   * plaintext is dropped at once; only the typed reason leaves.
   */
  problemWith(stored: string, workspaceId: string): SecretOpenFailure | undefined {
    try {
      openSecret(stored, workspaceId, this.ring);
      return undefined;
    } catch (error) {
      if (error instanceof SecretOpenError) return error.reason;
      throw error;
    }
  }

  isSealed(stored: string): boolean {
    return isSealed(stored);
  }

  /** True for plaintext (once a key exists) or a value sealed under a key other than the first. */
  needsReseal(stored: string): boolean {
    return this.ring.isEnabled && needsReseal(stored, this.ring);
  }
}
