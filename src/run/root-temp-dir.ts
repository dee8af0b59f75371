/**
 * Root's temporary folders (staging areas, safe-pip's work folder, `safe approve`'s download) are
 * made with mkdtemp in TMPDIR and then written by path. In a TMPDIR another user can write (one of
 * theirs, or a shared folder without the sticky bit), they can rename root's new folder and put a
 * link to any folder of root's in its place: root then wrote a package.json, a lockfile and a package
 * into a root folder (attack trial). So root refuses such a TMPDIR before making anything in it.
 * /tmp (root's, sticky) is fine: there no one can rename what root made.
 */
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { UsageError } from '../core/errors.js';
import { describeRedirectable, redirectableAt } from './redirectable-path.js';

/** As root: a UsageError (64) when someone other than root could change the temp folder or the way to it. */
export function checkRootTempDir(isRoot = process.geteuid?.() === 0, dir = tmpdir()): void {
  if (!isRoot) return;
  let problem: string | undefined;
  try {
    const found = redirectableAt(dir);
    const st = statSync(dir);
    problem = found ? describeRedirectable(found) : st.uid !== 0 ? `${dir} (uid ${st.uid})` : (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0 ? `${dir} (writable by group or others, not sticky)` : undefined;
  } catch (error) {
    problem = `${dir} (${(error as NodeJS.ErrnoException).code ?? 'cannot be read'})`;
  }
  const advice = 'unset TMPDIR, or point it at a folder only root can write and every user can enter (mode 755 or 1777)';
  if (problem) throw new UsageError(`the temporary folder ${dir} is not root's alone: ${problem} can be changed by someone other than root, who could redirect what root makes there; ${advice}`);
  // The build users work in root's temp folders (their private areas are made there): a folder they
  // cannot enter ended the install in an internal error (a new-user trial, following the advice above).
  const st = statSync(dir);
  if ((st.mode & 0o001) === 0) throw new UsageError(`the temporary folder ${dir} (mode ${(st.mode & 0o7777).toString(8)}) cannot be entered by the users safe-npm builds as; ${advice}`);
}
