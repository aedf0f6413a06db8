export const CHANNEL_SNAPSHOT_TYPES = ['channel.snapshot'] as const;
export type ChannelSnapshotType = (typeof CHANNEL_SNAPSHOT_TYPES)[number];

export const CHANNEL_TYPES = ['pagerduty'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const CHANNEL_REGIONS = ['us', 'eu'] as const;
export type ChannelRegion = (typeof CHANNEL_REGIONS)[number];

export const CHANNEL_MODES = ['incidents', 'alerts'] as const;
export type ChannelMode = (typeof CHANNEL_MODES)[number];
