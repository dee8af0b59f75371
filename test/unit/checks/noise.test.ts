/**
 * Issue 9 / issue 10 noise: one finding per fact, dormancy and new dependencies only with a takeover
 * signal on a consistent timeline, few releases only with a known age. The recorded packuments are
 * the CI registry mirror's (test/fixtures/npm/packuments/RECORDED.md): its `time` holds copy dates.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runChecks, toReport } from '../../../src/checks/run-checks.js';
import { MIN_PAIRS_TO_JUDGE, timelineOf } from '../../../src/checks/timeline.js';
import { npmFacts, npmTimeline } from '../../../src/npm/npm-facts.js';
import type { NpmSpecRequest } from '../../../src/npm/npm-invocation.js';
import type { Packument } from '../../../src/npm/npm-registry.js';
import { tooYoungFinding } from '../../../src/flow/whole-tree.js';
import { makeContext, makeFacts, NOW } from '../../helpers/make-facts.js';

const ctx = makeContext();
const run = (f: Parameters<typeof runChecks>[0]) => runChecks(f, ctx, { offline: false, severity: {} });
const packument = (file: string) => JSON.parse(readFileSync(new URL(`../../fixtures/npm/packuments/${file}`, import.meta.url), 'utf8')) as Packument;
const spec = (name: string, version: string): NpmSpecRequest => ({ raw: `${name}@${version}`, type: 'version', name, registryName: name, fetchSpec: version, fromRegistry: true } as NpmSpecRequest);

describe('one finding per fact (issue 9)', () => {
  const minuteAgo = new Date(NOW.getTime() - 60_000);
  const brandNew = makeFacts({ name: 'fresh', version: '1.0.0', packageCreatedAt: minuteAgo, versionPublishedAt: minuteAgo, versionCount: 1 });

  it('a brand-new package is one warning, with the version age, the single version and the cooldown as detail', () => {
    const findings = [...run(brandNew), tooYoungFinding(brandNew, 48, NOW)];
    expect(findings.filter((f) => f.severity === 'warn')).toHaveLength(4); // what the checks say separately
    const report = toReport(brandNew, findings);
    const warns = report.findings.filter((f) => f.severity === 'warn');
    expect(warns.map((f) => f.check)).toEqual(['new-package']);
    expect(warns[0]!.message).toBe('"fresh" was first published a minute ago');
    expect(warns[0]!.details).toEqual([
      'fresh@1.0.0 was published a minute ago',
      '"fresh" has only 1 version',
      'no version of fresh matching the request is older than the 48-hour cooldown; fresh@1.0.0 is a minute old',
    ]);
    expect(report.verdict).toBe('warn');
  });

  it('a new version of an old package and the cooldown are one warning', () => {
    const f = makeFacts({ name: 'old', version: '2.0.0', versionPublishedAt: new Date(NOW.getTime() - 3_600_000) });
    const report = toReport(f, [...run(f), tooYoungFinding(f, 48, NOW)]);
    expect(report.findings.map((x) => `${x.check}:${x.severity}`)).toEqual(['new-version:warn']);
    expect(report.findings[0]!.details).toHaveLength(1);
  });

  it.each([
    ['npm', 'lodahs', 'lodash', 'in the registry'],
    ['pypi', 'reqeusts', 'requests', 'on the package index'],
  ] as const)('a %s name that does not exist, one typo from a popular one, is one finding: the typo\'s, which no trust lifts', (ecosystem, name, target, where) => {
    const f = makeFacts({ ecosystem, name, requested: name, exists: false, version: null });
    const c = { ...ctx, popular: { isPopular: () => false, lookAlike: (n: string) => (n === name ? { target, reason: 'two letters swapped' } : undefined) } };
    const findings = runChecks(f, c, { offline: false, severity: {} });
    expect(findings.map((x) => x.message)).toContain(`"${name}" was not found ${where}`); // what the checks say separately
    const blocks = toReport(f, findings).findings.filter((x) => x.severity === 'block');
    expect(blocks).toEqual([{ check: 'not-found', severity: 'block', didYouMean: target, message: expect.stringMatching(new RegExp(`^"${name}" does not exist: a free name one typo from the popular package "${target}"`)) }]);
  });

  it('a block is never folded away', () => {
    const f = { ...brandNew, name: 'lodahs', requested: 'lodahs' };
    const report = toReport(f, run(f));
    expect(report.findings.map((x) => x.check)).toEqual(['typosquat', 'new-package']);
    expect(report.verdict).toBe('block');
  });
});

describe('publish timelines', () => {
  const at = (days: number) => new Date(Date.UTC(2020, 0, 1) + days * 86_400_000);
  const semverOrder = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  const major = (v: string) => v.split('.')[0]!;

  it('versions published in order are consistent, a maintenance release of an old major too', () => {
    const versions = ['1.0.0', '1.0.1', '1.1.0', '1.2.0', '2.0.0', '2.1.0', '2.2.0'].map((version, i) => ({ version, publishedAt: at(i * 30) }));
    versions.push({ version: '1.2.1', publishedAt: at(400) });
    expect(timelineOf(versions, semverOrder, major)).toBe('consistent');
  });
  it('copy dates in any order are inconsistent', () => {
    const days = [50, 3, 40, 7, 33, 1, 20];
    const versions = days.map((d, i) => ({ version: `1.0.${i}`, publishedAt: at(d) }));
    expect(timelineOf(versions, semverOrder, major)).toBe('inconsistent');
  });
  it(`fewer than ${MIN_PAIRS_TO_JUDGE} same-line pairs: unknown`, () => {
    expect(timelineOf([{ version: '1.0.0', publishedAt: at(0) }, { version: '1.0.1', publishedAt: at(1) }], semverOrder, major)).toBeUndefined();
  });
  it.each(['semver-mirror.json', 'object-inspect-mirror.json'])('the mirror\'s %s is inconsistent', (file) => {
    expect(npmTimeline(packument(file).time as Record<string, string>)).toBe('inconsistent');
  });
});

describe('npm i express against the mirror: no dormant-release warnings (issue 9)', () => {
  // The releases the issue names: on the mirror they "came" years after the previous one.
  it.each([
    ['semver-mirror.json', 'semver', '6.3.2'],
    ['object-inspect-mirror.json', 'object-inspect', '1.14.0'],
  ])('%s: %s@%s', (file, name, version) => {
    const facts = npmFacts(spec(name, version), { ok: true, packument: packument(file) });
    expect(facts.timeline).toBe('inconsistent');
    const findings = run(facts);
    const dormant = findings.find((f) => f.check === 'dormant-release');
    expect(dormant?.severity ?? 'info').toBe('info');
    expect(findings.filter((f) => f.check === 'dormant-release' || f.check === 'new-dependencies').every((f) => f.severity === 'info')).toBe(true);
  });
});

describe('few releases needs a known age (issue 10)', () => {
  it('an index without upload times: info', () => {
    const f = makeFacts({ ecosystem: 'pypi', name: 'six', versionCount: 1, packageCreatedAt: undefined, versionPublishedAt: undefined });
    expect(run(f).find((x) => x.check === 'few-versions')?.severity).toBe('info');
  });
  it('one release, 5 months old (a micro-package a mainstream tree pulls in, es-abstract-get): info — it stopped a Vite scaffold in CI', () => {
    const f = makeFacts({ ecosystem: 'npm', name: 'es-abstract-get', versionCount: 1, packageCreatedAt: new Date(NOW.getTime() - 170 * 86_400_000) });
    expect(run(f).find((x) => x.check === 'few-versions')?.severity).toBe('info');
  });
  it('two releases, 2½ months old (as flatmap-stream was when event-stream pulled it in): warn', () => {
    const f = makeFacts({ ecosystem: 'npm', name: 'flatmap-stream', versionCount: 2, packageCreatedAt: new Date(NOW.getTime() - 75 * 86_400_000) });
    expect(run(f).find((x) => x.check === 'few-versions')?.severity).toBe('warn');
  });
  it('a young project with one release: warn', () => {
    const f = makeFacts({ ecosystem: 'pypi', name: 'six', versionCount: 1, packageCreatedAt: new Date(NOW.getTime() - 10 * 86_400_000) });
    expect(run(f).find((x) => x.check === 'few-versions')?.severity).toBe('warn');
  });
});
