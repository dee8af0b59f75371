/** When `npm uninstall` / `npm prune` may be npm's own command in our process (a user in their own project). */
import { chownSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removesInPlace } from '../../../src/cli/npm-remove-in-place.js';
import { JOURNAL } from '../../../src/npm/commit-project.js';
import { loadNpmTables } from '../../../src/npm/npm-tables.js';
import { parseNpmArgs } from '../../../src/npm/parse-npm-args.js';
import { npmCliScript } from '../../../src/run/npm-in-process.js';

const tables = loadNpmTables();
const USER = 1000;

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'remove-in-place-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0"}\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function decide(argv: string[], cwd: string, env: Record<string, string> = {}, euid = USER, cli?: string) {
  return removesInPlace(parseNpmArgs(argv, env, tables, { cwd }), cwd, env, euid, cli);
}

const npmCli = npmCliScript('/usr/bin/npm');
const asRoot = process.getuid?.() === 0;

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

  it('applies to root in a root-owned project whose dependencies are registry specs or folders (npm\'s own npm-package-arg reads them)', { skip: !asRoot || !npmCli }, () => {
    const deps = (d: Record<string, string>) => ({ 'package.json': JSON.stringify({ name: 'p', version: '1.0.0', dependencies: d, devDependencies: { vitest: '^3' } }) });
    const plain = project(deps({ lodash: '^4.17.0', left: 'npm:left-pad@1', pinned: '1.2.3', next: 'latest', local: 'file:../lib' }));
    expect(decide(['uninstall', 'lodash'], plain, {}, 0, npmCli)).toBe(plain);
    expect(decide(['prune'], plain, {}, 0, npmCli)).toBe(plain);
    mkdirSync(join(plain, 'node_modules'));
    expect(decide(['uninstall', 'lodash'], plain, {}, 0, npmCli)).toBe(plain);
  });

  it('not for root when npm might fetch from git or a URL, unpack a tarball while it plans, or the project is not root\'s', { skip: !asRoot || !npmCli }, () => {
    const deps = (d: Record<string, string>) => ({ 'package.json': JSON.stringify({ name: 'p', version: '1.0.0', dependencies: d }) });
    for (const spec of ['github:npm/cli', 'git+https://example.invalid/x.git', 'https://example.invalid/x.tgz', 'file:x.tgz', 'npm:@x/y@github:a/b']) {
      expect(decide(['uninstall', 'lodash'], project(deps({ x: spec })), {}, 0, npmCli), spec).toBeUndefined();
    }
    expect(decide(['uninstall', 'lodash'], project({ 'package.json': '{"dependencies":"nope"}' }), {}, 0, npmCli)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], project({ 'package.json': '{not json' }), {}, 0, npmCli)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], project(), {}, 0), 'without npm\'s own parser').toBeUndefined();
    const users = project();
    chownSync(users, 65534, 65534);
    expect(decide(['uninstall', 'lodash'], users, {}, 0, npmCli)).toBeUndefined();
    const modules = project();
    mkdirSync(join(modules, 'node_modules'));
    chownSync(join(modules, 'node_modules'), 65534, 65534);
    expect(decide(['uninstall', 'lodash'], modules, {}, 0, npmCli)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], project(), { SAFE_NPM_WHOLE_FLOW: '1' }, 0, npmCli), 'a hand-over').toBeUndefined();
  });

  it('root: only along paths that are what they seem — no symlink or foreign folder on the way to a package, no linked lockfile, no workspaces', { skip: !asRoot || !npmCli }, () => {
    const tree = (...layout: Array<(dir: string) => void>) => {
      const dir = project({ 'package.json': JSON.stringify({ name: 'p', version: '1.0.0', dependencies: { a: '^1' } }) });
      mkdirSync(join(dir, 'node_modules', 'a', 'node_modules', 'b'), { recursive: true });
      mkdirSync(join(dir, 'node_modules', '@s', 'c'), { recursive: true });
      mkdirSync(join(dir, 'node_modules', '.bin'));
      writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{}');
      writeFileSync(join(dir, 'package-lock.json'), '{}');
      for (const change of layout) change(dir);
      return decide(['prune'], dir, {}, 0, npmCli) === dir;
    };
    const outside = mkdtempSync(join(tmpdir(), 'remove-in-place-outside-'));
    expect(tree(), 'a plain tree').toBe(true);
    expect(tree((d) => symlinkSync('../a/index.js', join(d, 'node_modules', '.bin', 'a')), (d) => symlinkSync(outside, join(d, 'node_modules', '.cache'))), 'bins and dot folders may link anywhere').toBe(true);
    expect(tree((d) => symlinkSync(outside, join(d, 'node_modules', 'a', 'node_modules', 'b', 'node_modules'))), 'a nested node_modules linked out').toBe(false);
    expect(tree((d) => symlinkSync(outside, join(d, 'node_modules', 'linked'))), 'a linked package').toBe(false);
    expect(tree((d) => symlinkSync(outside, join(d, 'node_modules', '@s', 'd'))), 'a linked scoped package').toBe(false);
    expect(tree((d) => symlinkSync(outside, join(d, 'node_modules', '@t'))), 'a linked scope').toBe(false);
    expect(tree((d) => chownSync(join(d, 'node_modules', 'a', 'node_modules', 'b'), 65534, 65534)), 'a folder of another user').toBe(false);
    expect(tree((d) => symlinkSync(join(outside, 'x'), join(d, 'node_modules', '.bin2'))), 'a dot entry other than .bin').toBe(true);
    const victim = join(outside, 'victim.json');
    writeFileSync(victim, '{}');
    expect(tree((d) => { const l = join(d, 'package-lock.json'); rmSync(l); symlinkSync(victim, l); }), 'a linked lockfile').toBe(false);
    expect(tree((d) => { const l = join(d, 'npm-shrinkwrap.json'); linkSync(victim, l); }), 'a hard-linked shrinkwrap').toBe(false);
    expect(tree((d) => { const l = join(d, 'node_modules', '.package-lock.json'); rmSync(l); symlinkSync(victim, l); }), 'a linked hidden lockfile').toBe(false);
    expect(tree((d) => writeFileSync(join(d, '.npmrc'), 'logs-dir=/etc\n')), 'a project .npmrc (where npm writes its logs, which git it runs)').toBe(false);
    const ws = project({ 'package.json': JSON.stringify({ name: 'p', version: '1.0.0', workspaces: ['pkgs/*'] }) });
    expect(decide(['prune'], ws, {}, 0, npmCli), 'workspaces').toBeUndefined();
  });

  it('does not apply to root without npm\'s parser, installs, -g, workspaces, --prefix, a project inside another, or a commit journal to repair', () => {
    const dir = project();
    expect(decide(['uninstall', 'lodash'], dir, {}, 0)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { SAFE_NPM_WHOLE_FLOW: '1' })).toBeUndefined();
    expect(decide(['install', 'lodash'], dir)).toBeUndefined();
    expect(decide(['uninstall', '-g', 'lodash'], dir)).toBeUndefined();
    expect(decide(['uninstall', 'lodash', '-w', 'a'], dir)).toBeUndefined();
    expect(decide(['uninstall', 'lodash', '--prefix', dir], dir)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], dir, { npm_config_prefix: dir })).toBeUndefined();
    const inner = join(dir, 'packages', 'a');
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(inner, 'package.json'), '{"name":"a","version":"1.0.0"}\n');
    expect(decide(['uninstall', 'lodash'], inner)).toBeUndefined();
    expect(decide(['uninstall', 'lodash'], project({ [JOURNAL]: '{}' }))).toBeUndefined();
  });
});
