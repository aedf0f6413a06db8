import { randomUUID } from 'node:crypto';
import type { WebhookVerificationV1 } from '../webhook-verifications/webhook-verification.v1';
import type { DeepPartial } from './deep-partial';
import { mergeOverrides } from './merge-overrides';
import { nowIso, randomSuffix } from './random-values';

/** A valid `axiorank.webhook-verifications.v1` value (a plain object) with fresh ids. */
export function makeWebhookVerification(
  overrides: DeepPartial<WebhookVerificationV1> = {},
): WebhookVerificationV1 {
  const base: WebhookVerificationV1 = {
    eventId: randomUUID(),
    type: 'channel.webhook_verified',
    occurredAt: nowIso(),
    workspaceId: `ws_${randomSuffix()}`,
    channelId: randomUUID(),
    pagerdutyEventId: randomUUID(),
    webhookId: randomUUID(),
  };
  return mergeOverrides(base, overrides);
}
