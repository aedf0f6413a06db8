import { randomUUID } from 'node:crypto';
import type { ChannelSnapshotV1 } from '../channels/channel-snapshot.v1';
import type { DeepPartial } from './deep-partial';
import { mergeOverrides } from './merge-overrides';
import { nowIso, randomRoutingKey, randomSuffix } from './random-values';

/**
 * A valid `axiorank.channels.v1` value (a plain object) with fresh ids. The
 * routing key is a legacy plaintext one; pass a sealed value to test sealing.
 */
export function makeChannelSnapshot(
  overrides: DeepPartial<ChannelSnapshotV1> = {},
): ChannelSnapshotV1 {
  const now = nowIso();
  const routingKey = randomRoutingKey();
  const base: ChannelSnapshotV1 = {
    eventId: randomUUID(),
    type: 'channel.snapshot',
    occurredAt: now,
    version: 1,
    channel: {
      id: randomUUID(),
      workspaceId: `ws_${randomSuffix()}`,
      type: 'pagerduty',
      name: 'On-call: platform',
      region: 'us',
      mode: 'incidents',
      severityFloor: 'low',
      quietHours: null,
      hourlyCap: null,
      routingKey,
      routingKeyHint: `…${routingKey.slice(-4)}`,
      twoWaySync: { enabled: false, signingSecret: null, verifiedAt: null },
      createdAt: now,
      updatedAt: now,
    },
  };
  return mergeOverrides(base, overrides);
}
