import { describe, expect, it } from 'vitest';
import { runChecks, verdictOf } from '../../../src/checks/run-checks.js';
import type { Finding } from '../../../src/core/types.js';
import { daysAgo, makeContext, makeFacts } from '../../helpers/make-facts.js';

const ctx = makeContext();
const run = (overrides: Parameters<typeof makeFacts>[0], offline = false, severity = {}) =>
  runChecks(makeFacts(overrides), ctx, { offline, severity });
const summary = (findings: Finding[]) => findings.map((f) => `${f.check}:${f.severity}`);

describe('checks on facts', () => {
  it.each([
    ['an established package has nothing to say', {}, []],
    ['typosquat blocks with a suggestion', { name: 'lodahs', packageCreatedAt: daysAgo(100) }, ['typosquat:block']],
    ['an established look-alike (over a year on the registry) is info', { name: 'lodahs' }, ['typosquat:info']],
    ['not found blocks', { exists: false }, ['not-found:block']],
    ['missing version blocks', { versionNotFound: true }, ['version-not-found:block']],
    ['a failed fetch is could-not-verify', { fetchError: 'ECONNREFUSED' }, ['could-not-verify:block']],
    ['new package warns', { packageCreatedAt: daysAgo(3) }, ['new-package:warn']],
    ['new version warns', { versionPublishedAt: daysAgo(0.01) }, ['new-version:warn']],
    ['few versions warns for a young package', { versionCount: 1, packageCreatedAt: daysAgo(40) }, ['few-versions:warn']],
    ['few versions of an old package is info', { versionCount: 1 }, ['few-versions:info']],
    ['deprecated warns', { deprecated: 'use x' }, ['deprecated:warn']],
    ['yanked warns', { yanked: 'broken' }, ['deprecated:warn']],
    ['install scripts are info', { installScripts: { postinstall: 'node x.js' } }, ['install-scripts:info']],
    ['sdist only is info', { sdistOnly: true }, ['install-scripts:info']],
    ['no repository/description is info', { repository: null, description: null }, ['missing-metadata:info', 'missing-metadata:info']],
    ['unknown repository says nothing', { repository: undefined, description: undefined }, []],
    ['unknown fields are info', { unknownFields: ['maintainers'] }, ['unknown-fields:info']],
    ['unknown times do not warn', { packageCreatedAt: undefined, versionPublishedAt: undefined, versionCount: undefined }, []],
    ['git source warns, no typosquat on it', { source: 'git', name: 'lodahs' }, ['non-registry-source:warn']],
    ['a URL warns', { source: 'remote' }, ['non-registry-source:warn']],
    // The user's own folder or archive, named by path: said, not asked (its tree and scripts are vetted).
    ['a local folder is info', { source: 'directory' }, ['non-registry-source:info']],
    ['a local archive is info', { source: 'file' }, ['non-registry-source:info']],
    ['a direct file: dependency of the project is info', { source: 'file', dependencyPath: ['x'] }, ['non-registry-source:info']],
    ['a path named by a dependency warns', { source: 'file', dependencyPath: ['dep', 'x'] }, ['non-registry-source:warn']],
  ] as const)('%s', (_title, overrides, expected) => {
    expect(summary(run(overrides as never))).toEqual(expected);
  });

  it('a failed fetch reports only the failure and name checks', () => {
    expect(summary(run({ name: 'lodahs', fetchError: 'timeout', versionCount: 1 }))).toEqual(['typosquat:block', 'could-not-verify:block']);
  });

  it('offline runs only the name checks', () => {
    expect(summary(run({ name: 'lodahs', versionCount: 1, exists: undefined }, true))).toEqual(['typosquat:block']);
  });

  it('severity overrides change or drop findings', () => {
    expect(summary(run({ versionCount: 1, packageCreatedAt: daysAgo(40), deprecated: 'x' }, false, { 'few-versions': 'off', deprecated: 'block' }))).toEqual(['deprecated:block']);
  });

  it('the typosquat message names the target and didYouMean carries it', () => {
    const [f] = run({ name: 'lodahs' });
    expect(f).toMatchObject({ didYouMean: 'lodash', message: expect.stringContaining('"lodash"') });
  });

  it('ages are named in the message', () => {
    expect(run({ versionPublishedAt: new Date(daysAgo(0).getTime() - 5 * 3600_000) })[0]!.message).toContain('5 hours ago');
  });

  it('a throwing check becomes a visible block, never a pass', () => {
    const boom = { id: 'boom', title: 'boom', needsNetwork: false, run: () => { throw new Error('bad data'); } };
    const findings = runChecks(makeFacts(), ctx, { offline: false, severity: {}, checks: [boom] });
    expect(summary(findings)).toEqual(['boom:block']);
    expect(findings[0]!.message).toContain('bad data');
  });

  it('verdict is the worst severity', () => {
    expect(verdictOf([])).toBe('ok');
    expect(verdictOf([{ check: 'a', severity: 'info', message: '' }])).toBe('ok');
    expect(verdictOf([{ check: 'a', severity: 'warn', message: '' }, { check: 'b', severity: 'info', message: '' }])).toBe('warn');
    expect(verdictOf([{ check: 'a', severity: 'warn', message: '' }, { check: 'b', severity: 'block', message: '' }])).toBe('block');
  });
});
