/**
 * npm exec's own shortcut (libnpmexec): `npx <name> …` with no --package, where <name> is a bin in
 * node_modules/.bin of the project or a folder above it, runs that bin and installs nothing. Such a
 * command goes straight to the real npm: there is nothing to vet, and it must cost what npx costs.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NpmInvocation } from './npm-invocation.js';

/** Config that changes where npm looks or what it installs: then the full path decides. */
const changesLookup = ['package', 'call', 'prefix', 'workspace', 'workspaces', 'global', 'location', 'include-workspace-root'];

export function runsLocalBinOnly(invocation: NpmInvocation, cwd: string): boolean {
  if (invocation.kind !== 'exec' || !invocation.exec || invocation.exec.command !== undefined) return false;
  if (invocation.exec.packages.length !== 1 || changesLookup.some((k) => k in invocation.cliConfig)) return false;
  const name = invocation.exec.packages[0]!.raw;
  // A spec with a version, a scope or a path is never a bin name npm looks up locally.
  if (!/^[A-Za-z0-9._-][A-Za-z0-9._+-]*$/.test(name)) return false;
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '.bin', name))) return true;
    if (dirname(dir) === dir) return false;
  }
}
