import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyTreeAs, removeTree, writeNewFile } from '../../src/run/fs-ownership.js';

// Root copies a staged tree into a project another user owns (`node_modules.safe-npm-new`, when the
// staging area is on another device, e.g. /tmp on tmpfs): its owner can rename that folder and put a
// link to any folder in its place while root fills it. Root wrote by path, following that link, and
// chowned what it wrote to them.
describe.skipIf(process.geteuid?.() !== 0)('copyTreeAs into a folder its owner can swap', () => {
  const base = mkdtempSync(join(tmpdir(), 'safe-npm-copy-tree-'));
  const staged = join(base, 'staged');
  mkdirSync(join(staged, 'pkg'), { recursive: true });
  writeFileSync(join(staged, 'pkg', 'index.js'), 'module.exports = 1;\n');
  writeFileSync(join(staged, '.package-lock.json'), '{}\n');
  const project = join(base, 'project');
  mkdirSync(project);
  chownSync(project, 65534, 65534);
  const victim = join(base, 'victim'); // a folder of root's the owner may not write
  mkdirSync(victim);
  chmodSync(victim, 0o755);

  it('writes only into the folder it made, whatever is put at its path meanwhile', () => {
    const fresh = join(project, 'node_modules.safe-npm-new');
    copyTreeAs(staged, fresh, 65534, 65534, {
      whileFilling: () => {
        renameSync(fresh, join(project, 'moved'));
        symlinkSync(victim, fresh);
      },
    });
    expect(readdirSync(victim)).toEqual([]);
    expect(readFileSync(join(project, 'moved', 'pkg', 'index.js'), 'utf8')).toBe('module.exports = 1;\n');
    expect(statSync(join(project, 'moved', 'pkg', 'index.js')).uid).toBe(65534);
    expect(statSync(victim).uid).toBe(0);
  });

  it('an ordinary copy is the tree, handed to the owner', () => {
    const to = join(project, 'plain');
    copyTreeAs(staged, to, 65534, 65534);
    expect(readdirSync(to).sort()).toEqual(['.package-lock.json', 'pkg']);
    expect(statSync(to).uid).toBe(65534);
    expect(statSync(join(to, 'pkg', 'index.js')).uid).toBe(65534);
    expect(process.cwd()).not.toBe(to);
  });
});

describe.skipIf(process.geteuid?.() !== 0)('writeNewFile (the commit\'s package.json and lockfile, written by root into the owner\'s folder)', () => {
  it('never writes through a link put at its path: it fails, and the link\'s target is unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-npm-new-file-'));
    const rootsFile = join(dir, 'roots-file');
    writeFileSync(rootsFile, 'root\'s\n', { mode: 0o600 });
    symlinkSync(rootsFile, join(dir, 'package.json.safe-npm-new'));
    expect(() => writeNewFile(join(dir, 'package.json.safe-npm-new'), Buffer.from('{}\n'), 0o644, { uid: 65534, gid: 65534 })).toThrow(/EEXIST/);
    expect(readFileSync(rootsFile, 'utf8')).toBe('root\'s\n');
    expect(statSync(rootsFile).uid).toBe(0);
    writeNewFile(join(dir, 'fresh.json'), Buffer.from('{}\n'), 0o644, { uid: 65534, gid: 65534 });
    expect(statSync(join(dir, 'fresh.json'))).toMatchObject({ uid: 65534, gid: 65534 });
    expect(statSync(join(dir, 'fresh.json')).mode & 0o777).toBe(0o644);
  });
});

describe('removeTree (leftovers and old trees in a folder another user may write)', () => {
  it('removes the tree and never what a link in it leads to (coreutils rm walks by descriptors: a folder swapped for a link mid-walk is not entered either)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-npm-remove-tree-'));
    const victim = join(dir, 'victim');
    mkdirSync(join(victim, 'secret'), { recursive: true });
    writeFileSync(join(victim, 'secret', 'k1'), 'k\n');
    const old = join(dir, 'node_modules.safe-npm-old');
    mkdirSync(join(old, 'a'), { recursive: true });
    writeFileSync(join(old, 'a', 'f'), 'x');
    symlinkSync(join(victim, 'secret'), join(old, 'a', 'secret'));
    symlinkSync(victim, join(old, 'link-to-victim'));
    removeTree(old);
    expect(existsSync(old)).toBe(false);
    expect(readFileSync(join(victim, 'secret', 'k1'), 'utf8')).toBe('k\n');
    removeTree(old); // gone already: nothing to do
    writeFileSync(join(dir, 'file'), 'x');
    symlinkSync(victim, join(dir, 'a-link'));
    removeTree(join(dir, 'a-link'));
    removeTree(join(dir, 'file'));
    expect(readdirSync(dir)).toEqual(['victim']);
  });
});

describe.skipIf(process.geteuid?.() !== 0)('takeBackTree (root takes back npx\'s prefix from the build user)', () => {
  it('never keeps a set-id bit the other user set: root\'s after the chown, it would be a set-uid root program', async () => {
    const { takeBackTree } = await import('../../src/run/fs-ownership.js');
    const dir = mkdtempSync(join(tmpdir(), 'safe-npm-take-back-'));
    const tool = join(dir, 'tool');
    writeFileSync(tool, '#!/bin/sh\n');
    chownSync(dir, 65534, 65534);
    chownSync(tool, 65534, 65534);
    chmodSync(tool, 0o4755);
    chmodSync(dir, 0o2777);
    takeBackTree(dir, 0, 0);
    expect(statSync(tool)).toMatchObject({ uid: 0, gid: 0 });
    expect(statSync(tool).mode & 0o7777).toBe(0o755);
    expect(statSync(dir).mode & 0o7777).toBe(0o755);
  });
});

describe.skipIf(process.geteuid?.() !== 0)('asUserSync (root commits another user\'s project as them)', () => {
  it('what the code does is checked against that user\'s rights only: not root\'s, nor root\'s groups', async () => {
    const { asUserSync } = await import('../../src/run/effective-user.js');
    const dir = mkdtempSync(join(tmpdir(), 'safe-npm-as-user-'));
    chmodSync(dir, 0o755);
    const theirs = join(dir, 'theirs');
    const roots = join(dir, 'roots');
    const rootGroup = join(dir, 'root-group');
    mkdirSync(theirs);
    chownSync(theirs, 65534, 65534);
    mkdirSync(roots);
    mkdirSync(rootGroup);
    chmodSync(rootGroup, 0o775); // root's group may write
    const user = { uid: 65534, gid: 65534 };
    asUserSync(user, () => writeFileSync(join(theirs, 'package.json'), '{}'));
    expect(statSync(join(theirs, 'package.json')).uid).toBe(65534);
    expect(() => asUserSync(user, () => writeFileSync(join(roots, 'package.json'), '{}'))).toThrow(/EACCES/);
    expect(() => asUserSync(user, () => writeFileSync(join(rootGroup, 'package.json'), '{}'))).toThrow(/EACCES/);
    expect(process.geteuid?.()).toBe(0);
    expect(process.getgroups?.()).toContain(0);
  });
});
