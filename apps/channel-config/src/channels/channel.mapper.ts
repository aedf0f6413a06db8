import { randomUUID } from 'node:crypto';
import type { ChannelSnapshotV1 } from '@app/contracts';
import type { CredentialIssue } from './channel-credentials';
import type { ChannelResponseDto } from './dto/channel-response.dto';
import type { ChannelEntity } from './entities/channel.entity';

/** The hint a user recognises their key by: the last four characters, nothing more. */
export const routingKeyHint = (routingKey: string): string => `…${routingKey.slice(-4)}`;

export const webhookUrlFor = (publicBaseUrl: string, channelId: string): string =>
  `${publicBaseUrl.replace(/\/+$/, '')}/v1/webhooks/pagerduty/${channelId}`;

export function toResponse(
  channel: ChannelEntity,
  publicWebhookBaseUrl: string,
  isSealed: (stored: string) => boolean,
  credentialIssues: CredentialIssue[],
): ChannelResponseDto {
  return {
    id: channel.id,
    workspaceId: channel.workspaceId,
    type: 'pagerduty',
    name: channel.name,
    routingKeyHint: channel.routingKeyHint,
    region: channel.region,
    mode: channel.mode,
    severityFloor: channel.severityFloor,
    quietHours: channel.quietHours,
    hourlyCap: channel.hourlyCap,
    twoWaySync: {
      enabled: channel.twoWaySync,
      webhookUrl: channel.twoWaySync ? webhookUrlFor(publicWebhookBaseUrl, channel.id) : null,
      signingSecretSet: channel.signingSecret !== null,
      verifiedAt: channel.webhookVerifiedAt?.toISOString() ?? null,
    },
    // Both secrets: a legacy signing secret stays plaintext after a new routing key was sealed.
    encryptedAtRest:
      isSealed(channel.routingKey) &&
      (channel.signingSecret === null || isSealed(channel.signingSecret)),
    credentials: { usable: credentialIssues.length === 0, problems: credentialIssues },
    createdAt: channel.createdAt.toISOString(),
    updatedAt: channel.updatedAt.toISOString(),
  };
}

/** The full channel state for the compacted topic; secrets stay as stored (sealed). */
export function toSnapshot(channel: ChannelEntity): ChannelSnapshotV1 {
  return {
    eventId: randomUUID(),
    type: 'channel.snapshot',
    occurredAt: channel.updatedAt.toISOString(),
    version: channel.version,
    channel: {
      id: channel.id,
      workspaceId: channel.workspaceId,
      type: 'pagerduty',
      name: channel.name,
      region: channel.region,
      mode: channel.mode,
      severityFloor: channel.severityFloor,
      quietHours: channel.quietHours,
      hourlyCap: channel.hourlyCap,
      routingKey: channel.routingKey,
      routingKeyHint: channel.routingKeyHint,
      twoWaySync: {
        enabled: channel.twoWaySync,
        signingSecret: channel.signingSecret,
        verifiedAt: channel.webhookVerifiedAt?.toISOString() ?? null,
      },
      createdAt: channel.createdAt.toISOString(),
      updatedAt: channel.updatedAt.toISOString(),
    },
  };
}
