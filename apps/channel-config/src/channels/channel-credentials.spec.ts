import { randomBytes } from 'node:crypto';
import { KeyRing, sealSecret } from '@app/crypto';
import { SecretVault } from '@app/platform';
import { credentialIssues } from './channel-credentials';

const key = (kid: string) => `${kid}:${randomBytes(32).toString('base64')}`;
const ROUTING_KEY = 'R0UT1NGK3Y00000000000000000000AB';

describe('credentialIssues', () => {
  const k1 = key('k1');
  const vault = SecretVault.fromSpec(k1);
  const sealed = (value: string, ws: string, spec = k1) =>
    sealSecret(value, ws, KeyRing.parse(spec));

  it('finds nothing wrong with secrets that open, sealed or legacy plaintext', () => {
    expect(
      credentialIssues(
        { workspaceId: 'ws_1', routingKey: sealed(ROUTING_KEY, 'ws_1'), signingSecret: null },
        vault,
      ),
    ).toEqual([]);
    expect(
      credentialIssues({ workspaceId: 'ws_1', routingKey: ROUTING_KEY, signingSecret: 's' }, vault),
    ).toEqual([]);
  });

  it('names each secret that cannot be opened and why, never its value', () => {
    const good = sealed(ROUTING_KEY, 'ws_1');
    const cases = [
      { routingKey: sealed(ROUTING_KEY, 'ws_other'), problem: 'tampered_or_wrong_workspace' },
      { routingKey: sealed(ROUTING_KEY, 'ws_1', key('k0')), problem: 'sealed_under_unknown_key' },
      { routingKey: good.slice(0, -5), problem: 'malformed' },
    ];
    for (const { routingKey, problem } of cases) {
      const issues = credentialIssues(
        { workspaceId: 'ws_1', routingKey, signingSecret: routingKey },
        vault,
      );
      expect(issues).toEqual([
        { secret: 'routingKey', problem },
        { secret: 'signingSecret', problem },
      ]);
      expect(JSON.stringify(issues)).not.toContain(ROUTING_KEY);
    }
  });
});
