/**
 * PyPI release facts (what changed since the previous version) from handmade JSON API / PEP 691
 * answers, the shared release-change checks on them, dependency paths from the guard's edges, and
 * the per-tool `safe help`.
 */
import { describe, expect, it } from 'vitest';
import { dependencyNamesOf, factsFromAnswer, versionTimes } from '../../../src/pypi/pypi-facts.js';
import { dependencyPaths, pathDisplayName } from '../../../src/pypi/dependency-paths.js';
import { IndexLookups, type Fetcher } from '../../../src/pypi/pypi-index.js';
import { runChecks } from '../../../src/checks/run-checks.js';
import { defaultSettings } from '../../../src/config/settings.js';
import { popularNames } from '../../../src/checks/popular-names.js';
import { helpText } from '../../../src/cli/safe-commands.js';
import type { ReportItem } from '../../../src/pypi/pip-report.js';

const now = new Date('2026-03-01T00:00:00Z');
const ctx = { now, thresholds: defaultSettings.thresholds, popular: popularNames('pypi') };
const file = (filename: string, when: string, size: number, packagetype = filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist') => ({ filename, packagetype, upload_time_iso_8601: when, size });

function jsonApi(releases: Record<string, ReturnType<typeof file>[]>, info: Record<string, unknown> = {}) {
  const latest = Object.keys(releases).at(-1);
  return { kind: 'json-api' as const, url: 'http://x/pypi/demo/json', body: { info: { name: 'demo', version: latest, summary: 'demo', project_urls: { Source: 'https://x' }, ...info }, releases } };
}

describe('PyPI release facts', () => {
  it('fills release/previousRelease from the JSON API: time, largest file, sdist-only as a build script', () => {
    const answer = jsonApi({
      '1.0': [file('demo-1.0-py3-none-any.whl', '2024-01-01T00:00:00Z', 10_000), file('demo-1.0.tar.gz', '2024-01-01T00:05:00Z', 8_000)],
      '1.1rc1': [file('demo-1.1rc1-py3-none-any.whl', '2026-02-01T00:00:00Z', 10_000)],
      '1.1': [file('demo-1.1.tar.gz', '2026-02-27T00:00:00Z', 900_000)],
    }, { requires_dist: ['evil-helper>=1', 'pytest; extra == "test"'] });
    const facts = factsFromAnswer(answer, { name: 'demo', requested: 'demo', version: '1.1' });
    expect(facts.release).toMatchObject({ version: '1.1', archiveSize: 900_000, installScripts: { build: expect.stringContaining('source distribution') } });
    expect(facts.release!.publishedAt!.toISOString()).toBe('2026-02-27T00:00:00.000Z');
    expect(facts.release!.dependencies).toEqual(['evil-helper']);
    // The pre-release is skipped: 1.1 is compared with 1.0.
    expect(facts.previousRelease).toMatchObject({ version: '1.0', archiveSize: 10_000, installScripts: {} });
    expect(facts.previousReason).toBe('previous-release');
    facts.previousRelease!.dependencies = [];
    const findings = runChecks(facts, ctx, { offline: false, severity: {} });
    const byCheck = Object.fromEntries(findings.map((f) => [f.check, f]));
    expect(byCheck['install-scripts-changed']?.severity).toBe('warn');
    expect(byCheck['install-scripts-changed']?.message).toContain('demo==1.1 adds a build script');
    expect(byCheck['size-jump']?.message).toContain('download size 10 kB → 900 kB');
    expect(byCheck['dormant-release']?.message).toContain('demo==1.1');
    expect(byCheck['new-dependencies']?.message).toContain('evil-helper');
  });

  it('unknown stays unknown: no previous release, HTML without times, null requires of a source-only release', () => {
    const only = factsFromAnswer(jsonApi({ '1.0': [file('demo-1.0-py3-none-any.whl', '2024-01-01T00:00:00Z', 1)] }), { name: 'demo', requested: 'demo', version: '1.0' });
    expect(only.release?.version).toBe('1.0');
    expect(only.previousRelease).toBeUndefined();
    const html = factsFromAnswer({ kind: 'html', url: 'http://x/simple/demo/', body: '<a href="../f/demo-1.0-py3-none-any.whl">demo-1.0-py3-none-any.whl</a><a href="../f/demo-1.1-py3-none-any.whl">demo-1.1-py3-none-any.whl</a>' }, { name: 'demo', requested: 'demo', version: '1.1' });
    expect(html.release?.publishedAt).toBeUndefined();
    expect(html.release?.archiveSize).toBeUndefined();
    expect(html.previousRelease?.version).toBe('1.0');
    expect(runChecks(html, ctx, { offline: false, severity: {} }).map((f) => f.check)).not.toContain('dormant-release');
    expect(dependencyNamesOf(null, { installScripts: { build: 'x' } })).toBeUndefined();
    expect(dependencyNamesOf(null, { installScripts: {} })).toEqual([]);
    expect(dependencyNamesOf(['Foo_Bar (>=1)', 'baz; python_version < "3.8"', 'qux; extra == "dev"'])).toEqual(['baz', 'foo-bar']);
  });

  it('reads PEP 691 sizes and upload times; versionTimes gives the earliest file per version', () => {
    const answer = { kind: 'pep691' as const, url: 'http://x/simple/demo/', body: { name: 'demo', files: [
      { filename: 'demo-1.0.tar.gz', 'upload-time': '2025-01-01T00:00:00Z', size: 5 },
      { filename: 'demo-2.0-py3-none-any.whl', 'upload-time': '2026-02-28T20:00:00Z', size: 7 },
      { filename: 'demo-2.0.tar.gz', 'upload-time': '2026-02-28T19:00:00Z', size: 6 },
    ] } };
    const facts = factsFromAnswer(answer, { name: 'demo', requested: 'demo', version: '2.0' });
    expect(facts.release).toMatchObject({ version: '2.0', archiveSize: 7, installScripts: {} });
    expect(facts.previousRelease).toMatchObject({ version: '1.0', installScripts: { build: expect.any(String) } });
    expect(versionTimes(answer, 'demo').get('2.0')!.toISOString()).toBe('2026-02-28T19:00:00.000Z');
  });
});

describe('index look-ups', () => {
  it('run at most `limit` at a time and ask each URL once', async () => {
    let active = 0;
    let peak = 0;
    const asked: string[] = [];
    const fetcher: Fetcher = async (url) => {
      asked.push(url);
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active -= 1;
      return { status: 404, headers: { get: () => 'application/json' }, text: async () => '{}' };
    };
    const lookups = new IndexLookups({ fetcher, limit: 3 });
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'A', 'b'];
    await Promise.all(names.map((n) => lookups.project('http://i/simple', n)));
    expect(peak).toBeLessThanOrEqual(3);
    expect(new Set(asked).size).toBe(asked.length);
    expect(asked.filter((u) => u.endsWith('/a/'))).toHaveLength(1);
  });
});

