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
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { removeTree } from '../run/fs-ownership.js';
import { privateFolder, userCacheHome } from '../run/private-folder.js';

/** `name@1.2.3` or `@scope/name@1.2.3-rc.1`: an exact registry version. */
const EXACT = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/i;
const COMPLETE = '.complete';

/**
 * The cache folder (created mode 700), or undefined when there is none safe to use (privateFolder:
 * root's, a real folder at a path nobody else can change). A HOME kept from another user under sudo,
 * or a relative path, gives none.
 */
export function execCacheDir(env: Record<string, string | undefined>, euid: number): string | undefined {
  const base = userCacheHome(env);
  return base ? privateFolder(join(base, 'safe-npm', 'npx'), euid) : undefined;
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
    removeTree(partial);
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
    removeTree(partial);
    return theirs;
  }
}

/**
 * The folder of npm's own npx cache that `npm exec` uses for these packages, as libnpmexec names it
 * (lib/index.js: sha512 of the specs as given — a folder spec by its resolved path — sorted and
 * joined by newlines, first 16 hex digits). libnpmexec exports no function for it.
 */
export function npxCacheFolder(npmCache: string, specs: ReadonlyArray<{ raw: string; folder?: string }>): string {
  const hash = createHash('sha512')
    .update(specs.map((s) => s.folder ?? s.raw).sort((a, b) => a.localeCompare(b, 'en')).join('\n'))
    .digest('hex')
    .slice(0, 16);
  return join(npmCache, '_npx', hash);
}

/**
 * What npx's cache folder for these packages means for the vetting: `held` — it lists only them and
 * holds exactly these versions (npm installs nothing); `foreign` — its package.json names other
 * dependencies (npm would install those along with them, unvetted); `new` — anything else (npm
 * installs there what was vetted in an empty folder).
 */
export function npxCacheState(folder: string, versions: ReadonlyArray<{ name: string; version: string }>, localTargets: readonly string[] = []): 'held' | 'foreign' | 'new' {
  let pkg: { dependencies?: Record<string, unknown> };
  try {
    pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as typeof pkg;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'new' : 'foreign';
  }
  const names = new Set(versions.map((v) => v.name));
  // A tarball or folder that was asked for: npm saves it as `file:` relative to this folder (its name
  // is known only from inside it). Its second run was refused as "other packages" (a trial).
  const asked = (spec: unknown) => typeof spec === 'string' && spec.startsWith('file:') && localTargets.includes(resolve(folder, spec.slice('file:'.length)));
  if (Object.entries(pkg.dependencies ?? {}).some(([name, spec]) => !names.has(name) && !asked(spec))) return 'foreign';
  const held = versions.every(({ name, version }) => {
    try {
      return (JSON.parse(readFileSync(join(folder, 'node_modules', name, 'package.json'), 'utf8')) as { version?: unknown }).version === version;
    } catch {
      return false;
    }
  });
  return held ? 'held' : 'new';
}
