export const WEBHOOK_VERIFICATION_TYPES = ['channel.webhook_verified'] as const;
export type WebhookVerificationType = (typeof WEBHOOK_VERIFICATION_TYPES)[number];
