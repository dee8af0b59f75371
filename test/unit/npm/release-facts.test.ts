import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Packument } from '../../../src/npm/npm-registry.js';
import { previousReleaseOf, releaseFactsOf } from '../../../src/npm/release-facts.js';

const recorded = (name: string): Packument => JSON.parse(readFileSync(new URL(`../../fixtures/npm/packuments/${name}.json`, import.meta.url), 'utf8'));

/** Handmade: what a real registry sends (with `_npmUser`, `dist.unpackedSize`/`fileCount`), prereleases included. */
const handmade: Packument = {
  name: 'demo',
  versions: {
    '1.0.0': { name: 'demo', version: '1.0.0', _npmUser: { name: 'alice', email: 'a@example.invalid' }, dist: { unpackedSize: 12_345, fileCount: 7 } },
    '1.1.0-beta.1': { name: 'demo', version: '1.1.0-beta.1', _npmUser: { name: 'alice' } },
    '1.1.0': {
      name: 'demo', version: '1.1.0', _npmUser: 'bob <bob@example.invalid>',
      dependencies: { zeta: '^1.0.0', alpha: '^2.0.0' }, optionalDependencies: { alpha: '^2.0.0', fsevents: '^2.0.0' },
      scripts: { postinstall: 'node setup.js', test: 'vitest' }, dist: { unpackedSize: 20_000, fileCount: 9 },
    },
    '1.1.1': { name: 'demo', version: '1.1.1', gypfile: true },
    '2.0.0-rc.0': { name: 'demo', version: '2.0.0-rc.0' },
    '2.0.0-rc.1': { name: 'demo', version: '2.0.0-rc.1' },
    '2.0.0': { name: 'demo', version: '2.0.0' },
  },
  time: { '1.0.0': '2020-01-01T00:00:00.000Z', '1.1.0': '2021-06-01T12:00:00.000Z', '1.1.1': 'not a date', modified: '2024-01-01T00:00:00.000Z' },
};

describe('releaseFactsOf', () => {
  it('left-pad (mirror): scripts and dependencies known, publisher and sizes stripped', () => {
    const facts = releaseFactsOf(recorded('left-pad'), '1.3.0')!;
    expect(facts).toEqual({ version: '1.3.0', publishedAt: new Date('2024-09-05T00:40:51.026Z'), installScripts: {}, dependencies: [], provenance: false });
    expect(facts.publisher).toBeUndefined();
    expect(facts.unpackedSize).toBeUndefined();
    expect(facts.fileCount).toBeUndefined();
  });

  it('esbuild: postinstall and the optional platform dependencies', () => {
    const facts = releaseFactsOf(recorded('esbuild-trimmed'), '0.25.1')!;
    expect(facts.installScripts).toEqual({ postinstall: 'node install.js' });
    expect(facts.dependencies).toHaveLength(25);
    expect(facts.dependencies).toContain('@esbuild/linux-x64');
    expect(facts.publishedAt!.toISOString()).toBe('2025-03-15T12:14:27.927Z');
  });

  it('a real-registry manifest: publisher, sizes, dependencies + optionalDependencies (deduplicated, sorted)', () => {
    expect(releaseFactsOf(handmade, '1.0.0')).toEqual({
      version: '1.0.0', publishedAt: new Date('2020-01-01T00:00:00.000Z'), installScripts: {}, dependencies: [], publisher: 'alice', unpackedSize: 12_345, fileCount: 7, provenance: false,
    });
    expect(releaseFactsOf(handmade, '1.1.0')).toMatchObject({
      publisher: 'bob', dependencies: ['alpha', 'fsevents', 'zeta'], installScripts: { postinstall: 'node setup.js' }, unpackedSize: 20_000, fileCount: 9,
    });
  });

  it('implicit node-gyp install; an unparseable or missing publish time stays unknown', () => {
    const facts = releaseFactsOf(handmade, '1.1.1')!;
    expect(facts.installScripts).toEqual({ install: 'node-gyp rebuild' });
    expect(facts.publishedAt).toBeUndefined();
    expect(releaseFactsOf(handmade, '2.0.0')!.publishedAt).toBeUndefined();
  });

  it('a version the packument does not have is undefined', () => {
    expect(releaseFactsOf(handmade, '9.9.9')).toBeUndefined();
  });
});

describe('previousReleaseOf', () => {
  const prev = (packument: Packument, version: string, replaced?: string) => {
    const found = previousReleaseOf(packument, version, replaced);
    return found && `${found.facts.version} (${found.reason})`;
  };

  it.each([
    ['the highest lower version, by semver not key order', 'left-pad', '1.3.0', undefined, '1.2.0 (previous-release)'],
    ['by semver within a line', 'left-pad', '1.1.0', undefined, '1.0.2 (previous-release)'],
    ['the first version has none', 'left-pad', '0.0.0', undefined, undefined],
    ['the lockfile version when given', 'left-pad', '1.3.0', '1.0.0', '1.0.0 (replaced)'],
    ['a lockfile version the registry lacks falls back', 'left-pad', '1.3.0', '1.2.9', '1.2.0 (previous-release)'],
    ['the same version in the lockfile falls back', 'left-pad', '1.3.0', '1.3.0', '1.2.0 (previous-release)'],
    ['a downgrade compares with what is replaced', 'left-pad', '1.1.0', '1.3.0', '1.3.0 (replaced)'],
    ['recorded esbuild', 'esbuild-trimmed', '0.25.1', undefined, '0.25.0 (previous-release)'],
    ['prereleases are skipped for a release', 'handmade', '1.1.0', undefined, '1.0.0 (previous-release)'],
    ['release candidates are skipped for a release', 'handmade', '2.0.0', undefined, '1.1.1 (previous-release)'],
    ['a prerelease compares with prereleases too', 'handmade', '2.0.0-rc.1', undefined, '2.0.0-rc.0 (previous-release)'],
    ['a version that is not semver has none', 'handmade', 'latest', undefined, undefined],
  ] as const)('%s', (_title, which, version, replaced, expected) => {
    const packument = which === 'handmade' ? handmade : recorded(which);
    expect(prev(packument, version, replaced)).toBe(expected);
  });

  it('returns the full facts of the version compared with', () => {
    expect(previousReleaseOf(handmade, '1.1.1')).toEqual({ facts: releaseFactsOf(handmade, '1.1.0'), reason: 'previous-release' });
  });
});
