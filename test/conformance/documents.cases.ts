/**
 * The documents facet's cases (src/contracts/documents.ts), declared by the metadata conformance
 * suite for every provider that has `documents`, and reported unsupported for one that has not.
 */
import { expect } from 'vitest';
import type { DocumentWrite, MetadataProvider } from '../../src/contracts/index.js';
import { RegistryError, type ErrorCode } from '../../src/errors.js';
import type { ConformanceCases } from './harness.js';
import { sampleRecord } from './metadata.suite.js';

async function codeOf(fn: () => Promise<unknown>): Promise<ErrorCode | string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err instanceof RegistryError ? err.code : `not a RegistryError: ${String(err)}`;
  }
}

export interface DocumentCaseOptions<P extends MetadataProvider> {
  cases: ConformanceCases;
  present: boolean;
  fresh: () => Promise<P>;
  /** A second handle on the same store, when the provider is multi-process and the caller can reopen. */
  another?: (p: P) => Promise<P>;
}

export function declareDocumentCases<P extends MetadataProvider>({ cases, present, fresh, another }: DocumentCaseOptions<P>): void {
  const { needs } = cases;
  const put = (kind: string, key: string, value: unknown, expectRevision?: number): DocumentWrite =>
    expectRevision === undefined ? { op: 'put', kind, key, value } : { op: 'put', kind, key, value, expectRevision };

  needs('documents', present, 'documents: a put is read back as written, with revision 1 and a time; an absent one reads as undefined', async () => {
    const d = (await fresh()).documents!;
    expect(await d.get('trust-root', 'ed25519:0011')).toBeUndefined();
    const value = { label: 'ünïcödé', patterns: ['@acme/*'], n: 1.5, ok: true, none: null, nested: { list: [1, [2]] } };
    await d.write([put('trust-root', 'ed25519:0011', value)]);
    const got = await d.get('trust-root', 'ed25519:0011');
    expect(got).toMatchObject({ kind: 'trust-root', key: 'ed25519:0011', value, revision: 1 });
    expect(Number.isNaN(Date.parse(got!.updatedAt))).toBe(false);
    expect(await d.get('trust-root', 'ed25519:0012')).toBeUndefined();
    expect(await d.get('other-kind', 'ed25519:0011')).toBeUndefined();
  });

  needs('documents', present, 'documents: each write of a key adds one to its revision; expectRevision 0 creates only, n updates only from n', async () => {
    const d = (await fresh()).documents!;
    await d.write([put('policy', 'store', { v: 1 }, 0)]);
    await d.write([put('policy', 'store', { v: 2 }, 1)]);
    expect(await d.get('policy', 'store')).toMatchObject({ value: { v: 2 }, revision: 2 });
    const again = await codeOf(() => d.write([put('policy', 'store', { v: 3 }, 0)]));
    expect(again).toBe('E_META_CONFLICT');
    expect(await codeOf(() => d.write([put('policy', 'store', { v: 3 }, 1)]))).toBe('E_META_CONFLICT');
    await d.write([put('policy', 'store', { v: 3 })]);
    expect(await d.get('policy', 'store')).toMatchObject({ value: { v: 3 }, revision: 3 });
  });

  needs('documents', present, 'documents: a batch lands whole or not at all; a failed revision check writes nothing of it', async () => {
    const d = (await fresh()).documents!;
    await d.write([put('user', 'alice', { role: 'admin' }), put('user', 'bob', { role: 'reader' })]);
    const code = await codeOf(() => d.write([put('user', 'carol', { role: 'reader' }), { op: 'delete', kind: 'user', key: 'alice' }, put('user', 'bob', { role: 'admin' }, 7)]));
    expect(code).toBe('E_META_CONFLICT');
    expect(await d.get('user', 'carol')).toBeUndefined();
    expect(await d.get('user', 'alice')).toMatchObject({ value: { role: 'admin' }, revision: 1 });
    expect(await d.get('user', 'bob')).toMatchObject({ value: { role: 'reader' }, revision: 1 });
    await d.write([{ op: 'delete', kind: 'user', key: 'alice', expectRevision: 1 }, { op: 'delete', kind: 'user', key: 'nobody' }]);
    expect(await d.get('user', 'alice')).toBeUndefined();
    expect(await codeOf(() => d.write([{ op: 'delete', kind: 'user', key: 'nobody', expectRevision: 1 }]))).toBe('E_META_CONFLICT');
    // A deleted key starts again from revision 1.
    await d.write([put('user', 'alice', { role: 'reader' }, 0)]);
    expect(await d.get('user', 'alice')).toMatchObject({ revision: 1 });
  });

  needs('documents', present, 'documents: list orders keys by code point, filters by prefix, pages with after and limit, and keeps kinds apart', async () => {
    const d = (await fresh()).documents!;
    const keys = ['b', 'a/2', 'a/10', 'a', 'a/1', 'ab', '\u{1F600}', '\uFFFD', 'Z'];
    await d.write(keys.map((k) => put('sig', k, { k })));
    await d.write([put('sig-other', 'a/1', {})]);
    const all = (await d.list('sig')).map((x) => x.key);
    expect(all).toEqual(['Z', 'a', 'a/1', 'a/10', 'a/2', 'ab', 'b', '\uFFFD', '\u{1F600}']);
    expect((await d.list('sig', { prefix: 'a/' })).map((x) => x.key)).toEqual(['a/1', 'a/10', 'a/2']);
    expect((await d.list('sig', { prefix: 'a/', after: 'a/1' })).map((x) => x.key)).toEqual(['a/10', 'a/2']);
    expect((await d.list('sig', { after: 'a/2', limit: 2 })).map((x) => x.key)).toEqual(['ab', 'b']);
    expect((await d.list('sig', { prefix: 'a/', after: 'b' })).map((x) => x.key)).toEqual([]);
    expect((await d.list('sig', { limit: 0 })).map((x) => x.key)).toEqual([]);
    expect(await d.list('never-written')).toEqual([]);
    expect((await d.list('sig', { prefix: 'a/1' }))[0]).toMatchObject({ kind: 'sig', key: 'a/1', value: { k: 'a/1' }, revision: 1 });
  });

  needs('documents', present, 'documents: values handed in and out are copies', async () => {
    const d = (await fresh()).documents!;
    const value = { list: [1] };
    await d.write([put('k', 'x', value)]);
    value.list.push(2);
    const got = (await d.get('k', 'x'))!;
    (got.value as { list: number[] }).list.push(3);
    ((await d.list('k'))[0]!.value as { list: number[] }).list.push(4);
    expect((await d.get('k', 'x'))!.value).toEqual({ list: [1] });
  });

  needs('documents', present, 'documents: bad kinds, keys, values and options are refused with E_INVALID_ARGUMENT, writing nothing of the batch', async () => {
    const d = (await fresh()).documents!;
    const bad: Array<[string, DocumentWrite]> = [
      ['upper-case kind', put('Trust', 'k', 1)],
      ['empty kind', put('', 'k', 1)],
      ['long kind', put(`k${'x'.repeat(64)}`, 'k', 1)],
      ['empty key', put('k', '', 1)],
      ['NUL in key', put('k', 'a\u0000b', 1)],
      ['long key', put('k', 'x'.repeat(1025), 1)],
      ['function value', put('k', 'k', () => 1)],
      ['NaN value', put('k', 'k', { n: Number.NaN })],
      ['Date value', put('k', 'k', new Date(0))],
      ['undefined value', put('k', 'k', undefined)],
      ['oversized value', put('k', 'k', 'x'.repeat(1024 * 1024 + 1))],
      ['negative revision', put('k', 'k', 1, -1)],
    ];
    for (const [why, w] of bad) {
      expect(await codeOf(() => d.write([put('k', 'fine', 1), w])), why).toBe('E_INVALID_ARGUMENT');
    }
    expect(await d.get('k', 'fine')).toBeUndefined();
    expect(await codeOf(() => d.get('BAD', 'k'))).toBe('E_INVALID_ARGUMENT');
    expect(await codeOf(() => d.list('k', { limit: -1 }))).toBe('E_INVALID_ARGUMENT');
    // A value just under the cap is kept whole.
    const big = 'y'.repeat(1024 * 1024 - 2);
    await d.write([put('k', 'big', big)]);
    expect((await d.get('k', 'big'))!.value).toBe(big);
  });

  needs('documents', present, 'documents: writes given with insertVersion land with the version, and only when it is inserted', async () => {
    const p = await fresh();
    const d = p.documents!;
    const record = sampleRecord('signed', '1.0.0');
    expect(await p.insertVersion(record, [put('signature', 'signed@1.0.0#k1', { sig: 'aa' })])).toEqual({ status: 'inserted' });
    expect(await d.get('signature', 'signed@1.0.0#k1')).toMatchObject({ value: { sig: 'aa' } });
    // unchanged and conflict outcomes write nothing
    expect((await p.insertVersion(record, [put('signature', 'signed@1.0.0#k2', {})])).status).toBe('unchanged');
    expect((await p.insertVersion(sampleRecord('signed', '1.0.0', 'other'), [put('signature', 'signed@1.0.0#k3', {})])).status).toBe('conflict');
    expect((await d.list('signature')).map((x) => x.key)).toEqual(['signed@1.0.0#k1']);
    // a failing revision check refuses the version too
    expect(await codeOf(() => p.insertVersion(sampleRecord('signed', '2.0.0'), [put('signature', 'signed@1.0.0#k1', {}, 0)]))).toBe('E_META_CONFLICT');
    expect(await p.getVersion('signed', '2.0.0')).toBeUndefined();
    // and the provider is still usable afterwards
    expect(await p.insertVersion(sampleRecord('signed', '2.0.0'))).toEqual({ status: 'inserted' });
  });

  needs('documents', present, 'documents: writes given with deleteVersion land with the delete, and only when a version was removed', async () => {
    const p = await fresh();
    const d = p.documents!;
    await p.insertVersion(sampleRecord('gone', '1.0.0'));
    expect(await p.deleteVersion('gone', '1.0.0', [put('tombstone', 'gone@1.0.0', { at: 'now' })])).toEqual(sampleRecord('gone', '1.0.0'));
    expect(await d.get('tombstone', 'gone@1.0.0')).toMatchObject({ value: { at: 'now' } });
    expect(await p.deleteVersion('gone', '1.0.0', [put('tombstone', 'gone@1.0.0', { at: 'again' })])).toBeUndefined();
    expect(await d.get('tombstone', 'gone@1.0.0')).toMatchObject({ value: { at: 'now' }, revision: 1 });
    await p.insertVersion(sampleRecord('kept', '1.0.0'));
    expect(await codeOf(() => p.deleteVersion('kept', '1.0.0', [put('tombstone', 'gone@1.0.0', {}, 0)]))).toBe('E_META_CONFLICT');
    expect(await p.getVersion('kept', '1.0.0')).toBeDefined();
  });

  needs('documents', present, 'documents: concurrent create-only writes of one key: exactly one wins', async () => {
    const d = (await fresh()).documents!;
    const codes = await Promise.all(Array.from({ length: 12 }, (_, i) => codeOf(() => d.write([put('lock', 'one', { i }, 0)]))));
    expect(codes.filter((c) => c === undefined)).toHaveLength(1);
    expect(codes.filter((c) => c === 'E_META_CONFLICT')).toHaveLength(11);
  });

  needs('documents with multiProcess', present && another !== undefined, 'documents: another handle sees a write at once, and compare-and-set holds between handles', async () => {
    const p = await fresh();
    const q = await another!(p);
    await p.documents!.write([put('token', 'h1', { user: 'alice' })]);
    expect(await q.documents!.get('token', 'h1')).toMatchObject({ value: { user: 'alice' }, revision: 1 });
    await q.documents!.write([put('token', 'h1', { user: 'alice', revoked: true }, 1)]);
    expect(await codeOf(() => p.documents!.write([put('token', 'h1', { user: 'mallory' }, 1)]))).toBe('E_META_CONFLICT');
    expect(await p.documents!.get('token', 'h1')).toMatchObject({ value: { user: 'alice', revoked: true }, revision: 2 });
  });
}
