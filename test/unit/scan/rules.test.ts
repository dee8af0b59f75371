/**
 * Install-time content rules (issue 11): each rule fires on its fixture (test/fixtures/scan/firing)
 * and on none of the real popular packages (test/fixtures/scan/real, see SOURCES.md there).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { npmScanDocuments } from '../../../src/scan/npm-package.js';
import { scanSdist } from '../../../src/scan/python-sdist.js';
import { describeContentFinding, scanDocuments, scanRules } from '../../../src/scan/scan.js';
import type { ContentFinding } from '../../../src/scan/types.js';

const fixture = (path: string) => new URL(`../../fixtures/scan/${path}`, import.meta.url).pathname;

function scanNpm(dir: string): ContentFinding[] {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { scripts?: Record<string, string>; gypfile?: boolean };
  return scanDocuments(npmScanDocuments(dir, pkg.scripts ?? {}, { gyp: pkg.gypfile }));
}
const scanPy = (dir: string) => scanSdist(new Map([['pkg-1.0/setup.py', readFileSync(`${dir}/setup.py`, 'utf8')]]));

// rule → [firing fixture, where it must point (file:line), a real package it must not fire on]
const cases: Array<[string, string, string, string]> = [
  ['download-execute', 'download-execute', 'package.json (postinstall):5', 'esbuild'],
  ['download-execute', 'download-execute-js', 'install.js:5', 'esbuild'],
  ['credential-network', 'credential-network', 'collect.js:6', 'core-js'],
  ['decoded-eval', 'decoded-eval', 'index.js:2', 'prisma'],
  ['encoded-eval', 'encoded-eval', 'loader.js:1', 'sharp'],
  ['obfuscation', 'obfuscation', 'packed.js:2', 'husky'],
  ['shady-url', 'shady-url', 'notify.js:2', 'core-js'],
  ['bundled-binary', 'bundled-binary', 'package.json (install):1', 'bcrypt'],
  ['setup-py-commands', 'setup-py-commands', 'setup.py:4', 'gsutil'],
];

describe('each rule fires on its fixture and not on a real popular package', () => {
  it.each(cases)('%s: fires on firing/%s at %s, not on real/%s', (rule, firing, where, real) => {
    const py = rule === 'setup-py-commands';
    const found = (py ? scanPy : scanNpm)(fixture(`firing/${firing}`));
    const mine = found.filter((f) => f.rule === rule);
    expect(mine.length, found.map(describeContentFinding).join('\n')).toBeGreaterThan(0);
    expect(`${mine[0]!.file}:${mine[0]!.line}`).toBe(where);
    expect((py ? scanPy : scanNpm)(fixture(`real/${real}`)).filter((f) => f.rule === rule)).toEqual([]);
  });

  it('covers every rule', () => {
    expect(new Set(cases.map(([rule]) => rule))).toEqual(new Set(scanRules.map((r) => r.id)));
  });

  // ibm_db: a comment says "add IBM_DB_INSTALLER_URL in .npmrc" in the file that downloads IBM's driver
  // (blocked as a token stealer before comments were read as comments); prisma: a minified bundle
  // (warned as obfuscated before long lines were judged by their encoded data, not their entropy).
  it.each(['esbuild', 'sharp', 'bcrypt', 'sqlite3', 'husky', 'core-js', 'ibm_db', 'prisma'])('no rule fires on real/%s', (name) => {
    expect(scanNpm(fixture(`real/${name}`)).map(describeContentFinding)).toEqual([]);
  });
  it.each(['gsutil', 'lit'])('no rule fires on the setup.py of %s', (name) => {
    expect(scanPy(fixture(`real/${name}`)).map(describeContentFinding)).toEqual([]);
  });

  it('reads what the scripts run: esbuild\'s install.js, core-js\'s required postinstall, binding.gyp', () => {
    const paths = (name: string, gyp = false) => {
      const dir = fixture(`real/${name}`);
      const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
      return npmScanDocuments(dir, pkg.scripts, { gyp }).map((d) => d.path);
    };
    expect(paths('esbuild')).toContain('install.js');
    expect(paths('core-js')).toContain('postinstall.js');
    expect(paths('bcrypt', true)).toContain('binding.gyp');
  });

  it('confidence: download-and-execute and credentials + network are high (block), the rest medium', () => {
    expect(Object.fromEntries(scanRules.map((r) => [r.id, r.confidence]))).toEqual({
      'download-execute': 'high', 'credential-network': 'high', 'decoded-eval': 'high', 'encoded-eval': 'medium', obfuscation: 'medium',
      'shady-url': 'medium', 'bundled-binary': 'medium', 'setup-py-commands': 'medium',
    });
  });
});

describe('PyPI build backends', () => {
  it('scans an in-tree build backend named by pyproject.toml', () => {
    const files = new Map([
      ['evil-1.0/pyproject.toml', '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n'],
      ['evil-1.0/_build/backend.py', 'import subprocess\nsubprocess.run(["sh", "-c", "id"])\ndef build_wheel(*a): pass\n'],
    ]);
    expect(scanSdist(files).map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual(['setup-py-commands _build/backend.py:2']);
  });
});
