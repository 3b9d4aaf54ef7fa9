import { describe, expect, it } from 'vitest';
import { isPortablePath, portablePathProblems } from '../../src/install/portable-path.js';

describe('portable paths', () => {
  it('accepts ordinary paths, dots inside names and names that only start like a device', () => {
    for (const p of ['lib/index.js', 'a.b.c/d', '.hidden', 'console.log', 'com10.txt', 'lpt', 'auxiliary/x', 'nul-device', 'CONFIG', 'x..y', '@scope/name']) {
      expect(isPortablePath(p), p).toBe(true);
    }
  });

  it('refuses reserved characters, trailing dots and spaces, and device names in any case with any extension', () => {
    const rules = (p: string) => portablePathProblems(p).map((x) => x.rule);
    for (const c of ['<', '>', ':', '"', '|', '?', '*']) expect(rules(`a${c}b`), c).toEqual(['reserved-character']);
    expect(rules('dir./x')).toEqual(['trailing-dot-or-space']);
    expect(rules('x/name ')).toEqual(['trailing-dot-or-space']);
    for (const d of ['CON', 'prn', 'Aux', 'nul', 'COM1', 'com9', 'LPT1', 'lpt9']) {
      expect(rules(d), d).toEqual(['reserved-device-name']);
      expect(rules(`x/${d}.txt`), d).toEqual(['reserved-device-name']);
      expect(rules(`${d}.tar.gz/y`), d).toEqual(['reserved-device-name']);
    }
    expect(rules('nul .txt')).toEqual(['reserved-device-name']);
    expect(rules('aux.')).toEqual(['trailing-dot-or-space', 'reserved-device-name']);
  });

  it('names the segment in its message and never throws on junk', () => {
    expect(portablePathProblems('ok/bad:name/also')[0]).toMatchObject({ segment: 'bad:name' });
    expect(portablePathProblems('')).toEqual([]);
    expect(portablePathProblems('//')).toEqual([]);
  });
});
