import { isIanaTimeZone } from './is-iana-time-zone.decorator';

describe('isIanaTimeZone', () => {
  it.each(['Europe/Berlin', 'America/Argentina/Buenos_Aires', 'UTC', 'Etc/GMT-14'])(
    'accepts %s',
    (zone) => {
      expect(isIanaTimeZone(zone)).toBe(true);
    },
  );

  it.each(['Europe/Atlantis', '+02:00', 'GMT+2 ', '', 'Europe/Berlin\n', 42, undefined])(
    'rejects %p',
    (zone) => {
      expect(isIanaTimeZone(zone)).toBe(false);
    },
  );
});
