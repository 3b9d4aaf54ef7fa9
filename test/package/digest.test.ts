import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { digestFile, isDigest, toDigest } from '../../src/package/digest.js';
import { expectCode } from '../helpers/expect-code.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'pakt-digest-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('digests', () => {
  it('hashes a file as sha256:<hex> with its size', async () => {
    const file = path.join(work, 'x');
    const data = Buffer.alloc(700_000, 7);
    writeFileSync(file, data);
    expect(await digestFile(file)).toEqual({ digest: `sha256:${createHash('sha256').update(data).digest('hex')}`, size: data.length });
    await expectCode(() => digestFile(path.join(work, 'missing')), 'E_IO');
  });

  it('recognises digests', () => {
    expect(isDigest(toDigest('a'.repeat(64)))).toBe(true);
    expect(isDigest('sha256:' + 'A'.repeat(64))).toBe(false);
    expect(isDigest('md5:' + 'a'.repeat(32))).toBe(false);
    expect(isDigest(undefined)).toBe(false);
  });
});
