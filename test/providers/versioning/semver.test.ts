import { describe, expect, it } from 'vitest';
import { createSemverVersioning } from '../../../providers/versioning/semver.js';
import { latestVersion, maxSatisfying, satisfies } from '../../../src/package/name-version.js';
import { prng } from '../../helpers/prng.js';
import { describeVersioningConformance } from '../../conformance/versioning.suite.js';

describeVersioningConformance({ name: 'semver', create: () => createSemverVersioning() });

describe('semver versioning: its own cases', () => {
  it('its memoised satisfies gives the grammar module\'s answer, also after the memo is emptied', () => {
    const p = createSemverVersioning();
    const ranges = ['^1.0.0', '>=1.2.0,<1.4.0', '~0.3', '1.x || >=3.0.0-beta.1', '==2.0.0', 'junk'];
    const sample = Array.from({ length: 200 }, (_, i) => `${i % 4}.${i % 7}.${i % 11}${i % 5 === 0 ? '-beta.1' : ''}`);
    const check = (): void => {
      for (const v of sample) for (const r of ranges) expect(p.satisfies(v, r), `${v} in ${r}`).toBe(satisfies(v, r));
    };
    check();
    // More distinct versions than the memo holds, so it is emptied and refilled.
    for (let i = 0; i < 21_000; i++) expect(p.isValidVersion(`${i}.0.0`)).toBe(true);
    check();
  });

  it('latest and maxSatisfying give the grammar module\'s answers on 500 random version lists', () => {
    const p = createSemverVersioning();
    const random = prng(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const ranges = ['^1.0.0', '>=1.2.0,<1.4.0', '~0.3', '1.x || >=3.0.0-beta.1', '==2.0.0', '*', '^2.1.0-rc.1', 'junk', '<0.0.0'];
    for (let round = 0; round < 500; round++) {
      const versions = Array.from({ length: Math.floor(random() * 30) }, () => {
        const core = `${pick([0, 1, 2, 3])}.${pick([0, 1, 2, 3, 4])}.${pick([0, 1, 2, 10])}`;
        return core + pick(['', '', '', '-beta.1', '-rc.1', '-alpha']) + pick(['', '', '+build.7', '+b']) + (random() < 0.03 ? 'x!' : '');
      });
      expect(p.latest(versions), versions.join(' ')).toBe(latestVersion(versions));
      for (const r of ranges) expect(p.maxSatisfying(versions, r), `${r} over ${versions.join(' ')}`).toBe(maxSatisfying(versions, r));
    }
  });

  it('compares by SemVer precedence, ignoring build metadata', () => {
    const p = createSemverVersioning();
    expect(p.compare('1.0.0+build.1', '1.0.0')).toBe(0);
    expect(p.compare('1.0.0-alpha.10', '1.0.0-alpha.9')).toBeGreaterThan(0);
  });
});
