/** `safe-npm safe list --project`: what the nearest project's package.json#allowScripts lets run. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readRegularFile } from '../../run/user-files.js';
import { describeAllowScripts, readAllowScripts } from './approvals.js';

export function listProjectApprovals(cwd: string): string[] {
  let dir = cwd;
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) return [`no package.json in ${cwd} or above`];
    dir = dirname(dir);
  }
  const file = join(dir, 'package.json');
  let pkg: unknown;
  try {
    pkg = JSON.parse(readRegularFile(file, { what: 'the project\'s package.json' }));
  } catch (error) {
    if ((error as { exitCode?: number }).exitCode) throw error;
    return [`${file} is not valid JSON`];
  }
  const allowScripts = readAllowScripts(pkg);
  const lines = describeAllowScripts(allowScripts);
  return [`install script approvals in ${file} (allowScripts):`, ...(lines.length ? lines : ['  (none)'])];
}
