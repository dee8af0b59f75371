/** Ownership and permission helpers for handing folders to the build user and taking them back. */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, constants, copyFileSync, existsSync, fchmodSync, fchownSync, lchownSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** coreutils from the system's own folders (never a PATH lookup: root's PATH may lead anywhere). */
function coreutil(name: string): string {
  for (const dir of ['/usr/bin', '/bin']) {
    try {
      if (lstatSync(join(dir, name))) return join(dir, name);
    } catch { /* next */ }
  }
  return `/usr/bin/${name}`;
}

/**
 * A coreutils call that finishes whatever happens at the terminal: started in a session of its own
 * (setsid), a Ctrl-C sent to our process group does not stop it half way through a tree.
 */
function runTool(name: string, args: string[]): number | null {
  const setsid = ['/usr/bin/setsid', '/bin/setsid'].find((p) => existsSync(p));
  const [bin, argv] = setsid ? [setsid, [coreutil(name), ...args]] : [coreutil(name), args];
  return spawnSync(bin, argv, { stdio: 'ignore' }).status;
}

/**
 * Removes a tree that may lie in a folder another user can write (the project's, when root commits
 * or cleans up there) with coreutils' `rm -rf`: it walks by descriptors and never follows a link, so
 * a folder swapped for a link while it runs is not entered. Node's rmSync walked by path: the folder's
 * owner swapped a subfolder for a link to any folder mid-walk, and root deleted that folder (attack
 * trial F1). Where no `rm` can be run, Node removes it only in a folder no one but root can write;
 * elsewhere it is left, and said by the caller's next step (a rename onto it fails).
 */
export function removeTree(path: string): void {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (!st) return;
  // A file or a link: one unlink, which never follows.
  if (!st.isDirectory()) {
    rmSync(path, { force: true });
    return;
  }
  if (runTool('rm', ['-rf', '--one-file-system', '--', path]) === 0 && !existsNoFollow(path)) return;
  const holder = lstatSync(dirname(path), { throwIfNoEntry: false });
  if (process.geteuid?.() !== 0 || (holder && holder.uid === 0 && (holder.mode & 0o022) === 0)) rmSync(path, { recursive: true, force: true });
}

/**
 * chown -R (symlinks themselves, never their targets), of a tree root made: its contents first, each
 * folder last — a folder handed over first let its new owner swap what was in it for a link, and the
 * walk went on by path into wherever that led.
 */
export function chownTree(path: string, uid: number, gid: number): void {
  const st = lstatSync(path);
  if (st.isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
  lchownSync(path, uid, gid);
}

/** chown -R to the owner and strip group/other write, so nobody but the owner can tamper. */
export function takeBackTree(path: string, uid: number, gid: number): void {
  // coreutils first: they walk by descriptors and never follow a link, even one swapped in mid-walk
  // (the tree was another user's until now, and a process of theirs may still run).
  if (runTool('chown', ['-R', '-h', '-P', `${uid}:${gid}`, '--', path]) === 0 && runTool('chmod', ['-R', 'go-w,ug-s', '--', path]) === 0) return;
  takeBackTreeByPath(path, uid, gid);
}

function takeBackTreeByPath(path: string, uid: number, gid: number): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) {
    lchownSync(path, uid, gid);
    return;
  }
  chownSync(path, uid, gid);
  // Never set-id: a file the other user made set-uid would be root's after the chown.
  if (st.mode & 0o6022) chmodSync(path, st.mode & 0o1755);
  if (st.isDirectory()) for (const entry of readdirSync(path)) takeBackTreeByPath(join(path, entry), uid, gid);
}

/**
 * Copy a tree as new root-owned files, modes kept minus group/other write and set-id bits, links
 * as links — with coreutils (`cp`, `chmod`), several times faster than a JavaScript walk on
 * node_modules. Returns false when they are not available (the caller copies itself).
 */
export function copyTreeAsRoot(from: string, to: string): boolean {
  if (runTool('cp', ['-R', '-P', '--preserve=mode', '--', from, to]) !== 0) {
    rmSync(to, { recursive: true, force: true });
    return false;
  }
  if (runTool('chmod', ['-R', 'go-w,ug-s', '--', to]) !== 0) {
    rmSync(to, { recursive: true, force: true });
    return false;
  }
  return true;
}

/**
 * Hand a tree over in place: chown -R (links themselves, never their targets) to `uid:gid`, strip
 * group/other write and set-id bits. For a staged tree whose writer has exited and runs no other
 * code (the dedicated install identity), this replaces a copy.
 */
export function handOverTree(path: string, uid: number, gid: number): void {
  // Not root: the tree is already the invoking user's own (and chown to another group is not theirs to do).
  if (process.geteuid?.() !== 0) return;
  const done = runTool('chown', ['-R', '-h', `${uid}:${gid}`, '--', path]) === 0 && runTool('chmod', ['-R', 'go-w,ug-s', '--', path]) === 0;
  if (!done) takeBackTree(path, uid, gid);
}

