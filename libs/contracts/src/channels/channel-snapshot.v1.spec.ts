import {
  ChannelSnapshotV1,
  ChannelV1,
  QuietHoursV1,
  TOPICS,
  makeChannelSnapshot,
  parseMessage,
  serializeMessage,
  type DeepPartial,
} from '../index';

const parse = (overrides: DeepPartial<ChannelSnapshotV1>) =>
  parseMessage(TOPICS.channels, serializeMessage(makeChannelSnapshot(overrides)));

const berlinNights = { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' };

describe('ChannelSnapshotV1', () => {
  it('parses a full snapshot into typed classes', () => {
    const result = parse({
      version: 7,
      channel: {
        mode: 'alerts',
        region: 'eu',
        severityFloor: 'high',
        quietHours: berlinNights,
        hourlyCap: 10,
        twoWaySync: {
          enabled: true,
          signingSecret: 'v1:key-1:c2VhbGVk',
          verifiedAt: '2026-12-04T10:00:00.000Z',
        },
      },
    });

    if (!result.ok || result.tombstone) throw new Error(JSON.stringify(result));
    const sut: ChannelSnapshotV1 = result.message;
    expect(sut.channel).toBeInstanceOf(ChannelV1);
    expect(sut.channel.quietHours).toBeInstanceOf(QuietHoursV1);
    expect(sut.version).toBe(7);
    expect(sut.channel.twoWaySync.verifiedAt).toBe('2026-12-04T10:00:00.000Z');
  });

  it('reports a null value (a deleted channel) as a tombstone', () => {
    expect(parseMessage(TOPICS.channels, null)).toEqual({ ok: true, tombstone: true });
  });

  it('does not treat an empty value as a tombstone', () => {
    expect(parseMessage(TOPICS.channels, Buffer.alloc(0))).toEqual({
      ok: false,
      reason: 'empty value',
    });
  });

  it('accepts null quiet hours, hourly cap, signing secret and verifiedAt', () => {
    const result = parse({
      channel: {
        quietHours: null,
        hourlyCap: null,
        twoWaySync: { enabled: true, signingSecret: null, verifiedAt: null },
      },
    });

    expect(result).toMatchObject({ ok: true });
  });

  it.each(['24:00', '7:00', '07:60', '0700', ''])('rejects quiet hours starting at %p', (start) => {
    expect(parse({ channel: { quietHours: { ...berlinNights, start } } })).toEqual({
      ok: false,
      reason: 'channel.quietHours.start must be a time of day as HH:MM (00:00 to 23:59)',
    });
  });

  it.each(['UTC', 'America/New_York', 'Asia/Kolkata', 'Etc/GMT+5'])(
    'accepts time zone %s',
    (timezone) => {
      expect(parse({ channel: { quietHours: { ...berlinNights, timezone } } }).ok).toBe(true);
    },
  );

  it.each(['Mars/Olympus_Mons', '+01:00', 'Europe/Berlin ', '', 'CET; DROP TABLE'])(
    'rejects time zone %p',
    (timezone) => {
      expect(parse({ channel: { quietHours: { ...berlinNights, timezone } } })).toEqual({
        ok: false,
        reason: 'channel.quietHours.timezone must be an IANA time zone, e.g. Europe/Berlin',
      });
    },
  );

  it('rejects an hourly cap below 1 or fractional', () => {
    expect(parse({ channel: { hourlyCap: 0 } })).toEqual({
      ok: false,
      reason: 'channel.hourlyCap must not be less than 1',
    });
    expect(parse({ channel: { hourlyCap: 2.5 } }).ok).toBe(false);
  });

  it.each([
    [{ region: 'ap' }, 'channel.region must be one of: us, eu'],
    [{ mode: 'both' }, 'channel.mode must be one of: incidents, alerts'],
    [{ type: 'slack' }, 'channel.type must be one of: pagerduty'],
    [
      { severityFloor: 'info' },
      'channel.severityFloor must be one of: low, medium, high, critical',
    ],
    [{ id: 'ch_1' }, 'channel.id must be a UUID'],
    [{ routingKey: '' }, 'channel.routingKey should not be empty'],
    [{ name: '' }, 'channel.name should not be empty'],
  ])('rejects channel %p', (channel, reason) => {
    expect(parse({ channel: channel as never })).toEqual({ ok: false, reason });
  });

  it('validates two-way sync', () => {
    expect(parse({ channel: { twoWaySync: { enabled: 'yes' as never } } })).toEqual({
      ok: false,
      reason: 'channel.twoWaySync.enabled must be a boolean value',
    });
    expect(parse({ channel: { twoWaySync: { signingSecret: '' } } }).ok).toBe(false);
    expect(parse({ channel: { twoWaySync: { verifiedAt: 'yesterday' } } }).ok).toBe(false);
  });

  it('requires an integer version', () => {
    expect(parse({ version: 1.5 }).ok).toBe(false);
    expect(parse({ version: -1 }).ok).toBe(false);
    expect(parse({ version: 0 }).ok).toBe(true);
  });
});
