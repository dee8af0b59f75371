import { defaultSettings } from '../../../src/config/settings.js';
import { describe, expect, it } from 'vitest';
import { confusionFindings, primaryIndex, sourceCount, unreachableIndexes } from '../../../src/pypi/dependency-confusion.js';
import { factsFromAnswer, versionFromFilename } from '../../../src/pypi/pypi-facts.js';
import { compareVersions } from '../../../src/pypi/pep440.js';
import { parseRequirementName, pypiReportsForCheck } from '../../../src/pypi/pypi-check.js';
import { buildPopularNameIndex } from '../../../src/checks/popular-names.js';
import type { GuardCandidate } from '../../../src/pypi/pip-guard.js';

const A = 'http://127.0.0.1:1/simple';
const B = 'http://127.0.0.1:2/simple';
const cand = (src: string, version: string, hash: string): GuardCandidate => ({
  version, url: `${src}/../files/x-${version}.whl`, filename: `x-${version}-py3-none-any.whl`, hash: `sha256=${hash}`, comesFrom: `${src}/x/`, isWheel: true,
});

describe('dependency confusion', () => {
  const sources = { indexUrls: [A, B], findLinks: [] };
  it('blocks when another index offers a higher version, naming both', () => {
    const [f] = confusionFindings('x', [cand(A, '1.0', 'aa'), cand(B, '99.0', 'bb')], sources);
    expect(f!.severity).toBe('block');
    expect(f!.message).toContain(A);
    expect(f!.message).toContain(B);
    expect(f!.message).toContain('99.0');
  });
  it('blocks different files for the same version', () => {
    expect(confusionFindings('x', [cand(A, '1.0', 'aa'), cand(B, '1.0', 'bb')], sources)[0]!.severity).toBe('block');
  });
  it('is info for identical files, and silent with one source', () => {
    expect(confusionFindings('x', [cand(A, '1.0', 'aa'), cand(B, '1.0', 'aa')], sources)[0]!.severity).toBe('info');
    expect(confusionFindings('x', [cand(A, '1.0', 'aa')], { indexUrls: [A], findLinks: [] })).toEqual([]);
  });
});

describe('pypi facts', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  it('reads the JSON API (upload times, sdist only, yanked, project URLs)', () => {
    const facts = factsFromAnswer({
      kind: 'json-api', url: 'u',
      body: {
        info: { name: 'p', version: '2.0', summary: 's', project_urls: null, home_page: null },
        releases: {
          '1.0': [{ packagetype: 'bdist_wheel', upload_time_iso_8601: '2024-12-30T00:00:00Z' }],
          '2.0': [{ packagetype: 'sdist', upload_time_iso_8601: '2024-12-31T00:00:00Z', yanked: true, yanked_reason: 'broken' }],
        },
      },
    }, { name: 'p', requested: 'p', version: '2.0' });
    expect(facts.packageCreatedAt?.toISOString()).toBe('2024-12-30T00:00:00.000Z');
    expect(facts.versionPublishedAt?.toISOString()).toBe('2024-12-31T00:00:00.000Z');
    expect(facts.sdistOnly).toBe(true);
    expect(facts.yanked).toBe('broken');
    expect(facts.repository).toBeNull();
    expect(facts.versionCount).toBe(2);
    void now;
  });
  it('falls back to PEP 503 HTML without upload times', () => {
    const facts = factsFromAnswer({ kind: 'html', url: 'u', body: '<a href="f">Foo_Bar-1.0.tar.gz</a><a href="g">foo_bar-1.1-py3-none-any.whl</a>' }, { name: 'foo-bar', requested: 'foo-bar', version: '1.0' });
    expect(facts.exists).toBe(true);
    expect(facts.sdistOnly).toBe(true);
    expect(facts.packageCreatedAt).toBeUndefined();
    expect(facts.unknownFields).toContain('upload times');
  });
  it('not found is exists:false', () => {
    expect(factsFromAnswer({ kind: 'not-found', url: 'u' }, { name: 'x', requested: 'x' }).exists).toBe(false);
  });
  it('parses filenames and orders versions', () => {
    expect(versionFromFilename('Foo_Bar-1.0.tar.gz', 'foo-bar')).toBe('1.0');
    expect(compareVersions('1.0rc1', '1.0')).toBeLessThan(0);
    expect(compareVersions('99.0', '1.10')).toBeGreaterThan(0);
    expect(compareVersions('1.0.post1', '1.0')).toBeGreaterThan(0);
  });
});

