/**
 * A folder of one user's own for what only that user (and root) may write — kept code, kept
 * installs — at a path nobody else can redirect. Nothing is made until every folder above is known
 * safe: root's, or the user's, a real folder (no link), that nobody else writes (but a sticky folder
 * of root's, /tmp: others cannot rename what is not theirs). The folder itself: the user's, mode 700.
 */
import { lstatSync, mkdirSync, type Stats } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

/** $XDG_CACHE_HOME, else ~/.cache, when that is an absolute path; else undefined. */
export function userCacheHome(env: Record<string, string | undefined>): string | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  return base && isAbsolute(base) ? base : undefined;
}

/**
 * `dir`, made where missing (mode 700) as the calling process, when its whole path is safe for `uid`
 * (see above); undefined otherwise, or on any error. Another run may make a folder first (EEXIST):
 * it is then checked like any folder that was there.
 */
export function privateFolder(dir: string, uid: number): string | undefined {
  if (!isAbsolute(dir)) return undefined;
  const safe = (st: Stats, last: boolean) => st.isDirectory() && !st.isSymbolicLink()
    && (last ? st.uid === uid && (st.mode & 0o077) === 0 : (st.uid === uid || st.uid === 0) && ((st.mode & 0o022) === 0 || (st.uid === 0 && (st.mode & 0o1000) !== 0)));
  try {
    // From the root down: each existing folder checked before anything is made inside it.
    const parts = dir.split(sep).filter(Boolean);
    let path: string = sep;
    if (!safe(lstatSync(path), false)) return undefined;
    for (const [i, part] of parts.entries()) {
      path = join(path, part);
      const last = i === parts.length - 1;
      let st: Stats;
      try {
        st = lstatSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
        // Ours from here on: made private, never through a link.
        try {
          mkdirSync(path, { mode: 0o700 });
        } catch (raced) {
          if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
        }
        st = lstatSync(path);
      }
      if (!safe(st, last)) return undefined;
    }
    return dir;
  } catch {
    return undefined;
  }
}
