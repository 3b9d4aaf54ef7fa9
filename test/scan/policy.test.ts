import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryMetadata } from '../../providers/metadata/memory.js';
import { addExemption, applicableExemption, EXEMPTION_KIND, listExemptions, readExemptions, removeExemption } from '../../src/scan/exemptions.js';
import { ADVISORY_POLICY_KIND, commitPolicyWrites, DEFAULT_ADVISORY_POLICY, planPolicyChange, readAdvisoryPolicy, setAdvisoryPolicy } from '../../src/scan/policy.js';
import { expectCode } from '../helpers/expect-code.js';
import { world, type World } from './helpers.js';

let w: World;
beforeEach(async () => {
  w = await world();
});
afterEach(() => w.cleanup());

describe('the advisory policy document', () => {
  it('defaults until set; set changes only what is given, compare-and-set, audited', async () => {
    expect(await readAdvisoryPolicy(w.metadata.documents)).toEqual({ policy: DEFAULT_ADVISORY_POLICY, stored: false, revision: 0 });
    const plan = await setAdvisoryPolicy(w, { block: 'critical', maxAdvisoryAgeHours: 168 });
    expect(plan.policy).toEqual({ ...DEFAULT_ADVISORY_POLICY, block: 'critical', maxAdvisoryAgeHours: 168 });
    expect(plan.changed).toContain('block: high → critical');
    expect(plan.changed).toContain('maxAdvisoryAgeHours: no limit → 1w');
    const stored = await readAdvisoryPolicy(w.metadata.documents);
    expect(stored).toMatchObject({ stored: true, revision: 1, policy: plan.policy });
    expect((await w.metadata.documents!.get(ADVISORY_POLICY_KIND, 'default'))!.value).toEqual({ version: 1, ...plan.policy });
    await setAdvisoryPolicy(w, { warn: 'moderate', maxAdvisoryAgeHours: null });
    expect((await readAdvisoryPolicy(w.metadata.documents)).policy).toEqual({ ...plan.policy, warn: 'moderate', maxAdvisoryAgeHours: null });
    expect(w.events.map((e) => [e.action, e.outcome])).toEqual([['policy-set', 'success'], ['policy-set', 'success']]);
  });

  it('refuses a warn level above the block level', async () => {
    await expectCode(() => setAdvisoryPolicy(w, { block: 'high', warn: 'critical' }), 'E_INVALID_ARGUMENT');
    expect((await setAdvisoryPolicy(w, { block: 'none', warn: 'critical' })).policy.warn).toBe('critical');
  });

  it('a write that lost a race changes nothing and is audited as failed (E_META_CONFLICT)', async () => {
    const before = await readAdvisoryPolicy(w.metadata.documents);
    await setAdvisoryPolicy(w, { block: 'critical' });
    const stale = planPolicyChange(before, { block: 'low' });
    await expectCode(() => commitPolicyWrites(w, stale.writes, {}), 'E_META_CONFLICT');
    expect((await readAdvisoryPolicy(w.metadata.documents)).policy.block).toBe('critical');
    expect(w.events.at(-1)).toMatchObject({ action: 'policy-set', outcome: 'failure', code: 'E_META_CONFLICT' });
  });

  it('a document this pakt did not write is refused with E_POLICY_INVALID, never half-read', async () => {
    for (const value of [null, [], { version: 2 }, { version: 1, block: 'severe', warn: 'low', unknownAs: 'high', maxAdvisoryAgeHours: null, onScannerFailure: 'fail-closed' }, { ...DEFAULT_ADVISORY_POLICY, version: 1, maxAdvisoryAgeHours: -1 }, { ...DEFAULT_ADVISORY_POLICY, version: 1, onScannerFailure: 'maybe' }]) {
      await w.metadata.documents!.write([{ op: 'put', kind: ADVISORY_POLICY_KIND, key: 'default', value }]);
      await expectCode(() => readAdvisoryPolicy(w.metadata.documents), 'E_POLICY_INVALID');
    }
  });

  it('metadata without documents keeps the defaults for decisions and refuses to store a policy', async () => {
    const bare = { ...createMemoryMetadata(), documents: undefined };
    expect((await readAdvisoryPolicy(undefined)).policy).toEqual(DEFAULT_ADVISORY_POLICY);
    await expectCode(() => setAdvisoryPolicy({ metadata: bare }, { block: 'low' }), 'E_PROVIDER_INCOMPATIBLE');
    await expectCode(() => addExemption({ metadata: bare }, { advisory: 'GHSA-aaaa-bbbb-cccc', reason: 'x', expires: new Date(Date.now() + 1000) }), 'E_PROVIDER_INCOMPATIBLE');
  });
});

