export const CHANNEL_CONFIG_SETTINGS = Symbol('CHANNEL_CONFIG_SETTINGS');

/** The part of the configuration the channel use cases need. */
export interface ChannelConfigSettings {
  publicWebhookBaseUrl: string;
  appBaseUrl: string;
}
