import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redirectableAt } from '../../../src/run/redirectable-path.js';

describe.skipIf(process.geteuid?.() !== 0)('redirectableAt: could someone but root change where a path leads?', () => {
  const base = mkdtempSync(join(tmpdir(), 'safe-npm-redirect-')); // root's, in sticky /tmp
  chmodSync(base, 0o755);
  const dir = (path: string, owner = 0, mode = 0o755) => {
    mkdirSync(path, { recursive: true });
    chmodSync(path, mode);
    chownSync(path, owner, owner);
    return path;
  };
  it('root\'s folders up to / (sticky /tmp with root\'s entry): nobody', () => {
    expect(redirectableAt(dir(join(base, 'a', 'project')))).toBeUndefined();
  });
  it('a project of anyone\'s in root\'s folder: nobody can move it', () => {
    expect(redirectableAt(dir(join(base, 'b', 'users-project'), 65534))).toBeUndefined();
  });
  it('a root project in a folder another user owns: that folder, and its owner', () => {
    dir(join(base, 'c'));
    dir(join(base, 'c', 'home'), 65534);
    expect(redirectableAt(dir(join(base, 'c', 'home', 'project')))).toEqual({ at: join(base, 'c', 'home'), by: 65534 });
  });
  it('a folder on the way that group or others may write (not sticky)', () => {
    dir(join(base, 'd'), 0, 0o775);
    expect(redirectableAt(dir(join(base, 'd', 'project')))).toEqual({ at: join(base, 'd'), by: 'group or others' });
  });
  it('a link on the way: another user\'s link in sticky /tmp (or in their folder) is theirs to change; root\'s link to a root path is not', () => {
    const roots = dir(join(base, 'e'));
    writeFileSync(join(roots, 'secret.tgz'), 'x');
    const theirs = join(tmpdir(), `safe-npm-redirect-link-${process.pid}`);
    symlinkSync(join(roots, 'secret.tgz'), theirs);
    lchownSync(theirs, 65534, 65534); // the link's own owner, not its target's
    try {
      expect(redirectableAt(theirs)).toEqual({ at: theirs, by: 65534 });
    } finally {
      rmSync(theirs);
    }
    const mine = join(roots, 'link.tgz');
    symlinkSync(join(roots, 'secret.tgz'), mine);
    expect(redirectableAt(mine)).toBeUndefined();
    const usersFolder = dir(join(base, 'f'), 65534);
    symlinkSync(join(roots, 'secret.tgz'), join(usersFolder, 'pkg.tgz'));
    expect(redirectableAt(join(usersFolder, 'pkg.tgz'))).toEqual({ at: usersFolder, by: 65534 });
  });
});
