import * as api from './index';

describe('@app/crypto public face', () => {
  it('exports the documented API and no key-material accessor', () => {
    expect(Object.keys(api).sort()).toEqual([
      'CredentialKeyError',
      'KeyRing',
      'SecretOpenError',
      'isSealed',
      'needsReseal',
      'openSecret',
      'sealSecret',
      'sealedKeyId',
      'signPagerDutyPayload',
      'verifyPagerDutySignature',
    ]);
  });

  it('round-trips through the public face', () => {
    const ring = api.KeyRing.parse(`k1:${Buffer.alloc(32, 7).toString('base64')}`);
    const sealed = api.sealSecret('R0UT1NGK3Y00000000000000000000AB', 'ws_1', ring);
    expect(api.openSecret(sealed, 'ws_1', ring)).toBe('R0UT1NGK3Y00000000000000000000AB');
  });
});
