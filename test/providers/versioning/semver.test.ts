import { describe, expect, it } from 'vitest';
import { createSemverVersioning } from '../../../providers/versioning/semver.js';
import { satisfies } from '../../../src/package/name-version.js';
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

  it('compares by SemVer precedence, ignoring build metadata', () => {
    const p = createSemverVersioning();
    expect(p.compare('1.0.0+build.1', '1.0.0')).toBe(0);
    expect(p.compare('1.0.0-alpha.10', '1.0.0-alpha.9')).toBeGreaterThan(0);
  });
});
