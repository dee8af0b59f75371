/**
 * Read-only views of a project's lockfiles: location → version/integrity maps to tell new or changed
 * packages from installed ones. (The tree `npm ci` installs is loaded by npm's engine, see arborist-worker.ts.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type { ResolvedNode } from './tree-nodes.js';

/** location → version/integrity, from the first of these files that exists. */
export function lockEntries(projectDir: string, files: readonly string[]): Map<string, { version: string; integrity?: string }> {
  const out = new Map<string, { version: string; integrity?: string }>();
  for (const file of files) {
    const path = join(projectDir, file);
    if (!existsSync(path)) continue;
    try {
      const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages?: Record<string, { version?: string; integrity?: string }> };
      for (const [location, entry] of Object.entries(lock.packages ?? {})) {
        if (location && entry.version && !out.has(location)) out.set(location, { version: entry.version, integrity: entry.integrity });
      }
    } catch {
      // An unreadable lockfile means everything counts as new.
    }
    break;
  }
  return out;
}

/** What is installed: npm's hidden lockfile. */
export const installedEntries = (projectDir: string) => lockEntries(projectDir, [join('node_modules', '.package-lock.json')]);
/** What the project's lockfile says. */
export const lockedEntries = (projectDir: string) => lockEntries(projectDir, ['npm-shrinkwrap.json', 'package-lock.json']);
