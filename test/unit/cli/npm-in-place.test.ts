/** When `npm uninstall` / `npm prune` (and an up-to-date `npm install`) may be npm's own command in our process (a user in their own project). */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runsInPlace } from '../../../src/cli/npm-in-place.js';
import { JOURNAL } from '../../../src/npm/commit-project.js';
import { loadNpmTables } from '../../../src/npm/npm-tables.js';
import { parseNpmArgs } from '../../../src/npm/parse-npm-args.js';

const tables = loadNpmTables();
const USER = 1000;

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'remove-in-place-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0"}\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function decide(argv: string[], cwd: string, env: Record<string, string> = {}, euid = USER) {
  return runsInPlace(parseNpmArgs(argv, env, tables, { cwd }), cwd, env, euid)?.project;
}

function runOf(argv: string[], cwd: string, env: Record<string, string> = {}, euid = USER) {
  return runsInPlace(parseNpmArgs(argv, env, tables, { cwd }), cwd, env, euid)?.run;
}

/** A project npm installed last after its package.json and lockfile were written (its record newer). */
function installed(packageJson = '{"name":"p","version":"1.0.0"}\n', files: Record<string, string> = {}): string {
  const dir = project({ 'package-lock.json': '{}\n', ...files });
  writeFileSync(join(dir, 'package.json'), packageJson);
  const past = new Date(Date.now() - 60_000);
  for (const f of ['package.json', 'package-lock.json']) utimesSync(join(dir, f), past, past);
  mkdirSync(join(dir, 'node_modules'));
  writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{}\n');
  // Newer than both, older than any change a test makes now (file times tick in milliseconds).
  const recorded = new Date(Date.now() - 30_000);
  utimesSync(join(dir, 'node_modules', '.package-lock.json'), recorded, recorded);
  return dir;
}

describe('uninstall / prune in place', () => {
  it('applies to a user\'s uninstall and prune in their own project (the project folder is what gets locked)', () => {
    const dir = project();
    expect(decide(['uninstall', 'lodash'], dir)).toBe(dir);
    expect(decide(['rm', 'lodash', '--no-save'], dir)).toBe(dir);
    expect(decide(['prune'], dir)).toBe(dir);
    const sub = join(dir, 'src');
    mkdirSync(sub);
    expect(decide(['uninstall', 'lodash'], sub)).toBe(dir);
  });

  it('does not apply to root, installs, -g, workspaces, --prefix, a project inside another, or a commit journal to repair', () => {
    const dir = project();
    expect(decide(['uninstall', 'lodash'], dir, {}, 0)).toBeUndefined();
    expect(decide(['install', 'lodash'], dir)).toBeUndefined();
    expect(decide(['uninstall', '-g', 'lodash'], dir)).toBeUndefined();
    expect(decide(['uninstall', 'lodash', '-w', 'a'], dir)).toBeUndefined();
    expect(decide(['uninstall', 'lodash', '--prefix', dir], dir)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { npm_config_prefix: dir })).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { npm_config_global: 'true' }), '-g from the environment').toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { NPM_CONFIG_LOCATION: 'global' })).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { Npm_Config_Global: 'TRUE' }), 'any case, as npm reads it').toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { NPM_CONFIG_PREFIX: dir })).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { npm_config_global: 'false', npm_config_location: 'user' })).toBe(dir);
    const inner = join(dir, 'packages', 'a');
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(inner, 'package.json'), '{"name":"a","version":"1.0.0"}\n');
    expect(decide(['uninstall', 'lodash'], inner)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], project({ [JOURNAL]: '{}' }))).toBeUndefined();
  });
});

describe('npm install with nothing named, in an up-to-date project of one\'s own', () => {
  it('applies when npm\'s record of node_modules is newer than package.json and the lockfile', () => {
    const dir = installed();
    expect(runOf(['install'], dir)).toBe('up-to-date-install');
    expect(runOf(['i'], dir)).toBe('up-to-date-install');
    expect(runOf(['uninstall', 'x'], dir)).toBe('removal');
  });

  it('does not apply to a changed project, a fresh clone, anything named, flags, own flags, root, or a project with install scripts or workspaces of its own', () => {
    const dir = installed();
    writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0","dependencies":{"x":"1"}}\n');
    expect(runOf(['install'], dir), 'package.json changed since').toBeUndefined();
    expect(runOf(['install'], project()), 'no node_modules').toBeUndefined();
    const ok = installed();
    expect(runOf(['install', 'lodash'], ok)).toBeUndefined();
    expect(runOf(['install', '--package-lock-only'], ok)).toBeUndefined();
    expect(runOf(['install', '--safe-yes'], ok)).toBeUndefined();
    expect(runOf(['install'], ok, { npm_config_package_lock_only: 'true' })).toBeUndefined();
    expect(runOf(['install'], ok, { SAFE_NPM_STRICT_SCRIPTS: '1' })).toBeUndefined();
    expect(runOf(['install'], ok, {}, 0)).toBeUndefined();
    expect(runOf(['ci'], ok)).toBeUndefined();
    expect(runOf(['install'], installed('{"name":"p","scripts":{"prepare":"tsc"}}\n'))).toBeUndefined();
    expect(runOf(['install'], installed('{"name":"p","scripts":{"test":"x"}}\n')), 'a script npm install does not run').toBe('up-to-date-install');
    expect(runOf(['install'], installed('{"name":"p","workspaces":["a"]}\n'))).toBeUndefined();
    expect(runOf(['install'], installed(undefined, { 'binding.gyp': '{}' }))).toBeUndefined();
  });
});
