/**
 * Find the real npm / npx / pip on PATH (like `which -a`), never one of our own shims or bins, so that nothing
 * ever calls itself. Used on the passthrough fast path: node:fs and node:path only.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SafeError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { isWithin } from './within.js';

/** `pip3.11`-style names too: the pip shim runs under whichever pip name it was called. */
export type RealBinaryName = 'npm' | 'npx' | 'pip' | 'pip3' | `pip${number}` | `pip${number}.${number}`;

export interface FindRealBinaryOptions {
  /** The PATH to search (a `:`-separated list). */
  path: string | undefined;
  /** Extra directories to skip, typically `[env.SAFE_NPM_SHIM_DIR]`. Empty entries are ignored. */
  skipDirs?: ReadonlyArray<string | undefined>;
  /** This package's root (tests only): its bin/, shims/ and dist/ folders are always skipped. */
  packageRoot?: string;
}

/** This package's root folder: src/run/ and dist/run/ both sit two levels below it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}


/**
 * The first `name` on `path` that is not ours: skips candidates in the shim dir(s) and in this
 * package's bin/ and shims/, and any candidate whose realpath is one of our own files (a symlink
 * `~/bin/npm -> .../safe-npm/bin/safe-npm.js`). Throws a one-line SafeError when none is left.
 */
export function findRealBinary(name: RealBinaryName, options: FindRealBinaryOptions): string {
  const root = options.packageRoot ?? PACKAGE_ROOT;
  const ownDirs = ['bin', 'shims', 'dist'].map((d) => join(root, d));
  const skipDirs = [...(options.skipDirs ?? []), ...ownDirs].filter((d): d is string => !!d);
  const skipReal = new Set<string>();
  for (const d of skipDirs) {
    skipReal.add(d.replace(/\/+$/, '') || '/');
    const r = real(d);
    if (r) skipReal.add(r);
  }
  const ownReal = ownDirs.map((d) => real(d) ?? d);

  const candidates = searchPath(name, options.path);
  const skipped: string[] = [];
  for (const candidate of candidates) {
    const dir = dirname(candidate);
    const realDir = real(dir) ?? dir;
    const realFile = real(candidate);
    if (skipReal.has(dir) || skipReal.has(realDir) || !realFile) {
      skipped.push(candidate);
      continue;
    }
    if (skipReal.has(dirname(realFile)) || ownReal.some((d) => isWithin(realFile, d))) {
      skipped.push(candidate);
      continue;
    }
    return candidate;
  }
  const why = skipped.length ? ` (skipped our own: ${skipped.join(', ')})` : '';
  throw new SafeError(`cannot find the real ${name} on PATH${why}`, ExitCode.toolNotFound);
}

/**
 * Every executable `name` on `path`, in order (what `which -a` / which.sync({ all: true }) returns
 * on POSIX). Inlined rather than importing the `which` package: its CJS load costs ~5 ms on the
 * passthrough path. An empty PATH entry means the current directory; results are absolute so
 * that spawning one never triggers a second PATH lookup (which could land on a shim).
 */
export function searchPath(name: string, path: string | undefined): string[] {
  if (!path) return [];
  const found: string[] = [];
  for (const dir of path.split(delimiter)) {
    const file = resolve(dir || '.', name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
    } catch {
      continue;
    }
    if (!found.includes(file)) found.push(file);
  }
  return found;
}

/** PATH without the given directories (for children that must not see our shims). */
export function pathWithout(path: string | undefined, dirs: ReadonlyArray<string | undefined>): string {
  const drop = new Set<string>();
  for (const d of dirs) {
    if (!d) continue;
    drop.add(d.replace(/\/+$/, ''));
    const r = real(d);
    if (r) drop.add(r);
  }
  return (path ?? '')
    .split(delimiter)
    .filter((p) => !drop.has(p.replace(/\/+$/, '')) && !drop.has(real(p) ?? '\0'))
    .join(delimiter);
}
