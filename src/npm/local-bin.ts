/**
 * npm exec's own shortcut (libnpmexec): `npx <name> …` with no --package, where <name> is a bin in
 * node_modules/.bin of the project or a folder above it, runs that bin and installs nothing. Such a
 * command goes straight to the real npm: there is nothing to vet, and it must cost what npx costs.
 * Next in npm's order comes its global bin folder (`runsGlobalBinOnly`): the entry reads npm's config to
 * find that folder, and the flow reuses what it read when the command goes on to install.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { NpmInvocation } from './npm-invocation.js';

/** Config that changes where npm looks or what it installs: then the full path decides. */
const changesLookup = ['package', 'call', 'prefix', 'workspace', 'workspaces', 'global', 'location', 'include-workspace-root'];

/** The bin name of `npx <name>` as npm looks it up (no --package, nothing that moves the lookup). */
export function bareBinName(invocation: NpmInvocation): string | undefined {
  if (invocation.kind !== 'exec' || !invocation.exec || invocation.exec.command !== undefined) return undefined;
  if (invocation.exec.packages.length !== 1 || changesLookup.some((k) => k in invocation.cliConfig)) return undefined;
  const name = invocation.exec.packages[0]!.raw;
  // A spec with a version, a scope or a path is never a bin name npm looks up locally.
  return /^[A-Za-z0-9._-][A-Za-z0-9._+-]*$/.test(name) ? name : undefined;
}

export function runsLocalBinOnly(invocation: NpmInvocation, cwd: string): boolean {
  const name = bareBinName(invocation);
  if (!name) return false;
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '.bin', name))) return true;
    if (dirname(dir) === dir) return false;
  }
}

/**
 * npm exec's next stop when no project bin matched: its global bin folder. `npx <name>` where
 * `<global prefix>/bin/<name>` is a file runs that and installs nothing (`npx corepack` runs the
 * global corepack, not the registry's) — unless the project's own package.json declares a bin of
 * that name: npm then installs the project itself into its npx cache, so the full path decides.
 */
export function runsGlobalBinOnly(invocation: NpmInvocation, localPrefix: string, globalPrefix: string): boolean {
  const name = bareBinName(invocation);
  // npm looks there only when the project is not the global prefix itself (lib/commands/exec.js).
  if (!name || resolve(localPrefix) === resolve(globalPrefix) || mayDeclareBin(join(localPrefix, 'package.json'), name)) return false;
  try {
    return statSync(join(globalPrefix, 'bin', name)).isFile();
  } catch {
    return false;
  }
}

/** Whether a package.json declares bin `name` (as pacote reads it: a string is the unscoped package name); unreadable: maybe. */
function mayDeclareBin(path: string, name: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; bin?: unknown };
    if (typeof pkg.bin === 'string') return typeof pkg.name === 'string' && pkg.name.replace(/^@[^/]+\//, '') === name;
    return pkg.bin !== null && typeof pkg.bin === 'object' && Object.hasOwn(pkg.bin, name);
  } catch {
    return true;
  }
}
