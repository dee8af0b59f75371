/**
 * The pure and local parts of the trust boundary: the commit journal and its recovery, the project
 * lock, files read as data, signal handling, who the build identities are, fast failure on a dead
 * registry. The end-to-end proofs are in test/integration/trust-boundary.test.ts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitStaged, JOURNAL, recoverProject } from '../../../src/npm/commit-project.js';
import { originOf, unreachableFrom, watchUnreachable } from '../../../src/npm/fetch-failures.js';
import { withOption } from '../../../src/npm/run-npm-install.js';
import { resolveBuildIdentities } from '../../../src/run/build-identity.js';
import { linkTree } from '../../../src/run/fs-ownership.js';
import { watchInterrupts } from '../../../src/run/interrupts.js';
import { holderOf, lockProject } from '../../../src/run/project-lock.js';
import { readRegularFile } from '../../../src/run/user-files.js';
import type { SignalSource } from '../../../src/run/passthrough.js';

const temp = () => mkdtempSync(join(tmpdir(), 'safe-tb-unit-'));

function project(files: Record<string, string>, modules: Record<string, string>): string {
  const dir = temp();
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  mkdirSync(join(dir, 'node_modules'));
  for (const [f, text] of Object.entries(modules)) writeFileSync(join(dir, 'node_modules', f), text);
  return dir;
}
const state = (dir: string) => ({
  pkg: readFileSync(join(dir, 'package.json'), 'utf8'),
  modules: readdirSync(join(dir, 'node_modules')).sort(),
  extra: readdirSync(dir).filter((n) => n.includes('safe-npm')),
});

describe('commit: one step, journaled', () => {
  it('swaps node_modules and the changed files; nothing of ours is left', () => {
    const live = project({ 'package.json': 'old' }, { a: '1' });
    const staged = project({ 'package.json': 'new', 'package-lock.json': 'lock' }, { a: '1', b: '2' });
    const result = commitStaged({ projectDir: live, folders: [{ staged, original: live }], handover: 'copy' });
    expect(result.changed).toEqual([live]);
    expect(state(live)).toEqual({ pkg: 'new', modules: ['a', 'b'], extra: [] });
    expect(readFileSync(join(live, 'package-lock.json'), 'utf8')).toBe('lock');
  });

  it('an engine that changed no package: node_modules stays as it is when its hidden lockfile is the same, else it is swapped', () => {
    const lockfile = { '.package-lock.json': '{"lockfileVersion":3}', a: '1' };
    const live = project({ 'package.json': 'same' }, lockfile);
    const staged = project({ 'package.json': 'same' }, lockfile);
    const folder = lstatSync(join(live, 'node_modules')).ino;
    expect(commitStaged({ projectDir: live, folders: [{ staged, original: live }], handover: 'copy', noPackageChanged: true }).changed).toEqual([]);
    expect(lstatSync(join(live, 'node_modules')).ino).toBe(folder);
    // npm rewrote its record of what is installed (it was stale or missing): the staged tree goes in.
    for (const liveModules of <Array<Record<string, string>>>[{ '.package-lock.json': '{"lockfileVersion":2}', a: '1' }, { a: '1' }]) {
      const stale = project({ 'package.json': 'same' }, liveModules);
      const before = lstatSync(join(stale, 'node_modules')).ino;
      expect(commitStaged({ projectDir: stale, folders: [{ staged, original: stale }], handover: 'copy', noPackageChanged: true }).changed).toEqual([stale]);
      expect(lstatSync(join(stale, 'node_modules')).ino).not.toBe(before);
      expect(readFileSync(join(stale, 'node_modules', '.package-lock.json'), 'utf8')).toBe('{"lockfileVersion":3}');
    }
  });

  it('npm\'s record of node_modules is the newest file again after the commit (npm wrote it before the files the commit writes): the next install finds the project up to date', () => {
    const live = project({ 'package.json': 'old' }, { a: '1' });
    const staged = project({ 'package.json': 'new', 'package-lock.json': 'lock' }, { '.package-lock.json': '{}', a: '1' });
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(staged, 'node_modules', '.package-lock.json'), past, past);
    commitStaged({ projectDir: live, folders: [{ staged, original: live }], handover: 'move' });
    const mtime = (p: string) => statSync(join(live, p)).mtimeMs;
    expect(mtime('node_modules/.package-lock.json')).toBeGreaterThanOrEqual(mtime('package.json'));
    expect(mtime('node_modules/.package-lock.json')).toBeGreaterThanOrEqual(mtime('package-lock.json'));
  });

  it('a crash while preparing is rolled back by the next run; while committing, rolled forward', () => {
    // preparing: the new items exist next to the old ones, the project itself is untouched.
    const a = project({ 'package.json': 'old' }, { a: '1' });
    mkdirSync(join(a, 'node_modules.safe-npm-new'));
    writeFileSync(join(a, 'package.json.safe-npm-new'), 'new');
    writeFileSync(join(a, JOURNAL), JSON.stringify({ pid: 1, state: 'preparing', entries: [{ dir: a, files: ['package.json'], nodeModules: true }] }));
    expect(recoverProject(a)).toMatch(/removed what an interrupted install \(pid 1\) had prepared/);
    expect(state(a)).toEqual({ pkg: 'old', modules: ['a'], extra: [] });
    // committing: node_modules already swapped, package.json not yet.
    const b = project({ 'package.json': 'old' }, { b: '2' });
    writeFileSync(join(b, 'package.json.safe-npm-new'), 'new');
    writeFileSync(join(b, JOURNAL), JSON.stringify({ pid: 2, state: 'committing', entries: [{ dir: b, files: ['package.json'], nodeModules: true }] }));
    expect(recoverProject(b)).toMatch(/completed an install that was interrupted/);
    expect(state(b)).toEqual({ pkg: 'new', modules: ['b'], extra: [] });
  });

  it('a journal planted by another user (or naming folders not ours) is not acted on', () => {
    const dir = project({ 'package.json': 'old' }, {});
    const victim = temp();
    writeFileSync(join(victim, 'package.json.safe-npm-new'), 'precious');
    writeFileSync(join(dir, JOURNAL), JSON.stringify({ pid: 3, state: 'preparing', entries: [{ dir: victim, files: ['package.json'], nodeModules: false }] }));
    chownSync(join(dir, JOURNAL), 65534, 65534);
    expect(recoverProject(dir)).toMatch(/did not act on it \(not written by us\)/);
    // Written by us, but naming a folder of someone else: not acted on either.
    chownSync(join(dir, JOURNAL), process.getuid!(), process.getgid!());
    chownSync(victim, 65534, 65534);
    expect(recoverProject(dir)).toMatch(/names a folder that is not the project owner's/);
    expect(existsSync(join(victim, 'package.json.safe-npm-new'))).toBe(true);
  });

  it('without a journal, leftovers under our own names are removed', () => {
    const dir = project({ 'package.json': 'x' }, {});
    mkdirSync(join(dir, 'node_modules.safe-npm-old'));
    writeFileSync(join(dir, 'package.json.safe-npm-tmp'), 'x');
    expect(recoverProject(dir)).toBeUndefined();
    expect(state(dir).extra).toEqual([]);
  });
});

describe('staging node_modules by links', () => {
  it('files are hard links the build user cannot write (but can remove); folders and symlinks are its own; npm\'s hidden lockfile is a copy', () => {
    const parent = temp();
    chmodSync(parent, 0o755); // the build user must reach what is staged for it
    const src = join(parent, 'node_modules');
    mkdirSync(join(src, 'a', 'lib'), { recursive: true });
    writeFileSync(join(src, 'a', 'index.js'), 'root code');
    writeFileSync(join(src, '.package-lock.json'), '{}');
    writeFileSync(join(src, 'a', 'private.json'), 'x', { mode: 0o600 });
    mkdirSync(join(src, '.bin'));
    symlinkSync('../a/index.js', join(src, '.bin', 'a'));
    const dest = join(parent, 'staged');
    expect(linkTree(src, dest, 65534, 65534)).toBe(true);
    const st = (p: string) => lstatSync(join(dest, p));
    expect(st('a').uid).toBe(65534);
    expect(st('a/index.js')).toMatchObject({ uid: 0, nlink: 2 });
    expect(st('.package-lock.json')).toMatchObject({ uid: 65534, nlink: 1 });
    expect(st('a/private.json')).toMatchObject({ uid: 65534, nlink: 1 }); // unreadable to it: a copy
    expect(st('.bin/a').ino).not.toBe(lstatSync(join(src, '.bin', 'a')).ino);
    expect(st('.bin/a').uid).toBe(65534);
    const asBuildUser = (code: string) => execFileSync(process.execPath, ['-e', code], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(asBuildUser(`try { require('fs').appendFileSync(${JSON.stringify(join(dest, 'a/index.js'))}, 'x'); console.log('wrote') } catch (e) { console.log(e.code) }`).trim()).toBe('EACCES');
    asBuildUser(`require('fs').rmSync(${JSON.stringify(join(dest, 'a'))}, { recursive: true })`);
    expect(readFileSync(join(src, 'a', 'index.js'), 'utf8')).toBe('root code');
  });
});

describe('project lock', () => {
  it('a second locker waits, is told who holds it, and gets the lock once it is released', async () => {
    const dir = temp();
    const first = await lockProject(dir, { onWait: () => { throw new Error('the first must not wait'); }, timeoutSeconds: 30 });
    expect(holderOf(dir)).toBe(process.pid);
    let told: number | undefined | null = null;
    const second = lockProject(dir, { onWait: (pid) => { told = pid; void first.release(); }, timeoutSeconds: 30 });
    const lock = await second;
    expect(told).toBe(process.pid);
    await lock.release();
    expect(holderOf(dir)).toBeUndefined();
  });

  it.skipIf(process.getuid?.() !== 0)('root locks the folder itself, never through a link another user put in its place (flock(1) created a file wherever it led: attack trial)', async () => {
    const parent = temp();
    chownSync(parent, 65534, 65534);
    const real = join(parent, 'real');
    mkdirSync(real);
    const project = join(parent, 'app');
    symlinkSync(real, project);
    const error = await lockProject(project, { onWait: () => {}, timeoutSeconds: 5 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: 65 });
    expect(String((error as Error).message)).toMatch(/cannot lock .*app: it is not a folder \(a link or a file is in its place\); nothing was changed/);
    // A link of root's, in folders only root can change, is followed (a global prefix reached by a link).
    const rootParent = temp();
    mkdirSync(join(rootParent, 'real'));
    symlinkSync(join(rootParent, 'real'), join(rootParent, 'prefix'));
    const lock = await lockProject(join(rootParent, 'prefix'), { onWait: () => {}, timeoutSeconds: 5 });
    expect(holderOf(join(rootParent, 'real'))).toBe(process.pid);
    await lock.release();
  });

  it('gives up with exit 75 after the timeout', async () => {
    const dir = temp();
    const holder = spawn('flock', ['--exclusive', dir, 'cat'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      while (holderOf(dir) === undefined) await new Promise((r) => setImmediate(r));
      const error = await lockProject(dir, { onWait: () => {}, timeoutSeconds: 1 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ exitCode: 75 });
      expect(String((error as Error).message)).toMatch(/another safe-npm is still installing in .* after 1s of waiting/);
    } finally {
      holder.stdin!.end();
    }
  });

  it('without flock(1), a lock folder with our pid; a dead holder\'s folder is taken over', async () => {
    const dir = temp();
    mkdirSync(join(dir, '.safe-npm.lock'));
    writeFileSync(join(dir, '.safe-npm.lock', 'pid'), '999999999');
    const lock = await lockProject(dir, { onWait: () => { throw new Error('a dead holder is not waited for'); }, timeoutSeconds: 5, flockPaths: [] });
    expect(readFileSync(join(dir, '.safe-npm.lock', 'pid'), 'utf8')).toBe(String(process.pid));
    await lock.release();
    expect(existsSync(join(dir, '.safe-npm.lock'))).toBe(false);
  });
});

describe('files read as data', () => {
  it.each([['/dev/zero'], ['a FIFO'], ['a folder']])('%s is refused with exit 64, without reading', (kind) => {
    const dir = temp();
    const path = join(dir, 'config.json');
    if (kind === '/dev/zero') symlinkSync('/dev/zero', path);
    else if (kind === 'a folder') mkdirSync(path);
    else execFileSync('mkfifo', [path]);
    expect(() => readRegularFile(path, { what: 'the config' })).toThrow(expect.objectContaining({ exitCode: 64, message: `the config (${path}) is not a regular file: refusing to read it` }));
  });

  it('a file over the limit is refused; one under it is read', () => {
    const path = join(temp(), 'f');
    writeFileSync(path, 'x'.repeat(100));
    expect(readRegularFile(path, { what: 'f', maxBytes: 100 })).toHaveLength(100);
    expect(() => readRegularFile(path, { what: 'f', maxBytes: 99 })).toThrow(/over the 99-byte limit/);
  });
});

describe('signals during an install', () => {
  it('the first signal runs the cleanups newest first, then exits 128+n; a second one forces', async () => {
    const signals = new EventEmitter();
    const calls: string[] = [];
    let exited: number | undefined;
    let release!: () => void;
    const slow = new Promise<void>((r) => { release = r; });
    const interrupts = watchInterrupts({ signals: signals as unknown as SignalSource, exit: (code) => { exited = code; } });
    interrupts.onInterrupt((sig, force) => void calls.push(`older ${sig} ${force}`));
    interrupts.onInterrupt(async (sig, force) => {
      calls.push(`newer ${sig} ${force}`);
      if (!force) await slow;
    });
    const gone = interrupts.onInterrupt(() => void calls.push('unregistered'));
    gone();
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    expect(exited).toBeUndefined();
    release();
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['newer SIGINT false', 'newer SIGINT true', 'older SIGINT true', 'older SIGINT false']);
    expect(exited).toBe(130);
    expect(interrupts.received()).toBe('SIGINT');
  });

  it('abort runs the same cleanups and exits with the given code; dispose stops listening', async () => {
    const signals = new EventEmitter();
    const said: string[] = [];
    let exited: number | undefined;
    const interrupts = watchInterrupts({ signals: signals as unknown as SignalSource, exit: (code) => { exited = code; }, say: (l) => void said.push(l) });
    let cleaned = false;
    interrupts.onInterrupt(() => { cleaned = true; });
    interrupts.abort('the registry is gone', 68);
    await new Promise((r) => setImmediate(r));
    expect({ cleaned, exited, said }).toEqual({ cleaned: true, exited: 68, said: ['the registry is gone'] });
    interrupts.dispose();
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
});

describe('build identities', () => {
  const users: Record<string, { name: string; uid: number; gid: number; home: string }> = {
    nobody: { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' },
    root: { name: 'root', uid: 0, gid: 0, home: '/root' },
  };
  const settings = { runAsUser: '_safe-npm', scriptUser: '_safe-npm-scripts', cacheRoot: '/var/cache/safe-npm' };

  it('creates ours on first use, with no home outside the cache root; two distinct uids: dedicated', () => {
    const made: string[] = [];
    const ids = resolveBuildIdentities(settings, {
      lookup: (n) => users[String(n)],
      createSystemUser: (name, home) => {
        made.push(`${name} ${home}`);
        users[name] = { name, uid: 900 + made.length, gid: 900 + made.length, home };
        return undefined;
      },
    });
    expect(made).toEqual(['_safe-npm /var/cache/safe-npm/_safe-npm', '_safe-npm-scripts /var/cache/safe-npm/_safe-npm-scripts']);
    expect(ids).toMatchObject({ install: { uid: 901 }, scripts: { uid: 902 }, dedicated: true, warnings: [] });
  });

  it('refuses root (64) and an unknown configured user (64); falls back to a shared nobody, saying so, when ours cannot be created', () => {
    const deps = { lookup: (n: string | number) => users[String(n)], createSystemUser: () => 'cannot' };
    expect(() => resolveBuildIdentities({ ...settings, runAsUser: 'root' }, deps)).toThrow(expect.objectContaining({ exitCode: 64 }));
    expect(() => resolveBuildIdentities({ ...settings, runAsUser: 'builder' }, deps)).toThrow(/the install user "builder" does not exist/);
    const fallback = resolveBuildIdentities({ ...settings, runAsUser: '_safe-npm', scriptUser: '_safe-npm-scripts' }, {
      lookup: (n) => (String(n).startsWith('_') ? undefined : users[String(n)]),
      createSystemUser: () => 'useradd: cannot lock /etc/passwd',
    });
    expect(fallback.install.name).toBe('nobody');
    expect(fallback.dedicated).toBe(false);
    expect(fallback.warnings[0]).toMatch(/could not create the install user "_safe-npm" \(useradd: cannot lock \/etc\/passwd\): using "nobody"/);
  });
});

describe('a registry that cannot be reached', () => {
  it('is recognised in npm\'s fetch log (connection-level codes only)', () => {
    expect(unreachableFrom('http', ['fetch', 'GET http://127.0.0.1:9/tb-a attempt 1 failed with ECONNREFUSED'])).toEqual({ code: 'ECONNREFUSED', url: 'http://127.0.0.1:9/tb-a' });
    expect(unreachableFrom('http', ['fetch', 'GET https://r.example/x attempt 2 failed with ENOTFOUND'])?.code).toBe('ENOTFOUND');
    expect(unreachableFrom('http', ['fetch', 'GET https://r.example/x attempt 1 failed with 503'])).toBeUndefined();
    expect(unreachableFrom('http', ['fetch', 'GET https://r.example/x attempt 1 failed with ETIMEDOUT'])).toBeUndefined();
    expect(unreachableFrom('warn', ['fetch', 'GET x attempt 1 failed with ECONNREFUSED'])).toBeUndefined();
    expect(originOf('http://user@127.0.0.1:9/a/b?c')).toBe('http://127.0.0.1:9/');
  });

  it('is reported once, through process log events', () => {
    const source = new EventEmitter();
    const seen: string[] = [];
    const stop = watchUnreachable(source, (u) => void seen.push(u.code));
    source.emit('log', 'http', 'fetch', 'GET http://x/a attempt 1 failed with ECONNREFUSED');
    source.emit('log', 'http', 'fetch', 'GET http://x/b attempt 1 failed with ECONNREFUSED');
    stop();
    expect(seen).toEqual(['ECONNREFUSED']);
  });
});

describe('our options win over the user\'s where they must', () => {
  it('--prefix goes last, before any --', () => {
    expect(withOption(['install', '-g', '--prefix', '/u', 'x'], '--prefix', '/p')).toEqual(['install', '-g', '--prefix', '/u', 'x', '--prefix', '/p']);
    expect(withOption(['exec', 'x', '--', '--prefix', 'y'], '--prefix', '/p')).toEqual(['exec', 'x', '--prefix', '/p', '--', '--prefix', 'y']);
  });
});
