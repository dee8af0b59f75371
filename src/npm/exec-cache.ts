/**
 * Root's npx / npm exec: the vetted packages are installed as the install identity (scripts off) into
 * a private prefix, then handed to root. Like npx's own cache, that prefix is kept and reused for
 * the same exact packages, so a second `npx x@1.2.3` runs at once instead of installing again
 * (the check of what is requested still runs every time).
 *
 * Kept only for exact registry versions (`name@1.2.3`: their content cannot change), in a folder
 * of root's own (mode 700, root's, not a link), one entry per set of packages and registry.
 */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { isAbsolute, join, sep } from 'node:path';

/** `name@1.2.3` or `@scope/name@1.2.3-rc.1`: an exact registry version. */
const EXACT = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/i;
const COMPLETE = '.complete';

/**
 * The cache folder (created mode 700), or undefined when there is none safe to use. Nothing is
 * created until every folder above is known safe: root's, or ours, a real folder (no link), that
 * nobody else writes (but a sticky folder of root's, /tmp: others cannot rename what is not theirs).
 * A HOME kept from another user under sudo, or a relative path, gives none.
 */
export function execCacheDir(env: Record<string, string | undefined>, euid: number): string | undefined {
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  if (!base || !isAbsolute(base)) return undefined;
  const dir = join(base, 'safe-npm', 'npx');
  const safe = (st: Stats, last: boolean) => st.isDirectory() && !st.isSymbolicLink()
    && (last ? st.uid === euid && (st.mode & 0o077) === 0 : (st.uid === euid || st.uid === 0) && ((st.mode & 0o022) === 0 || (st.uid === 0 && (st.mode & 0o1000) !== 0)));
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
        // Ours from here on: made private (the cache's own folders), never through a link.
        mkdirSync(path, { mode: 0o700 });
        st = lstatSync(path);
      }
      if (!safe(st, last)) return undefined;
    }
    return dir;
  } catch {
    return undefined;
  }
}

/** The entry for these packages from this registry; undefined unless every one is an exact version. */
export function execCacheKey(specs: readonly string[], registry: string): string | undefined {
  if (specs.length === 0 || !specs.every((s) => EXACT.test(s))) return undefined;
  return createHash('sha256').update(JSON.stringify({ specs: [...specs].sort(), registry })).digest('hex').slice(0, 24);
}

/** The kept prefix for this entry, when one was completed. */
export function cachedPrefix(dir: string, key: string): string | undefined {
  const entry = join(dir, key);
  return existsSync(join(entry, COMPLETE)) ? join(entry, 'prefix') : undefined;
}

/**
 * Keep a prefix just installed (already root's) under this entry; returns where it now is. A move
 * only: on another file system, or when a concurrent run kept one first, the prefix stays where it
 * is (and goes with its temporary area).
 */
export function keepPrefix(dir: string, key: string, prefix: string): string {
  const entry = join(dir, key);
  const partial = join(dir, `.${key}-${process.pid}`);
  try {
    mkdirSync(partial, { mode: 0o700 });
    renameSync(prefix, join(partial, 'prefix'));
  } catch {
    rmSync(partial, { recursive: true, force: true });
    return prefix;
  }
  writeFileSync(join(partial, COMPLETE), '');
  try {
    renameSync(partial, entry);
    return join(entry, 'prefix');
  } catch {
    // Kept by a concurrent run meanwhile: use theirs, drop ours.
    const theirs = cachedPrefix(dir, key);
    if (!theirs) return join(partial, 'prefix');
    rmSync(partial, { recursive: true, force: true });
    return theirs;
  }
}

/**
 * An ordinary user's npx installs into npm's own cache (`<cache>/_npx/<hash>/`, its package.json
 * naming the packages as given under `_npx.packages`). Whether npm will install anything there is
 * its decision; this only says whether a folder for exactly these specs already holds exactly these
 * versions (then npm runs it as it is, and the tree it holds was there before). Any doubt: false.
 */
export function npxCacheHolds(npmCache: string, specs: readonly string[], versions: ReadonlyArray<{ name: string; version: string }>): boolean {
  const root = join(npmCache, '_npx');
  const wanted = JSON.stringify([...specs].sort());
  let dirs: string[];
  try {
    dirs = readdirSync(root);
  } catch {
    return false;
  }
  for (const dir of dirs) {
    try {
      const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { _npx?: { packages?: unknown } };
      const given = pkg._npx?.packages;
      if (!Array.isArray(given) || JSON.stringify(given.map(String).sort()) !== wanted) continue;
      return versions.every(({ name, version }) => {
        const installed = JSON.parse(readFileSync(join(root, dir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown };
        return installed.version === version;
      });
    } catch {
      continue;
    }
  }
  return false;
}
