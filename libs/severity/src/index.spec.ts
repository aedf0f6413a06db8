import * as severity from './index';

describe('@app/severity public face', () => {
  it('exports the documented API', () => {
    expect(Object.keys(severity).sort()).toEqual([
      'PAGERDUTY_SEVERITIES',
      'SEVERITIES',
      'compareSeverity',
      'isSeverity',
      'meetsFloor',
      'toPagerDutySeverity',
    ]);
  });
});
