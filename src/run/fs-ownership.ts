/** Ownership and permission helpers for handing folders to the build user and taking them back. */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** chown -R (symlinks themselves, never their targets). */
export function chownTree(path: string, uid: number, gid: number): void {
  const st = lstatSync(path);
  lchownSync(path, uid, gid);
  if (st.isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

/** chown -R to the owner and strip group/other write, so nobody but the owner can tamper. */
export function takeBackTree(path: string, uid: number, gid: number): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) {
    lchownSync(path, uid, gid);
    return;
  }
  chownSync(path, uid, gid);
  if (st.mode & 0o022) chmodSync(path, st.mode & 0o7755);
  if (st.isDirectory()) for (const entry of readdirSync(path)) takeBackTree(join(path, entry), uid, gid);
}

/**
 * Copy a tree as new root-owned files, modes kept minus group/other write and set-id bits, links
 * as links — with coreutils (`cp`, `chmod`), several times faster than a JavaScript walk on
 * node_modules. Returns false when they are not available (the caller copies itself).
 */
export function copyTreeAsRoot(from: string, to: string): boolean {
  const cp = spawnSync('cp', ['-R', '-P', '--preserve=mode', '--', from, to], { stdio: 'ignore' });
  if (cp.status !== 0) {
    rmSync(to, { recursive: true, force: true });
    return false;
  }
  const chmod = spawnSync('chmod', ['-R', 'go-w,ug-s', '--', to], { stdio: 'ignore' });
  if (chmod.status !== 0) {
    rmSync(to, { recursive: true, force: true });
    return false;
  }
  return true;
}
