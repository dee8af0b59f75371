/** canExecuteAs: whether a user can run an interpreter, from stat alone (pyenv's python under a 0700 /root is not runnable by others). */
import { describe, expect, it } from 'vitest';
import { canExecuteAs } from '../../../src/pypi/run-as.js';

const tree: Record<string, { uid: number; gid: number; mode: number }> = {
  '/': { uid: 0, gid: 0, mode: 0o755 },
  '/root': { uid: 0, gid: 0, mode: 0o700 },
  '/root/.pyenv': { uid: 0, gid: 0, mode: 0o755 },
  '/root/.pyenv/python3.11': { uid: 0, gid: 0, mode: 0o755 },
  '/usr': { uid: 0, gid: 0, mode: 0o755 },
  '/usr/bin': { uid: 0, gid: 0, mode: 0o755 },
  '/usr/bin/python3.11': { uid: 0, gid: 0, mode: 0o755 },
  '/srv': { uid: 0, gid: 0, mode: 0o755 },
  '/srv/venv': { uid: 1000, gid: 1000, mode: 0o700 },
  '/srv/venv/bin': { uid: 1000, gid: 1000, mode: 0o755 },
  '/srv/group': { uid: 0, gid: 50, mode: 0o750 },
  '/srv/group/python3': { uid: 0, gid: 50, mode: 0o750 },
};
const links: Record<string, string> = { '/srv/venv/bin/python3': '/usr/bin/python3.11', '/srv/venv/bin/pyenv3': '/root/.pyenv/python3.11' };
const fs = {
  realpath: (p: string) => links[p] ?? p,
  stat: (p: string) => {
    const st = tree[p];
    if (!st) throw new Error(`ENOENT ${p}`);
    return st;
  },
};

describe('canExecuteAs', () => {
  it.each([
    ['a venv python linking to the system python, for the venv owner', '/srv/venv/bin/python3', 1000, 1000, true],
    ['the same venv for another user (the venv folder is private)', '/srv/venv/bin/python3', 2000, 2000, false],
    ['a venv python linking into a private /root', '/srv/venv/bin/pyenv3', 1000, 1000, false],
    ['through the primary group', '/srv/group/python3', 1000, 50, true],
    ['without the group', '/srv/group/python3', 1000, 1000, false],
    ['a path that does not exist', '/nope/python', 1000, 1000, false],
    ['root can run anything', '/root/.pyenv/python3.11', 0, 0, true],
  ])('%s', (_what, path, uid, gid, expected) => {
    expect(canExecuteAs(path, { uid, gid }, fs)).toBe(expected);
  });
});
