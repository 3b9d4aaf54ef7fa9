import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { compareOsvVersions, formatOsvVersion, parseOsvVersion } from '../../../../providers/scanner/osv/version.js';
import { prng } from '../../../helpers/prng.js';

const cmp = (a: string, b: string) => Math.sign(compareOsvVersions(parseOsvVersion(a)!, parseOsvVersion(b)!));

describe('OSV versions (SemVer 2.0.0 precedence)', () => {
  it('orders the chain of semver.org §11 exactly', () => {
    const chain = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '2.0.0', '2.1.0', '2.1.1'];
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) expect(cmp(chain[i]!, chain[j]!), `${chain[i]} vs ${chain[j]}`).toBe(Math.sign(i - j));
    }
  });

  it('ignores build metadata, and reads a missing minor or patch as 0 (GHSA-r683-j2x4-v87g has "1.0")', () => {
    expect(cmp('1.0.0+build.5', '1.0.0')).toBe(0);
    expect(cmp('1.0', '1.0.0')).toBe(0);
    expect(cmp('1', '1.0.0')).toBe(0);
    expect(formatOsvVersion(parseOsvVersion('v1.2')!)).toBe('1.2.0');
    expect(formatOsvVersion(parseOsvVersion('1.2.3-beta.1+x')!)).toBe('1.2.3-beta.1');
  });

  it('refuses what cannot be ordered, and never throws', () => {
    for (const bad of ['', 'latest', '1.0.0.1', '01.0.0', '1.0.0-', '1..0', 'x1.0.0', ' 1.0.0', '1.0.0 - 2.0.0', '9'.repeat(300), '99999999999999999999.0.0', null, 5, {}]) {
      expect(parseOsvVersion(bad as unknown), JSON.stringify(bad)).toBeNull();
    }
  });

  it('agrees with node-semver on 5,000 random pairs of strict versions', () => {
    const rand = prng(7);
    const part = () => String(Math.floor(rand() * 4));
    const pre = () => (rand() < 0.5 ? '' : `-${['alpha', 'beta', 'rc', '1', '2', '11', 'x-y'][Math.floor(rand() * 7)]}${rand() < 0.4 ? `.${part()}` : ''}`);
    const version = () => `${part()}.${part()}.${part()}${pre()}`;
    for (let i = 0; i < 5000; i++) {
      const a = version();
      const b = version();
      expect(cmp(a, b), `${a} vs ${b}`).toBe(semver.compare(a, b));
    }
  });
});
