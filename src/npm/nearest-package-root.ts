/**
 * npm's local prefix rule, cheaply (without loading npm's config): the nearest folder with a
 * package.json or node_modules, or undefined when there is none up to the file system root.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function nearestPackageRoot(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
