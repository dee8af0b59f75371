/**
 * Root's own folders of safe-npm / safe-pip — the store (settings, trusted packages, script
 * approvals), the known-malicious feed, the bypass log — are found from XDG_CONFIG_HOME,
 * XDG_CACHE_HOME, XDG_STATE_HOME or HOME, which `sudo -E` keeps as the invoking user's. Whoever can
 * change such a folder decides for root: trusts a package, approves its scripts, empties the feed,
 * or puts a link where root appends. As root, such a folder is not used (each caller says how).
 */
import { statSync } from 'node:fs';
import { describeRedirectable, redirectableAt } from './redirectable-path.js';

/** As root: who else could change `dir` or the way to it ("/home/u (uid 1000)"); undefined when nobody. */
export function foreignRootFolder(dir: string, isRoot = process.geteuid?.() === 0): string | undefined {
  if (!isRoot) return undefined;
  try {
    const found = redirectableAt(dir);
    if (found) return describeRedirectable(found);
    // The way is root's; the folder itself (where files are put and replaced) must be too.
    const st = statSync(dir, { throwIfNoEntry: false });
    if (!st) return undefined;
    if (st.uid !== 0) return `${dir} (uid ${st.uid})`;
    if ((st.mode & 0o022) !== 0) return `${dir} (writable by group or others)`;
    return undefined;
  } catch (error) {
    return `${dir} (${(error as NodeJS.ErrnoException).code ?? 'cannot be read'})`;
  }
}

/** The one change that gives root its own folder again: the variable that led there, else HOME. */
export function rootFolderAdvice(variable: string, env: Record<string, string | undefined>): string {
  return env[variable] ? `unset ${variable} (sudo -E keeps yours)` : 'give root its own HOME (sudo -H, not sudo -E)';
}
