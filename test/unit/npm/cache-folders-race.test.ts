import { mkdtempSync, rmSync, statSync } from 'node:fs';
import * as realFs from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * Several safe-npm runs for the same build user start at once (CI jobs, an agent's parallel
 * installs) and each makes that user's cache folders (or root's npx cache). Whichever mkdir comes second must not fail:
 * a fresh-clone CI run failed one install with "internal error: EEXIST … mkdir <cacheRoot>/nobody/npm".
 * The race is reproduced exactly: another run makes the folder the moment before ours does.
 */
const otherRunMakesFirst = new Set<string>();
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const mkdirSync = ((path: realFs.PathLike, options?: realFs.MakeDirectoryOptions) => {
    if (otherRunMakesFirst.delete(String(path))) fs.mkdirSync(path, { mode: 0o700 });
    return fs.mkdirSync(path, options);
  }) as typeof fs.mkdirSync;
  return { ...fs, default: { ...fs, mkdirSync }, mkdirSync };
});

const { ensureUserCache } = await import('../../../src/npm/run-npm-install.js');
const { execCacheDir } = await import('../../../src/npm/exec-cache.js');
const me = userInfo();
const user = { name: 'cache-race-user', uid: me.uid, gid: me.gid, home: '/nonexistent' };

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  otherRunMakesFirst.clear();
});

function freshCacheRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'safe-npm-cacheroot-race-'));
  made.push(dir);
  return dir;
}

describe('cache folders made by runs at once', () => {
  it('another run making the user\'s folder just before ours is no error', () => {
    const cacheRoot = freshCacheRoot();
    otherRunMakesFirst.add(join(cacheRoot, user.name));
    const dir = ensureUserCache(cacheRoot, user, 'npm');
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(join(cacheRoot, user.name)).mode & 0o777).toBe(0o700);
  });

  it('nor is its making the cache folder itself just before ours', () => {
    const cacheRoot = freshCacheRoot();
    otherRunMakesFirst.add(join(cacheRoot, user.name, 'npm'));
    const dir = ensureUserCache(cacheRoot, user, 'npm');
    expect(dir).toBe(join(cacheRoot, user.name, 'npm'));
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('root\'s npx cache: a folder another run made just before ours is checked and used, not given up', () => {
    const root = freshCacheRoot();
    const dir = join(root, 'cache', 'safe-npm', 'npx');
    otherRunMakesFirst.add(join(root, 'cache', 'safe-npm'));
    expect(execCacheDir({ XDG_CACHE_HOME: join(root, 'cache') }, me.uid)).toBe(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
