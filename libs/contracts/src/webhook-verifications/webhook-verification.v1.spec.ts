import {
  TOPICS,
  WebhookVerificationV1,
  makeWebhookVerification,
  parseMessage,
  serializeMessage,
  type DeepPartial,
} from '../index';

const parse = (overrides: DeepPartial<WebhookVerificationV1>) =>
  parseMessage(TOPICS.webhookVerifications, serializeMessage(makeWebhookVerification(overrides)));

describe('WebhookVerificationV1', () => {
  it('parses a valid verification', () => {
    const plain = makeWebhookVerification();
    const result = parseMessage(TOPICS.webhookVerifications, serializeMessage(plain));

    if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
    const sut: WebhookVerificationV1 = result.message;
    expect(sut).toBeInstanceOf(WebhookVerificationV1);
    expect(sut.channelId).toBe(plain.channelId);
  });

  it('accepts only channel.webhook_verified', () => {
    expect(parse({ type: 'pagey.ping' as never })).toEqual({
      ok: false,
      reason: 'type must be one of: channel.webhook_verified',
    });
  });

  it('requires a UUID channel id and a non-empty PagerDuty event id', () => {
    expect(parse({ channelId: 'nope' })).toEqual({
      ok: false,
      reason: 'channelId must be a UUID',
    });
    expect(parse({ pagerdutyEventId: '' })).toEqual({
      ok: false,
      reason: 'pagerdutyEventId should not be empty',
    });
  });

  it('rejects an empty webhook id when one is given', () => {
    expect(parse({ webhookId: '' }).ok).toBe(false);
  });

  it('is never a tombstone', () => {
    expect(parseMessage(TOPICS.webhookVerifications, null).ok).toBe(false);
  });
});
