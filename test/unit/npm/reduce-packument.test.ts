/**
 * What npm's resolver hands over for vetting, and the release cooldown on the documents it resolves
 * from (src/npm/reduce-packument.ts): recorded shapes of a full document, a public-registry corgi
 * (no times, `modified`) and Verdaccio's abbreviated document (times, no repository).
 */
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { holdsEveryVersion, isAbbreviated, needsFullDocument, previousVersionOf, publishedAt, reduceForVetting, reductionHolds, withoutYoungVersions, type Doc } from '../../../src/npm/reduce-packument.js';
import { npmFacts } from '../../../src/npm/npm-facts.js';

const day = 86_400_000;
const now = new Date('2026-11-30T12:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * day).toISOString();

const full: Doc = {
  name: 'x', 'dist-tags': { latest: '2.1.0', next: '3.0.0-rc.1' }, maintainers: [{ name: 'a' }], repository: { url: 'git+https://x.invalid/x.git' },
  time: { created: ago(900), modified: ago(1), '1.0.0': ago(900), '2.0.0': ago(400), '2.1.0': ago(1), '3.0.0-rc.1': ago(0.5) },
  versions: {
    '1.0.0': { name: 'x', version: '1.0.0', readme: 'big', dist: { integrity: 'sha512-a' } },
    '2.0.0': { name: 'x', version: '2.0.0', scripts: { test: 'x' }, dependencies: { y: '^1' }, dist: { integrity: 'sha512-b' }, _npmUser: { name: 'a' } },
    '2.1.0': { name: 'x', version: '2.1.0', scripts: { postinstall: 'node i.js' }, dependencies: { y: '^1', z: '^2' }, dist: { integrity: 'sha512-c' }, _npmUser: { name: 'b' } },
    '3.0.0-rc.1': { name: 'x', version: '3.0.0-rc.1', dist: { integrity: 'sha512-d' } },
  },
};
const corgi: Doc = {
  name: 'x', 'dist-tags': { latest: '2.1.0' }, modified: ago(1),
  versions: {
    '1.0.0': { name: 'x', version: '1.0.0', dist: { integrity: 'sha512-a' } },
    '2.0.0': { name: 'x', version: '2.0.0', dependencies: { y: '^1' }, dist: { integrity: 'sha512-b' } },
    '2.1.0': { name: 'x', version: '2.1.0', dependencies: { y: '^1', z: '^2' }, dist: { integrity: 'sha512-c' }, hasInstallScript: true },
  },
};

describe('documents handed over for vetting', () => {
  it('tells a corgi from a full document', () => {
    expect(isAbbreviated(full)).toBe(false);
    expect(isAbbreviated(corgi)).toBe(true);
  });

  it('keeps the chosen version, the one before it and the locked one, the times and the version count', () => {
    const reduced = reduceForVetting(full, ['2.1.0'], semver);
    expect(Object.keys(reduced.versions).sort()).toEqual(['2.0.0', '2.1.0']);
    expect(reduced._versionCount).toBe(4);
    expect(reduced.time).toBe(full.time);
    expect(reduced.versions['2.0.0']).not.toHaveProperty('readme');
    expect(Object.keys(reduceForVetting(full, ['2.1.0', '1.0.0'], semver).versions).sort()).toEqual(['1.0.0', '2.0.0', '2.1.0']);
    expect(previousVersionOf(Object.keys(full.versions!), '3.0.0-rc.1', semver)).toBe('2.1.0');
  });

  it('a reduced document gives the same facts as the full one', () => {
    const spec = { raw: 'x@2.1.0', type: 'version', name: 'x', registryName: 'x', fetchSpec: '2.1.0', fromRegistry: true };
    const a = npmFacts(spec, { ok: true, packument: full as never });
    const b = npmFacts(spec, { ok: true, packument: reduceForVetting(full, ['2.1.0'], semver) as never });
    expect(b).toEqual(a);
  });

  it('a corgi: repository and description unknown (not missing), times from `modified` as an upper bound', () => {
    const reduced = reduceForVetting(corgi, ['2.0.0'], semver);
    expect(reduced).toMatchObject({ _abbreviated: true, _timeUpperBound: true, time: { '2.0.0': ago(1), modified: ago(1) } });
    const facts = npmFacts({ raw: 'x@2.0.0', type: 'version', name: 'x', registryName: 'x', fetchSpec: '2.0.0', fromRegistry: true }, { ok: true, packument: reduced as never });
    expect(facts.repository).toBeUndefined();
    expect(facts.description).toBeUndefined();
    expect(facts.unknownFields ?? []).not.toContain('maintainers');
  });

  it('a full document is needed for a recent release, scripts the corgi only flags, or no time at all', () => {
    expect(needsFullDocument(full, '2.1.0', new Date(now.getTime() - 30 * day))).toBe(false);
    expect(needsFullDocument(corgi, '2.1.0', new Date(now.getTime() - 30 * day))).toBe(true);
    const oldCorgi = { ...corgi, modified: ago(200), versions: { '1.0.0': corgi.versions!['1.0.0']! } };
    expect(needsFullDocument(oldCorgi, '1.0.0', new Date(now.getTime() - 30 * day))).toBe(false);
    expect(needsFullDocument({ ...oldCorgi, versions: { '1.0.0': { hasInstallScript: true } } }, '1.0.0', new Date(now.getTime() - 30 * day))).toBe(true);
    expect(needsFullDocument({ name: 'x', versions: { '1.0.0': {} } }, '1.0.0', new Date(0))).toBe(true);
    expect(publishedAt(corgi, '1.0.0')).toEqual({ at: new Date(ago(1)), upperBound: true });
  });

  it('a reduction kept from an earlier run holds when it came from a full document, or its corgi still needed none', () => {
    const monthAgo = new Date(now.getTime() - 30 * day);
    expect(reductionHolds(reduceForVetting(full, ['2.1.0'], semver), ['2.1.0'], monthAgo)).toBe(true);
    const oldCorgi = { ...corgi, modified: ago(200), versions: { '1.0.0': corgi.versions!['1.0.0']! } };
    const fromOldCorgi = reduceForVetting(oldCorgi, ['1.0.0'], semver);
    expect(reductionHolds(fromOldCorgi, ['1.0.0'], monthAgo)).toBe(true);
    // A longer recent-release window (set in the config since) reaches back to it: the full one is read.
    expect(reductionHolds(fromOldCorgi, ['1.0.0'], new Date(now.getTime() - 365 * day))).toBe(false);
  });
});

describe('the release cooldown on a document', () => {
  it('drops versions younger than the cutoff and moves dist-tags to the newest remaining one below', () => {
    const before = new Date(now.getTime() - 2 * day);
    const filtered = withoutYoungVersions(full, before, semver)!;
    expect(Object.keys(filtered.versions!).sort()).toEqual(['1.0.0', '2.0.0']);
    expect(filtered['dist-tags']).toEqual({ latest: '2.0.0', next: '2.0.0' });
    expect(full.versions!['2.1.0']).toBeDefined(); // the original is left alone
  });

  it('says nothing when nothing is younger, or when times are only an upper bound', () => {
    expect(withoutYoungVersions(full, new Date(now.getTime() + day), semver)).toBeUndefined();
    expect(withoutYoungVersions(corgi, new Date(now.getTime() - 2 * day), semver)).toBeUndefined();
  });
});

describe('a full document from npm\'s cache', () => {
  const corgi = { name: 'x', versions: { '1.0.0': {}, '1.1.0': {} } };
  it('stands for the registry\'s when it has every version the resolver saw', () => {
    expect(holdsEveryVersion({ name: 'x', versions: { '1.0.0': {}, '1.1.0': {}, '0.9.0': {} } }, corgi)).toBe(true);
  });
  it('is fetched again when it lacks a version (older than the abbreviated document), or there is nothing to compare with', () => {
    expect(holdsEveryVersion({ name: 'x', versions: { '1.0.0': {} } }, corgi)).toBe(false);
    expect(holdsEveryVersion({ name: 'x', versions: { '1.0.0': {}, '1.1.0': {} } }, undefined)).toBe(false);
  });
});
