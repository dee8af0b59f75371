/** Ownership and permission helpers for handing folders to the build user and taking them back. */
import { chmodSync, chownSync, lchownSync, lstatSync, readdirSync } from 'node:fs';
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
