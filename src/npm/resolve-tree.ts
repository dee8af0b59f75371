/**
 * Read-only views of a project's lockfiles: the tree `npm ci` will install (npm's own lockfile
 * loader), and location → version/integrity maps to tell new or changed packages from installed ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { collectNodes, type ArboristNode, type ResolvedNode } from './tree-nodes.js';

const require = createRequire(import.meta.url);

export type { ResolvedNode } from './tree-nodes.js';

/** The project's lockfile as a tree (for npm ci): nothing resolved, nothing written. */
export async function loadLockedTree(projectDir: string, options: Record<string, unknown>): Promise<ResolvedNode[]> {
  const Arborist = require('@npmcli/arborist');
  const tree = (await new Arborist({ ...options, path: projectDir }).loadVirtual()) as ArboristNode;
  return collectNodes(tree);
}

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
