/**
 * Whether an unprivileged user can reach a folder: every folder on the way must let that user
 * search it (the owner's, the group's or everyone's x bit, by who the user is). The script user
 * runs with its primary group only (supplementary groups are dropped).
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The first folder on the way to `path` (itself included) that `user` cannot enter, or undefined. */
export function firstClosedFolder(path: string, user: { uid: number; gid: number }): { path: string; mode: number } | undefined {
  const chain: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of chain) {
    const closed = closedFolderAt(p, user);
    if (closed) return closed;
  }
  return undefined;
}

/** `path` itself, when `user` cannot enter it (its own mode alone, not the folders on the way). */
export function closedFolderAt(path: string, user: { uid: number; gid: number }): { path: string; mode: number } | undefined {
  const st = statSync(path);
  const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
  return (st.mode & bit) === 0 ? { path, mode: st.mode & 0o7777 } : undefined;
}
