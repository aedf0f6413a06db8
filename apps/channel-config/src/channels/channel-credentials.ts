import type { SecretOpenFailure } from '@app/crypto';
import type { SecretVault } from '@app/platform';

/** The secrets a channel stores. */
export const CHANNEL_SECRETS = ['routingKey', 'signingSecret'] as const;
export type ChannelSecret = (typeof CHANNEL_SECRETS)[number];

/**
 * Why a stored secret cannot be used, in words an operator acts on:
 * - `sealed_under_unknown_key`: its key id is not in `CREDENTIAL_KEYS` (a key removed too early);
 * - `tampered_or_wrong_workspace`: it fails authentication (altered, copied from another
 *   workspace's channel, or the key material behind its key id changed);
 * - `malformed`: neither plaintext nor a well-formed sealed value (truncated, mangled).
 * In every case the cure is the same: save the secret again.
 */
export const CREDENTIAL_PROBLEMS = [
  'sealed_under_unknown_key',
  'tampered_or_wrong_workspace',
  'malformed',
] as const;
export type CredentialProblem = (typeof CREDENTIAL_PROBLEMS)[number];

export interface CredentialIssue {
  secret: ChannelSecret;
  problem: CredentialProblem;
}

export function credentialProblem(failure: SecretOpenFailure): CredentialProblem {
  switch (failure) {
    case 'unknown_key':
      return 'sealed_under_unknown_key';
    case 'authentication_failed':
      return 'tampered_or_wrong_workspace';
    case 'malformed':
      return 'malformed';
  }
}

export interface StoredSecrets {
  workspaceId: string;
  routingKey: string;
  signingSecret: string | null;
}

/** Every stored secret of a channel that the service cannot open; empty when all open. */
export function credentialIssues(channel: StoredSecrets, vault: SecretVault): CredentialIssue[] {
  const issues: CredentialIssue[] = [];
  const stored: Record<ChannelSecret, string | null> = {
    routingKey: channel.routingKey,
    signingSecret: channel.signingSecret,
  };
  for (const secret of CHANNEL_SECRETS) {
    const value = stored[secret];
    if (value === null) continue;
    const failure = vault.problemWith(value, channel.workspaceId);
    if (failure !== undefined) issues.push({ secret, problem: credentialProblem(failure) });
  }
  return issues;
}
