/**
 * One writer at a time for the per-user store: every change is a read-modify-write of the whole
 * file (conf), so two runs that trust or approve at once would otherwise each write back what they
 * read and lose the other's entry.
 *
 * The lock is a file created with O_EXCL next to the store (mode 0600), holding the holder's pid and
 * a random token. A change holds it for milliseconds; a waiter retries every few ms (synchronously:
 * the store's API is synchronous) up to `timeoutMs`, then fails with one line. A lock whose holder
 * is dead (killed inside those milliseconds) is broken: renamed away first, so two waiters cannot
 * both break it, and released only by the token that took it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../core/errors.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): { pid: number; token: string } | undefined {
  try {
    const [pid, token] = readFileSync(path, 'utf8').split(' ');
    return { pid: Number(pid), token: token ?? '' };
  } catch {
    return undefined;
  }
}

/** Run `fn` holding the store's lock (`<store>.lock`). */
export function withStoreLock<T>(storePath: string, fn: () => T, options: { timeoutMs?: number } = {}): T {
  const lockPath = `${storePath}.lock`;
  const token = randomBytes(8).toString('hex');
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (let attempt = 0; ; attempt++) {
    let fd: number | undefined;
    try {
      fd = openSync(lockPath, 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // First write of a new user: the folder conf would create.
      if (code === 'ENOENT' && attempt === 0) {
        mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
        continue;
      }
      if (code !== 'EEXIST') throw error;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, `${process.pid} ${token}`);
      } finally {
        closeSync(fd);
      }
      break;
    }
    const holder = readLock(lockPath);
    if (holder && holder.token && !alive(holder.pid)) breakStale(lockPath, holder.token);
    if (Date.now() > deadline) {
      throw new ConfigError(`the safe-npm config ${storePath} stayed locked${holder ? ` by pid ${holder.pid}` : ''} for ${options.timeoutMs ?? 10_000} ms; try again (or remove ${lockPath} if no safe-npm/safe-pip is running)`);
    }
    sleep(Math.min(2 + attempt, 25));
  }
  try {
    return fn();
  } finally {
    // Ours only: a lock broken as stale and taken by another run is not removed by us.
    if (readLock(lockPath)?.token === token) {
      try {
        unlinkSync(lockPath);
      } catch { /* already gone */ }
    }
  }
}

/** Move a dead holder's lock away; if what was moved is not that lock (taken meanwhile), put it back. */
function breakStale(lockPath: string, staleToken: string): void {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // someone else broke it first
  }
  if (readLock(aside)?.token === staleToken) {
    unlinkSync(aside);
    return;
  }
  try {
    renameSync(aside, lockPath);
  } catch { /* its holder will find it gone and its own unlock does nothing */ }
}