/**
 * Copy a tree as new files owned by `uid:gid` (never the writer's inodes: a process of that user may
 * still hold one open), without group/other write and set-id bits; links stay links.
 */
export function copyTreeAs(from: string, to: string, uid: number, gid: number, seam: { whileFilling?(): void } = {}): void {
  if (uid === 0 && gid === 0 && process.geteuid?.() === 0 && copyTreeAsRoot(from, to)) return;
  const strip = (mode: number) => mode & 0o755;
  const own = (path: string, link = false) => {
    if (uid === 0 && gid === 0) return; // we are root: new files are root's already
    if (link) lchownSync(path, uid, gid);
    else chownSync(path, uid, gid);
  };
  const walk = (src: string, dest: string, mode: number, made = false) => {
    // Root's own (mode 700) until it is filled: handed to its owner first, the owner could plant a
    // link in it that root's next write would follow.
    if (!made) mkdirSync(dest, { mode: 0o700 });
    for (const entry of readdirSync(src, { withFileTypes: true })) {
      const s = join(src, entry.name);
      const d = join(dest, entry.name);
      if (entry.isDirectory()) walk(s, d, lstatSync(s).mode);
      else if (entry.isSymbolicLink()) {
        symlinkSync(readlinkSync(s), d);
        own(d, true);
      } else if (entry.isFile()) {
        copyFileSync(s, d);
        chmodSync(d, strip(lstatSync(s).mode));
        own(d);
      }
      // sockets, fifos, devices: not part of an npm install; not copied
    }
    chmodSync(dest, strip(mode));
    own(dest);
  };
  if (process.geteuid?.() !== 0) {
    walk(from, to, lstatSync(from).mode);
    return;
  }
  // (process.chdir is the main thread's only; safe-npm commits there.)
  if (!isMainThread) throw new Error('a tree is handed over from the main thread only');
  // The top folder is made in the project's folder, which its owner can write: between root's mkdir
  // and its writes they could rename it away and put a link to any folder in its place, and root
  // would write (and chown to them) there. So root works from inside the folder it made, by relative
  // paths from its working directory — an inode a rename cannot redirect — and only once it has
  // checked that it is in the folder it made. (`from` is root's private staging copy: absolute is safe.)
  const source = resolve(from);
  mkdirSync(to, { mode: 0o700 });
  const made = lstatSync(to);
  const back = workingDirectory();
  process.chdir(to);
  try {
    const here = lstatSync('.');
    if (!made.isDirectory() || made.uid !== 0 || here.ino !== made.ino || here.dev !== made.dev) {
      throw new Error(`${to} was replaced while it was being made; nothing was written into it`);
    }
    // (Tests swap the folder here, as its owner could at any moment from now on.)
    seam.whileFilling?.();
    walk(source, '.', lstatSync(source).mode, true);
  } finally {
    process.chdir(back);
  }
}

/**
 * A new file at `path` with these bytes, mode and (given) owner — never written through whatever is
 * at that path: O_EXCL fails on anything there, a link included, and the owner and mode are set on
 * the open file. For root writing into a folder another user can write (they can put a link there
 * at any moment, to a file of root's that root would overwrite and hand to them).
 */
export function writeNewFile(path: string, bytes: Uint8Array, mode: number, owner?: { uid: number; gid: number }): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeFileSync(fd, bytes);
    if (owner) fchownSync(fd, owner.uid, owner.gid);
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/** The working directory to come back to (`/` when it was removed under us). */
function workingDirectory(): string {
  try {
    return process.cwd();
  } catch {
    return '/';
  }
}

/** Whether a path exists, without following a final symlink (a dangling link exists). */
export function existsNoFollow(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `src` mirrored at `dest` with hard links for files (cp -al) — folders new and owned by `uid:gid`,
 * symlinks re-made as its own — so that a build user can add, move and remove entries but not write
 * the linked files. Files it could not read, and npm's hidden lockfile (written in place), are copies.
 * Returns false (nothing left behind) when links cannot be made.
 */
export function linkTree(src: string, dest: string, uid: number, gid: number): boolean {
  if (runTool('cp', ['-R', '-P', '-l', '--', src, dest]) !== 0) {
    rmSync(dest, { recursive: true, force: true });
    return false;
  }
  const walk = (dir: string) => {
    lchownSync(dir, uid, gid);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isSymbolicLink()) {
        // A hard-linked symlink shares its inode with the project's: re-made, it is a new one.
        const target = readlinkSync(path);
        rmSync(path);
        symlinkSync(target, path);
        lchownSync(path, uid, gid);
      } else if (entry.isFile()) {
        const st = lstatSync(path);
        if (entry.name === '.package-lock.json' || (st.mode & 0o004) === 0) {
          rmSync(path);
          copyFileSync(join(src, relativeTo(dest, path)), path);
          lchownSync(path, uid, gid);
        }
      }
    }
  };
  walk(dest);
  return true;
}

function relativeTo(base: string, path: string): string {
  return path.slice(base.length + 1);
}
