/**
 * Online evidence decides (issue 11): a look-alike that is itself established is information; a
 * squat cannot fake years. Recorded packuments: left-pad from the CI registry mirror (copy dates, no
 * `created`), and hand-written real-registry shapes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { typosquat } from '../../../src/checks/typosquat.js';
import { npmFacts } from '../../../src/npm/npm-facts.js';
import type { NpmSpecRequest } from '../../../src/npm/npm-invocation.js';
import type { Packument } from '../../../src/npm/npm-registry.js';
import { popularNames } from '../../../src/checks/popular-names.js';
import { makeContext } from '../../helpers/make-facts.js';

const spec = (name: string): NpmSpecRequest => ({ raw: name, type: 'tag', name, registryName: name, fetchSpec: 'latest', fromRegistry: true } as NpmSpecRequest);
const recorded = (file: string) => JSON.parse(readFileSync(new URL(`../../fixtures/npm/packuments/${file}`, import.meta.url), 'utf8')) as Packument;
// A context in which the name under test looks like "lodash".
const ctx = { ...makeContext(), popular: { isPopular: () => false, lookAlike: () => ({ target: 'lodash', reason: 'one letter changed' }) } };
const iso = (y: number, m = 1) => new Date(Date.UTC(y, m - 1, 1)).toISOString();

/** A real-registry packument: `created`, versions published in order over the given years. */
function packument(name: string, years: number[], extra: Record<string, unknown> = {}): Packument {
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = { created: iso(years[0]!), modified: iso(years.at(-1)!, 6) };
  years.forEach((y, i) => {
    const v = `1.${i}.0`;
    versions[v] = { name, version: v, repository: 'git+https://example.invalid/x.git', ...extra };
    time[v] = iso(y, 1 + i % 12);
  });
  return { name, 'dist-tags': { latest: `1.${years.length - 1}.0` }, versions, time } as unknown as Packument;
}
const run = (name: string, p: Packument | null) =>
  typosquat.run(npmFacts(spec(name), p ? { ok: true, packument: p } : { ok: false, notFound: true, error: '404' }), ctx);

describe('typosquat with the registry\'s answer', () => {
  it('an established look-alike (since 2014, many versions over years) is info, with why', () => {
    const [f] = run('lodasj', packument('lodasj', [2014, 2014, 2015, 2016, 2018, 2020]));
    expect(f).toMatchObject({ severity: 'info', message: '"lodasj" looks like the popular package "lodash" (one letter changed), but is an established package since 2014 (6 versions)' });
  });
  it('a young look-alike with many versions published in a week still blocks: a squat cannot fake years', () => {
    const p = packument('lodasj', [2026, 2026, 2026, 2026, 2026, 2026, 2026, 2026, 2026, 2026, 2026]);
    expect(run('lodasj', p)[0]).toMatchObject({ severity: 'block' });
  });
  it('an old name with 2 versions is established too: years cannot be faked, versions can', () => {
    expect(run('lodasj', packument('lodasj', [2012, 2013]))[0]).toMatchObject({ severity: 'info', message: expect.stringContaining('on the registry since at least 2012-01 (2 versions)') });
  });
  it('an old name published once and never again is not established: its age is all it has (reqeust, a one-version copy of request, installed silently)', () => {
    expect(run('lodasj', packument('lodasj', [2015]))[0]).toMatchObject({ severity: 'block' });
  });
  it('a look-alike published 200 days ago blocks', () => {
    const recent = new Date(Date.now() - 200 * 86_400_000).toISOString();
    const p = packument('lodasj', [2026]);
    p.time = { created: recent, modified: recent, '1.0.0': recent };
    expect(run('lodasj', p)[0]).toMatchObject({ severity: 'block' });
  });
  it('npm\'s security placeholder (0.0.1-security) is never established', () => {
    const p = { name: 'lodasj', 'dist-tags': { latest: '0.0.1-security' }, versions: { '0.0.1-security': { name: 'lodasj', version: '0.0.1-security' } }, time: { created: iso(2016), '0.0.1-security': iso(2016) } } as unknown as Packument;
    expect(run('lodasj', p)[0]).toMatchObject({ severity: 'block' });
  });
  it('no publish dates at all: many versions and a repository stand in', () => {
    const p = packument('lodasj', [2014, 2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023]);
    delete (p as { time?: unknown }).time;
    expect(run('lodasj', p)[0]).toMatchObject({ severity: 'info', message: expect.stringContaining('with 10 versions and a repository (the registry gave no publish dates)') });
  });
  it('a name that does not exist: a free name one typo from the target', () => {
    expect(run('lodasj', null)[0]).toMatchObject({ severity: 'block', didYouMean: 'lodash', message: '"lodasj" does not exist: a free name one typo from the popular package "lodash" (one letter changed)' });
  });
  it('mirror copy dates (out of order, no created): the oldest stamp still bounds the age from below', () => {
    const semver = recorded('semver-mirror.json');
    const [f] = run('semver', semver);
    expect(f).toMatchObject({ severity: 'info' });
    expect(f!.message).toMatch(/on the registry since at least 20\d\d-\d\d \(122 versions; the registry's publish dates are out of version order, so only a lower bound\)/);
  });
});
