import { describe, expect, it } from 'vitest';
import { cvss2, cvss3, roundup } from '../../../../providers/scanner/osv/cvss.js';

describe('CVSS base scores', () => {
  // Vectors of the fixture advisories, with the base scores NVD publishes for them.
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'critical'], // CVE-2021-44906 minimist
    ['CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', 7.2, 'high'], // CVE-2021-23337 lodash template
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H', 7.4, 'high'], // CVE-2020-8203 lodash zipObjectDeep
    ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N', 8.2, 'high'], // CVE-2021-32803 tar (scope changed)
    ['CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:N/I:N/A:L', 2.6, 'low'], // CVE-2020-15168 node-fetch
    ['CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8, 'high'], // CVE-2022-0235 node-fetch (v3.0)
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L', 5.6, 'moderate'], // CVE-2020-7598 minimist
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'moderate'], // CVE-2023-28155 request
    ['CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:H/I:L/A:H', 7.1, 'high'], // CVE-2022-46175 json5
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L', 5.3, 'moderate'], // CVE-2022-25883 semver
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', 5.9, 'moderate'], // CVE-2020-28168 axios
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', 6.5, 'moderate'], // CVE-2024-28863 node-tar
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10, 'critical'], // scope changed, capped at 10
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'low'], // no impact: 0.0 ("None")
  ] as const)('%s → %s', (vector, score, rating) => {
    expect(cvss3(vector)).toEqual({ version: 3, score, rating });
  });

  it('ignores temporal metrics and refuses malformed or incomplete vectors', () => {
    expect(cvss3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C')?.score).toBe(9.8);
    for (const bad of ['', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:', 'x'.repeat(300)]) {
      expect(cvss3(bad), bad).toBeNull();
    }
  });

  it('Roundup gives one decimal without float error (CVSS v3.1 Appendix A)', () => {
    expect(roundup(4.02)).toBe(4.1);
    expect(roundup(4.0)).toBe(4);
    expect(roundup(4.000000000000001)).toBe(4);
  });

  it.each([
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5, 'high'],
    ['AV:N/AC:M/Au:N/C:N/I:P/A:N', 4.3, 'moderate'],
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10, 'high'],
    ['AV:L/AC:M/Au:N/C:N/I:P/A:C', 5.4, 'moderate'],
    ['AV:N/AC:H/Au:S/C:N/I:N/A:N', 0, 'low'],
  ] as const)('CVSS v2 %s → %s', (vector, score, rating) => {
    expect(cvss2(vector)).toEqual({ version: 2, score, rating });
  });
});
