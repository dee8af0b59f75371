/**
 * One install at a time per project. The lock is the kernel's: `flock(1)` on the project folder
 * itself (no lock file to leave behind or go stale), held by a small child that lives exactly as long
 * as our end of its stdin pipe: released when we are done, or when we die, whatever the cause.
 *
 * A second run waits, saying who holds the lock ("another safe-npm is installing here (pid N)"), and
 * gives up with exit 75 after `timeoutSeconds`. Where flock(1) is missing (not Linux), a lock folder
 * with the holder's pid stands in (a dead holder's folder is taken over).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { removeTree } from './fs-ownership.js';
import { join } from 'node:path';
import { SafeError } from '../core/errors.js';
import { redirectableAt } from './redirectable-path.js';
import { ExitCode } from '../core/exit-codes.js';
import { isAlive } from './child-group.js';

export interface ProjectLock {
  /** Release now, resolving once the lock is free (it is also freed when this process exits). */
  release(): Promise<void>;
}

export interface LockOptions {
  /** Called once when another run holds the lock (its pid when known), before waiting. */
  onWait(holderPid: number | undefined): void;
  timeoutSeconds: number;
  /** For tests: where flock(1) is looked for. */
  flockPaths?: string[];
}

const FLOCK_PATHS = ['/usr/bin/flock', '/bin/flock'];

export async function lockProject(dir: string, options: LockOptions): Promise<ProjectLock> {
  // A global prefix npm is about to create (`-g --prefix NEW`): made now, as npm would, so that the
  // lock is on the folder (flock(1) would otherwise create a file in its place).
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o755 });
  const flock = (options.flockPaths ?? FLOCK_PATHS).find((p) => existsSync(p));
  if (!flock) return lockWithFolder(dir, options);
  // flock(1) opens what it is given by path, creating a file there when nothing is: the folder's owner
  // could swap it for a link at that moment (to /etc/nologin, which root then created: attack trial).
  // So the folder is opened here, never through a link, and flock(1) is given that very folder
  // (/proc/<pid>/fd/N leads to the inode opened, whatever its path has become).
  const opened = openFolder(dir);
  try {
    const target = existsSync(`/proc/${process.pid}/fd/${opened}`) ? `/proc/${process.pid}/fd/${opened}` : dir;
    const first = await tryFlock(flock, target, ['--nonblock']);
    if (first.locked) return first.lock;
    options.onWait(holderOf(dir));
    const second = await tryFlock(flock, target, ['--timeout', String(Math.max(1, Math.round(options.timeoutSeconds)))]);
    if (second.locked) return second.lock;
    throw busy(dir, options.timeoutSeconds, holderOf(dir));
  } finally {
    // flock(1) holds the lock on its own descriptor from here on.
    closeSync(opened);
  }
}

/**
 * A descriptor of the folder `dir` itself. For root, a link in its place is followed only when nobody
 * but root can change it or the way to it (a global prefix reached by a link of root's); else refused (65).
 */
function openFolder(dir: string): number {
  try {
    return openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // (Not root: no one else's link can lead this process anywhere it could not go itself.)
    // (O_DIRECTORY|O_NOFOLLOW on a link says ENOTDIR or ELOOP, by kernel.)
    const isLink = (code === 'ELOOP' || code === 'ENOTDIR') && lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink();
    if (isLink && (process.geteuid?.() !== 0 || redirectableAt(dir) === undefined)) return openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    throw new SafeError(`cannot lock ${dir}: ${code === 'ELOOP' || code === 'ENOTDIR' ? 'it is not a folder (a link or a file is in its place)' : code ?? 'error'}; nothing was changed`, ExitCode.blocked);
  }
}

function busy(dir: string, seconds: number, pid: number | undefined): SafeError {
  return new SafeError(`another safe-npm is still installing in ${dir}${pid ? ` (pid ${pid})` : ''} after ${seconds}s of waiting; try again when it has finished`, ExitCode.busy);
}

type Attempt = { locked: true; lock: ProjectLock } | { locked: false };

/** Run `flock <dir> sh -c 'echo locked; exec cat'`: the lock is ours once "locked" is printed. */
function tryFlock(flock: string, dir: string, mode: string[]): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(flock, [...mode, '--conflict-exit-code', '75', '--exclusive', '--', dir, '/bin/sh', '-c', 'echo locked; exec cat >/dev/null'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      cwd: '/',
    });
    const exited = new Promise<void>((done) => {
      child.once('exit', () => done());
      child.once('error', () => done());
    });
    let out = '';
    let settled = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!settled && out.includes('locked')) {
        settled = true;
        // Our end of the pipe must not keep this process alive, nor be waited for.
        child.unref();
        (child.stdout as unknown as { unref?: () => void }).unref?.();
        (child.stdin as unknown as { unref?: () => void }).unref?.();
        resolve({
          locked: true,
          lock: {
            release() {
              // Waited for: the process stays alive until the lock is really free.
              child.ref();
              child.stdin!.end();
              return exited;
            },
          },
        });
      }
    });
    child.stdin!.on('error', () => {}); // the holder went away first: nothing to release
    child.on('error', (error) => {
      if (!settled) reject(error);
    });
    child.on('exit', (code) => {
      if (settled) return;
      settled = true;
      if (code === 75 || code === 1) resolve({ locked: false });
      else reject(new Error(`flock exited with ${code} while locking ${dir}`));
    });
  });
}

/**
 * The pid of the safe-npm holding the lock: /proc/locks names the flock(1) process holding a lock on
 * the folder's inode; its parent is the safe-npm that started it.
 */
export function holderOf(dir: string, procRoot = '/proc'): number | undefined {
  try {
    const inode = statSync(dir).ino;
    for (const line of readFileSync(join(procRoot, 'locks'), 'utf8').split('\n')) {
      // "1: FLOCK  ADVISORY  WRITE 12345 00:2f:1234 0 EOF"
      const m = /^\d+:\s+FLOCK\s+\S+\s+WRITE\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/.exec(line);
      if (!m || Number(m[2]) !== inode) continue;
      const stat = readFileSync(join(procRoot, m[1]!, 'stat'), 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return Number.isInteger(ppid) && ppid > 1 ? ppid : Number(m[1]);
    }
  } catch {
    // no /proc: the message goes without a pid
  }
  return undefined;
}

/** Without flock(1): a lock folder holding our pid; a dead holder's folder is taken over. */
async function lockWithFolder(dir: string, options: LockOptions): Promise<ProjectLock> {
  const path = join(dir, '.safe-npm.lock');
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  let told = false;
  for (;;) {
    try {
      mkdirSync(path, { mode: 0o700 });
      writeFileSync(join(path, 'pid'), String(process.pid));
      return { release: async () => removeTree(path) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(safeRead(join(path, 'pid')));
    if (!isAlive(holder)) {
      removeTree(path);
      continue;
    }
    if (!told) {
      told = true;
      options.onWait(holder);
    }
    if (Date.now() > deadline) throw busy(dir, options.timeoutSeconds, holder);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