describe('dependency paths', () => {
  const item = (name: string, requested = false): ReportItem => ({ name, canonical: name.toLowerCase(), version: '1.0', url: `http://x/${name}.whl`, kind: 'index', isDirect: false, requested, editable: false, isWheel: true, requiresDist: [] });
  it('gives each package its shortest path from what was requested', () => {
    const items = [item('Flask', true), item('werkzeug'), item('evil'), item('other', true), item('orphan'), item('deep')];
    const paths = dependencyPaths(items, { flask: ['werkzeug'], werkzeug: ['evil', 'deep'], other: ['evil'] });
    expect(paths.get('evil')).toEqual(['other', 'evil']);
    expect(paths.get('deep')).toEqual(['flask', 'werkzeug', 'deep']);
    expect(paths.get('other')).toEqual(['other']);
    expect(paths.has('orphan')).toBe(false);
    expect(pathDisplayName(items[5]!, paths.get('deep')!, items)).toBe('deep==1.0 (via Flask > werkzeug > deep)');
  });
});

describe('safe help', () => {
  it('shows each tool its own approve syntax', () => {
    expect(helpText('safe-pip', 'pypi')).toContain('approve <name>[==<version>] | <URL or path>');
    expect(helpText('safe-pip', 'pypi')).not.toContain('@<version>');
    // npm-only options are not offered to pip users (list --project is refused for pip; check has no tree to skip).
    for (const npmOnly of ['--project', 'allowScripts', '--no-deps']) expect(helpText('safe-pip', 'pypi')).not.toContain(npmOnly);
    expect(helpText('safe-npm', 'npm')).toContain('list [--project]');
    expect(helpText('safe-npm', 'npm')).toContain("approve <name>@<version> | . [--network] [--project]   pre-approve install scripts (. : the project's own)");
    expect(helpText('safe-npm', 'npm')).toContain("deny <name>                            never run this package's install scripts / build");
  });
});
