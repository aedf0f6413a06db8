/** Largest message value `parseMessage` accepts, checked before JSON.parse. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export const MAX_WORKSPACE_ID_LENGTH = 128;

/** PagerDuty's `dedup_key` limit; incident and alert ids become dedup keys. */
export const MAX_ID_LENGTH = 255;

/** Titles may be long; the PagerDuty event builder truncates them to its own limit. */
export const MAX_TITLE_LENGTH = 10_000;
