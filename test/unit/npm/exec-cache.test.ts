/**
 * Root's npx keeps the vetted exact packages it installed, as npx keeps its cache: only exact
 * versions, only in a folder nobody else can write or swap. (Run as root, as CI runs.)
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedPrefix, execCacheDir, execCacheKey, keepPrefix } from '../../../src/npm/exec-cache.js';

const made: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'safe-npm-exec-cache-'));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('execCacheKey', () => {
  it('exact registry versions only; the same set in any order is one entry, another registry another', () => {
    const key = execCacheKey(['cowsay@1.6.0', '@scope/x@2.0.0-rc.1'], 'https://r/');
    expect(key).toMatch(/^[0-9a-f]{24}$/);
    expect(execCacheKey(['@scope/x@2.0.0-rc.1', 'cowsay@1.6.0'], 'https://r/')).toBe(key);
    expect(execCacheKey(['cowsay@1.6.0', '@scope/x@2.0.0-rc.1'], 'https://other/')).not.toBe(key);
    for (const loose of ['cowsay', 'cowsay@^1.6.0', 'cowsay@latest', 'github:a/b', './folder', 'x@file:../x.tgz']) {
      expect(execCacheKey([loose], 'https://r/'), loose).toBeUndefined();
    }
    expect(execCacheKey([], 'https://r/')).toBeUndefined();
  });
});

describe('execCacheDir', () => {
  it.runIf(process.geteuid?.() === 0)('made mode 700 under a HOME of root\'s (also below sticky /tmp); refused below a folder another user owns or anyone may write', () => {
    const home = temp();
    const dir = execCacheDir({ HOME: home }, 0);
    expect(dir).toBe(join(home, '.cache', 'safe-npm', 'npx'));
    const theirs = temp();
    chownSync(theirs, 65534, 65534);
    expect(execCacheDir({ XDG_CACHE_HOME: theirs }, 0)).toBeUndefined();
    const open = temp();
    chmodSync(open, 0o777);
    expect(execCacheDir({ XDG_CACHE_HOME: join(open, 'cache') }, 0)).toBeUndefined();
    const loose = temp();
    mkdirSync(join(loose, 'safe-npm', 'npx'), { recursive: true, mode: 0o755 });
    expect(execCacheDir({ XDG_CACHE_HOME: loose }, 0)).toBeUndefined();
    expect(execCacheDir({}, 0)).toBeUndefined();
    // Nothing is made below a folder that is not safe: nobody's HOME keeps its own ~/.cache.
    const nobodysHome = temp();
    chownSync(nobodysHome, 65534, 65534);
    expect(execCacheDir({ HOME: nobodysHome }, 0)).toBeUndefined();
    expect(existsSync(join(nobodysHome, '.cache'))).toBe(false);
    // ~/.cache a link (to /etc/cron.d, say): not followed, nothing made there.
    const linkedHome = temp();
    const elsewhere = temp();
    symlinkSync(elsewhere, join(linkedHome, '.cache'));
    expect(execCacheDir({ HOME: linkedHome }, 0)).toBeUndefined();
    expect(readdirSync(elsewhere)).toEqual([]);
    // A relative path is resolved again by whoever renames the folder it is relative to.
    expect(execCacheDir({ XDG_CACHE_HOME: 'c' }, 0)).toBeUndefined();
  });
});

describe('keepPrefix / cachedPrefix', () => {
  it('a kept prefix is found again; a concurrent keeper\'s copy wins and ours goes', () => {
    const cache = temp();
    const area = temp();
    const prefix = join(area, 'prefix');
    mkdirSync(join(prefix, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(prefix, 'node_modules', 'x', 'mine'), 'first');
    expect(cachedPrefix(cache, 'k')).toBeUndefined();
    const kept = keepPrefix(cache, 'k', prefix);
    expect(kept).toBe(join(cache, 'k', 'prefix'));
    expect(cachedPrefix(cache, 'k')).toBe(kept);
    expect(existsSync(prefix)).toBe(false);

    const second = join(temp(), 'prefix');
    mkdirSync(join(second, 'node_modules', 'x'), { recursive: true });
    writeFileSync(join(second, 'node_modules', 'x', 'mine'), 'second');
    expect(keepPrefix(cache, 'k', second)).toBe(kept);
    expect(readFileSync(join(kept, 'node_modules', 'x', 'mine'), 'utf8')).toBe('first');
  });
});

describe('npxCacheFolder / npxCacheState', () => {
  it('the folder npm exec uses for these specs (sha512 of the sorted specs), and what it holds', async () => {
    const { createHash } = await import('node:crypto');
    const { npxCacheFolder, npxCacheState } = await import('../../../src/npm/exec-cache.js');
    const cache = temp();
    const folder = npxCacheFolder(cache, [{ raw: 'cowsay' }]);
    expect(folder).toBe(join(cache, '_npx', createHash('sha512').update('cowsay').digest('hex').slice(0, 16)));
    expect(npxCacheFolder(cache, [{ raw: 'b' }, { raw: 'a' }])).toBe(npxCacheFolder(cache, [{ raw: 'a' }, { raw: 'b' }]));
    expect(npxCacheFolder(cache, [{ raw: './x', folder: '/abs/x' }])).toBe(npxCacheFolder(cache, [{ raw: '/abs/x' }]));
    expect(npxCacheState(folder, [{ name: 'cowsay', version: '1.6.0' }])).toBe('new');
    mkdirSync(join(folder, 'node_modules', 'cowsay'), { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ dependencies: { cowsay: '^1.6.0' }, _npx: { packages: ['cowsay'] } }));
    writeFileSync(join(folder, 'node_modules', 'cowsay', 'package.json'), JSON.stringify({ name: 'cowsay', version: '1.6.0' }));
    expect(npxCacheState(folder, [{ name: 'cowsay', version: '1.6.0' }])).toBe('held');
    // npm would install a newer version there: its tree is vetted first.
    expect(npxCacheState(folder, [{ name: 'cowsay', version: '1.7.0' }])).toBe('new');
    // A package.json naming other packages: npm would install them along, unvetted.
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ dependencies: { cowsay: '^1.6.0', reqeust: '2.81.1' } }));
    expect(npxCacheState(folder, [{ name: 'cowsay', version: '1.6.0' }])).toBe('foreign');
  });

  it('a tarball or folder asked for is no other package: npm saved it as file: relative to the folder (its second run was refused)', async () => {
    const { npxCacheFolder, npxCacheState } = await import('../../../src/npm/exec-cache.js');
    const cache = temp();
    const tarball = join(cache, 'work', 'evil-x-1.0.0.tgz');
    const folder = npxCacheFolder(cache, [{ raw: tarball }]);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ dependencies: { 'evil-x': `file:${relative(folder, tarball)}` } }));
    expect(npxCacheState(folder, [], [tarball])).not.toBe('foreign');
    // Another tarball there is still another package.
    expect(npxCacheState(folder, [], [join(cache, 'work', 'other.tgz')])).toBe('foreign');
  });
});