describe('safe check (offline)', () => {
  it('suggests requests for reqeusts; Foo_Bar and foo-bar are one name', async () => {
    const ctx = { now: new Date(), thresholds: defaultSettings.thresholds, popular: buildPopularNameIndex('pypi', ['requests', 'numpy']) };
    const [r] = await pypiReportsForCheck(['reqeusts'], { offline: true, ctx, severity: {} });
    expect(r!.verdict).toBe('block');
    expect(r!.findings.find((f) => f.didYouMean)?.didYouMean).toBe('requests');
    expect(parseRequirementName('Foo_Bar[x]==1.0; python_version>"3"')).toEqual({ name: 'Foo_Bar', version: '1.0' });
  });
});

describe('dependency confusion: what is not confusion (issue 10)', () => {
  const FL = '/srv/wheels';
  const at = (src: string, filename: string, version: string, hash: string | undefined): GuardCandidate => ({
    version, url: `${src.replace(/\/simple$/, '')}/files/${filename}`, filename, hash: hash && `sha256=${hash}`, comesFrom: `${src}/x/`, isWheel: true,
  });
  it('the same bytes from two sources are info, even when pip took the copy that is not on the primary index', () => {
    const cands = [at(A, 'six-1.17.0-py3-none-any.whl', '1.17.0', 'aa'), at(B, 'six-1.17.0-py3-none-any.whl', '1.17.0', 'aa')];
    const [f] = confusionFindings('six', cands, { indexUrls: [A, B], findLinks: [] }, cands[1]!.url);
    expect(f).toMatchObject({ severity: 'info' });
    expect(f!.message).toContain('identical files');
  });
  it('two platform wheels of the same version from two sources are not confusion', () => {
    const cands = [at(A, 'pillow-12.0-cp311-manylinux2014_x86_64.whl', '12.0', 'aa'), at(B, 'pillow-12.0-cp311-manylinux_2_28_x86_64.whl', '12.0', 'bb')];
    expect(confusionFindings('pillow', cands, { indexUrls: [A, B], findLinks: [] }, cands[1]!.url)[0]!.severity).toBe('info');
  });
  it('other bytes under the same file name, or a version only another source has, still block', () => {
    const sameName = [at(A, 'x-1.0-py3-none-any.whl', '1.0', 'aa'), at(B, 'x-1.0-py3-none-any.whl', '1.0', 'bb')];
    expect(confusionFindings('x', sameName, { indexUrls: [A, B], findLinks: [] })[0]!.message).toContain('other bytes under the same file name');
    const pinned = [at(A, 'x-2.0-py3-none-any.whl', '2.0', 'aa'), at(B, 'x-1.0-py3-none-any.whl', '1.0', 'bb')];
    expect(confusionFindings('x', pinned, { indexUrls: [A, B], findLinks: [] }, pinned[1]!.url)[0]!.message).toContain('a version the primary index does not offer');
  });
  it('an unreachable primary index offered nothing: the first index that answered stands for it (no "higher version elsewhere")', () => {
    const C = 'http://127.0.0.1:3/simple';
    const cands = [at(B, 'x-1.0-py3-none-any.whl', '1.0', 'aa'), at(C, 'x-1.0-py3-none-any.whl', '1.0', 'aa')];
    const config = { indexUrls: [A, B, C], findLinks: [], unreachable: { [`${A}/x/`]: 'connection error: refused' } };
    expect(unreachableIndexes(config, { x: cands })).toEqual(new Map([[A, 'connection error: refused']]));
    expect(primaryIndex(config, unreachableIndexes(config, { x: cands }))).toBe(B);
    expect(confusionFindings('x', cands, config, cands[1]!.url)[0]!.severity).toBe('info');
    const higher = [at(B, 'x-1.0-py3-none-any.whl', '1.0', 'aa'), at(C, 'x-9.0-py3-none-any.whl', '9.0', 'cc')];
    expect(confusionFindings('x', higher, config)[0]!.message).toContain(`${C} has a higher version (9.0 > 1.0)`);
  });
  it('each source is counted once: trailing slashes and a folder given as path and as file:// URL', () => {
    expect(sourceCount({ indexUrls: [A, `${A}/`], findLinks: [FL, `file://${FL}`, `${FL}/`] })).toBe(2);
    expect(confusionFindings('x', [at(A, 'x-1.0-py3-none-any.whl', '1.0', 'aa')], { indexUrls: [A, `${A}/`], findLinks: [] })).toEqual([]);
  });
});
