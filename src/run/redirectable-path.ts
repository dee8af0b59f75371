/**
 * Whether someone other than root could change where a path leads — rename a folder on the way and
 * put another (or a link) in its place — and where. Root writes a project, a global prefix or a copy
 * of a tarball by path, at one moment and again later; if another user can redirect the path in
 * between, root writes (or reads) where they chose (attack trial of 2026-12-02: a root-owned project
 * in a folder `nobody` owns was swapped for a link to another root folder, whose package.json and
 * node_modules root then replaced).
 *
 * Nobody but root can redirect a path when every folder on the way is root's and not writable by
 * group or others — or sticky (`/tmp`), with root's entry in it — and every link on the way is such
 * an entry, leading to such a path. The last entry itself may be anyone's (a project folder a user
 * owns cannot be moved by them out of a folder they cannot write).
 */
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Redirectable {
  /** The folder, link or entry someone else could change. */
  at: string;
  /** Who: the uid of its owner, or 'group or others' for a folder they may write. */
  by: number | 'group or others';
}

const MAX_LINKS = 40;

/** Undefined when nobody but root can change where `path` leads (see the header); else where someone can. */
export function redirectableAt(path: string): Redirectable | undefined {
  let rest = resolve(path).split('/').filter(Boolean);
  let current = '/';
  let holder = lstatSync('/');
  let links = 0;
  const folderProblem = (at: string, st: Stats): Redirectable | undefined => {
    if (st.uid !== 0) return { at, by: st.uid };
    if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return { at, by: 'group or others' };
    return undefined;
  };
  const atRoot = folderProblem('/', holder);
  if (atRoot) return atRoot;
  while (rest.length > 0) {
    const name = rest.shift()!;
    const next = join(current, name);
    const st = lstatSync(next, { throwIfNoEntry: false });
    const stickyOpen = (holder.mode & 0o022) !== 0;
    // Not there: whoever may create entries in its folder could make it (in a sticky folder anyone).
    if (!st) return stickyOpen ? { at: current, by: 'group or others' } : undefined;
    // In a sticky folder others may write, the owner of an entry may rename or remove it.
    if (stickyOpen && st.uid !== 0) return { at: next, by: st.uid };
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) return { at: next, by: st.uid };
      rest = [...resolve(current, readlinkSync(next)).split('/').filter(Boolean), ...rest];
      current = '/';
      holder = lstatSync('/');
      continue;
    }
    if (rest.length === 0) return undefined;
    if (!st.isDirectory()) return { at: next, by: st.uid };
    const problem = folderProblem(next, st);
    if (problem) return problem;
    current = next;
    holder = st;
  }
  return undefined;
}

/** "…/home (uid 65534)" or "…/shared (writable by group or others)". */
export function describeRedirectable(r: Redirectable): string {
  return `${r.at} (${typeof r.by === 'number' ? `uid ${r.by}` : 'writable by group or others'})`;
}
