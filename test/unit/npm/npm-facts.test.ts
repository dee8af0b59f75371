import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { npmFacts } from '../../../src/npm/npm-facts.js';
import { parseSpec } from '../../../src/npm/parse-npm-args.js';
import type { Packument } from '../../../src/npm/npm-registry.js';

const recorded = (name: string): Packument => JSON.parse(readFileSync(new URL(`../../fixtures/npm/packuments/${name}.json`, import.meta.url), 'utf8'));
const ok = (name: string) => ({ ok: true as const, packument: recorded(name) });

describe('npmFacts on recorded packuments (mirror: no maintainers, no created time)', () => {
  it('left-pad: latest version, times from the version entries, repository, unknown maintainers', () => {
    const facts = npmFacts(parseSpec('left-pad', process.cwd()), ok('left-pad'));
    expect(facts).toMatchObject({ exists: true, version: '1.3.0', source: 'registry', repository: 'git@github.com:stevemao/left-pad.git' });
    expect(facts.versionCount).toBeGreaterThan(10);
    // This mirror's `time` has no `created` (and its stamps are when it mirrored each version):
    // the oldest version stamp stands in for the creation time.
    expect(facts.packageCreatedAt!.toISOString()).toBe('2024-09-05T00:40:51.026Z');
    expect(facts.versionPublishedAt!.toISOString()).toBe('2024-09-05T00:40:51.026Z');
    expect(facts.unknownFields).toEqual(['maintainers']);
    expect(facts.installScripts).toEqual({});
  });

  it('a range picks what npm picks', () => {
    expect(npmFacts(parseSpec('left-pad@^1.1.0', process.cwd()), ok('left-pad')).version).toBe('1.3.0');
    expect(npmFacts(parseSpec('left-pad@1.1.0', process.cwd()), ok('left-pad')).version).toBe('1.1.0');
  });

  it('a version that does not exist is versionNotFound', () => {
    expect(npmFacts(parseSpec('left-pad@9.9.9', process.cwd()), ok('left-pad')).versionNotFound).toBe(true);
  });

  it('esbuild: the postinstall script text is a fact', () => {
    expect(npmFacts(parseSpec('esbuild@0.25.1', process.cwd()), ok('esbuild-trimmed')).installScripts).toEqual({ postinstall: 'node install.js' });
  });

  it('aliases are looked up under the real name', () => {
    const spec = parseSpec('pad@npm:left-pad@1.1.0', process.cwd());
    expect(spec).toMatchObject({ type: 'alias', name: 'pad', registryName: 'left-pad', fromRegistry: true });
    expect(npmFacts(spec, ok('left-pad')).version).toBe('1.1.0');
  });

  it('404 → exists false; other failures → fetchError', () => {
    expect(npmFacts(parseSpec('nope', process.cwd()), { ok: false, notFound: true, error: '404' }).exists).toBe(false);
    expect(npmFacts(parseSpec('nope', process.cwd()), { ok: false, notFound: false, error: 'ECONNRESET' }).fetchError).toBe('ECONNRESET');
  });

  it('a document without time or versions is unknown, not a crash', () => {
    const facts = npmFacts(parseSpec('bare', process.cwd()), { ok: true, packument: { name: 'bare', versions: { '1.0.0': { name: 'bare', version: '1.0.0' } } } });
    expect(facts).toMatchObject({ version: '1.0.0', versionCount: 1, repository: null, description: null });
    expect(facts.packageCreatedAt).toBeUndefined();
    expect(facts.unknownFields).toEqual(['publish times', 'maintainers']);
  });
});
