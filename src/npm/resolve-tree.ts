/**
 * Read-only views of a project's lockfiles: location → version/integrity maps to tell new or changed
 * packages from installed ones. (The tree `npm ci` installs is loaded by npm's engine, see arborist-worker.ts.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type { ResolvedNode } from './tree-nodes.js';
import type { InstalledEntries } from './tree-nodes.js';

/** location → version/integrity/resolved, from the first of these files that exists. */
export function lockEntries(projectDir: string, files: readonly string[]): InstalledEntries {
  const out: InstalledEntries = new Map();
  for (const file of files) {
    const path = join(projectDir, file);
    if (!existsSync(path)) continue;
    try {
      const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages?: Record<string, { version?: string; integrity?: string; resolved?: string }> };
      for (const [location, entry] of Object.entries(lock.packages ?? {})) {
        if (location && entry.version && !out.has(location)) {
          out.set(location, { version: entry.version, ...(entry.integrity ? { integrity: entry.integrity } : {}), ...(entry.resolved ? { resolved: entry.resolved } : {}) });
        }
      }
    } catch {
      // An unreadable lockfile means everything counts as new.
    }
    break;
  }
  return out;
}

/**
 * What is installed: npm's hidden lockfile, entry by entry as far as the folder says the same — its
 * package.json is there with that version. (npm itself trusts that file only when it is newer than
 * the folders; one planted in an empty node_modules, or listing a folder since deleted, says nothing.)
 */
export function installedEntries(projectDir: string): InstalledEntries {
  const listed = lockEntries(projectDir, [join('node_modules', '.package-lock.json')]);
  for (const [location, entry] of listed) {
    let version: unknown;
    try {
      version = (JSON.parse(readFileSync(join(projectDir, location, 'package.json'), 'utf8')) as { version?: unknown }).version;
    } catch {
      version = undefined;
    }
    if (version !== entry.version) listed.delete(location);
  }
  return listed;
}

/** What the project's lockfile says. */
export const lockedEntries = (projectDir: string) => lockEntries(projectDir, ['npm-shrinkwrap.json', 'package-lock.json']);