describe('exemptions', () => {
  const later = (ms: number) => new Date(w.now.value.getTime() + ms);

  it('are added, replaced, listed with their state, and removed; each audited', async () => {
    const firstExpiry = later(60_000).toISOString();
    await addExemption(w, { advisory: 'GHSA-35jh-r3h4-6jhm', packages: 'app', reason: 'no templates', expires: later(60_000) });
    await addExemption(w, { advisory: 'GHSA-35jh-r3h4-6jhm', packages: 'app', reason: 'still no templates', expires: later(120_000) });
    await addExemption(w, { advisory: 'CVE-2021-44906', reason: 'argv is ours', expires: later(30_000) });
    let list = await listExemptions(w);
    expect(list.map((e) => [e.advisory, e.packages, e.reason, e.active])).toEqual([
      ['CVE-2021-44906', '*', 'argv is ours', true],
      ['GHSA-35jh-r3h4-6jhm', 'app', 'still no templates', true],
    ]);
    expect(list[1]).toMatchObject({ createdBy: 'tester', createdAt: w.now.value.toISOString(), expires: later(120_000).toISOString() });
    w.now.value = later(45_000);
    list = await listExemptions(w);
    expect(list.map((e) => e.active)).toEqual([false, true]);
    await removeExemption(w, 'GHSA-35jh-r3h4-6jhm', 'app');
    await expectCode(() => removeExemption(w, 'GHSA-35jh-r3h4-6jhm', 'app'), 'E_EXEMPTION_NOT_FOUND');
    expect(w.events.map((e) => e.action)).toEqual(['exemption-add', 'exemption-add', 'exemption-add', 'exemption-remove']);
    expect(w.events[0]!.detail).toEqual({ advisory: 'GHSA-35jh-r3h4-6jhm', packages: 'app', reason: 'no templates', expires: firstExpiry });
  });

  it('need a real reason, a future expiry, an advisory id and a name pattern', async () => {
    const base = { advisory: 'GHSA-35jh-r3h4-6jhm', reason: 'fine', expires: later(60_000) };
    expect((await expectCode(() => addExemption(w, { ...base, reason: '  ' }), 'E_USAGE')).message).toContain('needs a reason');
    await expectCode(() => addExemption(w, { ...base, reason: '<why it does not apply to app>' }), 'E_INVALID_ARGUMENT');
    await expectCode(() => addExemption(w, { ...base, expires: later(-1) }), 'E_INVALID_ARGUMENT');
    await expectCode(() => addExemption(w, { ...base, advisory: 'not an id' }), 'E_INVALID_ARGUMENT');
    await expectCode(() => addExemption(w, { ...base, packages: 'Bad Pattern' }), 'E_INVALID_ARGUMENT');
    await expectCode(() => addExemption(w, { ...base, reason: 'x'.repeat(2001) }), 'E_INVALID_ARGUMENT');
    expect(await listExemptions(w)).toEqual([]);
  });

  it('apply by advisory id or alias, to the subject or the affected package, until they expire', async () => {
    await addExemption(w, { advisory: 'CVE-2021-23337', packages: '@acme/*', reason: 'reviewed', expires: later(60_000) });
    const all = await readExemptions(w.metadata.documents);
    const ids = ['GHSA-35jh-r3h4-6jhm', 'CVE-2021-23337'];
    expect(applicableExemption(all, ids, '@acme/web', 'lodash', w.now.value)?.reason).toBe('reviewed');
    expect(applicableExemption(all, ids, 'app', '@acme/lodash-fork', w.now.value)?.reason).toBe('reviewed');
    expect(applicableExemption(all, ids, 'app', 'lodash', w.now.value)).toBeUndefined();
    expect(applicableExemption(all, ['GHSA-other'], '@acme/web', 'lodash', w.now.value)).toBeUndefined();
    expect(applicableExemption(all, ids, '@acme/web', 'lodash', later(60_000))).toBeUndefined();
  });

  it('a stored exemption this pakt did not write is refused with E_POLICY_INVALID', async () => {
    await w.metadata.documents!.write([{ op: 'put', kind: EXEMPTION_KIND, key: 'GHSA-35jh-r3h4-6jhm *', value: { version: 1, advisory: 'GHSA-35jh-r3h4-6jhm', packages: 'other', reason: 'r', expires: 'x', createdAt: 'c', createdBy: 'b' } }]);
    await expectCode(() => readExemptions(w.metadata.documents), 'E_POLICY_INVALID');
  });
});
