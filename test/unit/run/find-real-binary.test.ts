import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SafeError } from '../../../src/core/errors.js';
import { ExitCode } from '../../../src/core/exit-codes.js';
import { findRealBinary, PACKAGE_ROOT, pathWithout } from '../../../src/run/find-real-binary.js';

const tmp = mkdtempSync(join(tmpdir(), 'safe-npm-frb-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function exe(dir: string, name: string, mode = 0o755): string {
  mkdirSync(join(tmp, dir), { recursive: true });
  const file = join(tmp, dir, name);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, mode);
  return file;
}
function link(dir: string, name: string, target: string): string {
  mkdirSync(join(tmp, dir), { recursive: true });
  const file = join(tmp, dir, name);
  symlinkSync(target, file);
  return file;
}
const d = (...dirs: string[]): string => dirs.map((x) => (x.startsWith('/') ? x : join(tmp, x))).join(':');

const shimDir = join(tmp, 'shims');
exe('shims', 'npm');
exe('shims', 'npx');
const realNpm = exe('real', 'npm');
const realNpx = exe('real', 'npx');
exe('real2', 'npm');
exe('real', 'pip3');
exe('noexec', 'npm', 0o644);
link('own', 'npm', join(PACKAGE_ROOT, 'bin', 'safe-npm.js')); // ~/bin/npm -> our own bin
link('ownshim', 'npm', join(PACKAGE_ROOT, 'shims', 'npm')); // a symlink to our own shim
link('other', 'npm', realNpm); // a symlink to a real npm is fine
symlinkSync(shimDir, join(tmp, 'shimlink')); // the shim dir under another name
mkdirSync(join(tmp, 'empty'));

describe('findRealBinary', () => {
  it.each([
    ['skips the shim dir', 'npm', d('shims', 'real'), [shimDir], realNpm],
    ['skips the shim dir reached through a symlinked folder', 'npm', d('shimlink', 'real'), [shimDir], realNpm],
    ['skips a symlink to our own bin/safe-npm.js', 'npm', d('own', 'real'), [], realNpm],
    ['skips a symlink to our own shims/npm', 'npm', d('ownshim', 'real'), [], realNpm],
    ["skips this package's own shims/ folder without being told", 'npm', d(join(PACKAGE_ROOT, 'shims'), 'real'), [], realNpm],
    ['skips non-executable files', 'npm', d('noexec', 'real'), [], realNpm],
    ['skips dirs without the tool', 'npm', d('empty', 'real'), [], realNpm],
    ['keeps PATH order', 'npm', d('real2', 'real'), [], join(tmp, 'real2', 'npm')],
    ['all of them at once', 'npm', d('shims', 'own', 'ownshim', 'noexec', 'shimlink', 'real2', 'real'), [shimDir], join(tmp, 'real2', 'npm')],
    ['accepts a symlink to a real binary', 'npm', d('other', 'real'), [], join(tmp, 'other', 'npm')],
    ['works for npx', 'npx', d('shims', 'real'), [shimDir], realNpx],
    ['works for pip3', 'pip3', d('shims', 'real'), [shimDir], join(tmp, 'real', 'pip3')],
    ['ignores empty skip entries', 'npm', d('real'), [undefined, ''], realNpm],
  ] as const)('%s', (_name, tool, path, skipDirs, expected) => {
    expect(findRealBinary(tool, { path, skipDirs: [...skipDirs] })).toBe(expected);
  });

  it('returns an absolute path for a relative PATH entry', () => {
    const rel = relative(process.cwd(), join(tmp, 'real'));
    expect(rel.startsWith('/')).toBe(false);
    expect(findRealBinary('npm', { path: rel })).toBe(realNpm);
  });

  it.each([
    ['only our own copies', d('shims', 'own', 'ownshim'), [shimDir]],
    ['an empty PATH', '', []],
    ['no PATH', undefined, []],
  ] as const)('throws a one-line SafeError (exit 127) when there are %s', (_n, path, skipDirs) => {
    let err: unknown;
    try {
      findRealBinary('npm', { path, skipDirs: [...skipDirs] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SafeError);
    expect((err as SafeError).exitCode).toBe(ExitCode.toolNotFound);
    expect((err as Error).message).toMatch(/^cannot find the real npm on PATH/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('pathWithout drops the shim dir (under any name)', () => {
    expect(pathWithout(d('shims', 'real', 'shimlink'), [shimDir])).toBe(d('real'));
  });
});
