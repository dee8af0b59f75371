/**
 * `npm uninstall <pkg>` / `npm prune` in one's own project: nothing new is vetted (a removal adds no
 * package), so npm's own command runs in this process — no second node start, no engine of ours —
 * with scripts off and under the project lock, as fast as npm itself.
 *
 * - An ordinary user in their own project: npm runs as they would run it.
 * - Root in a root-owned project: the same, guarded (`removal-guard.ts`): when npm's engine would
 *   write a package (the lockfile brings back one that is missing, a link to make) or fetch anything
 *   but registry documents, it is stopped before it does and the command goes through the whole
 *   flow, where npm's engine runs as the install identity in a staging copy. Only a project laid out
 *   as npm lays it out goes this way (`plainLayout`: no symlink on the way to a package, lockfiles
 *   that are root's regular files, no workspaces, no .npmrc of its own), with no dependency from
 *   git or a URL.
 *
 * Everything else (root in someone else's project, -g, workspaces, --prefix, a project inside a
 * larger one, a commit journal left to repair) goes through the whole flow.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { JOURNAL } from '../npm/commit-project.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { nearestPackageRoot } from '../npm/nearest-package-root.js';
import { guardRemovalOnly } from '../npm/removal-guard.js';
import { withScriptsOff } from '../npm/run-npm-install.js';
import { runNpmInProcess } from '../run/npm-in-process.js';
import { exitCodeForSignal } from '../run/passthrough.js';
import { lockProject } from '../run/project-lock.js';

/** Set for the whole flow a guarded removal handed over to: it must not take this path again. */
export const WHOLE_FLOW_ENV = 'SAFE_NPM_WHOLE_FLOW';

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** The project folder when the fast path applies, else undefined. */
export function removesInPlace(inv: NpmInvocation, cwd: string, env: Record<string, string | undefined>, euid: number | undefined, cliScript?: string): string | undefined {
  if (euid === undefined || env[WHOLE_FLOW_ENV]) return undefined;
  if (inv.kind !== 'reify' || inv.global || inv.workspaces !== false) return undefined;
  if (inv.cliConfig.prefix !== undefined || env.npm_config_prefix || env.NPM_CONFIG_PREFIX) return undefined;
  const project = nearestPackageRoot(cwd);
  if (!project) return undefined;
  // npm would take a parent project as the root when this one is its workspace: the whole flow decides.
  for (let dir = dirname(project); dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return undefined;
  if (existsSync(join(project, JOURNAL))) return undefined;
  if (euid === 0 && !(ownedByRoot(project) && plainLayout(project) && onlyRegistryAndFolderSpecs(project, cliScript))) return undefined;
  return project;
}

/** The project, and its node_modules when there is one, are root's (not a user's project root works in). */
function ownedByRoot(project: string): boolean {
  try {
    if (statSync(project).uid !== 0) return false;
    const modules = join(project, 'node_modules');
    return !existsSync(modules) || statSync(modules).uid === 0;
  } catch {
    return false;
  }
}

const isRootsRegularFile = (path: string): boolean => {
  try {
    const st = lstatSync(path);
    return st.isFile() && st.uid === 0 && st.nlink === 1;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
};

/**
 * npm run as root writes and removes only along paths that are what they seem, or the whole flow
 * runs (where npm's engine cannot write outside its staging copy). package.json and the lockfiles are
 * root's own regular files (npm writes through a symlink, and a hard link is another file too); every
 * folder npm walks to reach a package — node_modules, @scope folders, package folders and their own
 * node_modules — is a real folder of root's: a planted `a/node_modules -> /usr/lib/node_modules` would
 * have npm remove root's global packages through it. Links npm makes (bins in .bin) may point
 * anywhere: a removal only unlinks them. Linked packages (local folders, workspaces) go to the whole
 * flow too: npm links and chmods their bins through whatever they hold.
 */
function plainLayout(project: string): boolean {
  if (!['package.json', 'package-lock.json', 'npm-shrinkwrap.json'].every((f) => isRootsRegularFile(join(project, f)))) return false;
  // The project's own npm configuration (where npm writes its cache and logs, which git to run…) is
  // part of its content: the whole flow reads it as the install identity, not as root.
  if (existsSync(join(project, '.npmrc')) || isSymlink(join(project, '.npmrc'))) return false;
  const modules = join(project, 'node_modules');
  if (!existsSync(modules)) return true;
  return isRootsFolder(modules) && isRootsRegularFile(join(modules, '.package-lock.json')) && plainModules(modules);
}

function isRootsFolder(path: string): boolean {
  try {
    const st = lstatSync(path);
    return st.isDirectory() && st.uid === 0;
  } catch {
    return false;
  }
}

/** A node_modules folder: its packages (and @scopes) are root's real folders, recursively. */
function plainModules(modules: string): boolean {
  let entries;
  try {
    entries = readdirSync(modules, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    const path = join(modules, entry.name);
    // npm ignores dot folders (caches of build tools), but .bin is where it unlinks removed bins.
    if (entry.name.startsWith('.')) {
      if (entry.name === '.bin' && !isRootsFolder(path)) return false;
      continue;
    }
    if (entry.isSymbolicLink()) return false;
    if (!entry.isDirectory()) continue;
    if (entry.name.startsWith('@')) {
      if (!isRootsFolder(path)) return false;
      let scoped;
      try {
        scoped = readdirSync(path, { withFileTypes: true });
      } catch {
        return false;
      }
      for (const inner of scoped) {
        if (inner.isSymbolicLink()) return false;
        if (inner.isDirectory() && !plainPackage(join(path, inner.name))) return false;
      }
    } else if (!plainPackage(path)) return false;
  }
  return true;
}

function plainPackage(folder: string): boolean {
  if (!isRootsFolder(folder)) return false;
  const nested = join(folder, 'node_modules');
  if (!existsSync(nested) && !isSymlink(nested)) return true;
  return isRootsFolder(nested) && plainModules(nested);
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Every dependency of the project is a registry spec (range, version, tag, alias of one) or a local
 * folder (a link): none whose manifest npm would have to fetch from git or a URL, or unpack from a
 * tarball, while it plans. Read with npm's own npm-package-arg (npm loads it anyway).
 */
function onlyRegistryAndFolderSpecs(project: string, cliScript: string | undefined): boolean {
  if (!cliScript) return false;
  try {
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
    // Workspaces are links in node_modules, with their own dependencies: the whole flow.
    if (manifest.workspaces !== undefined) return false;
    type Parsed = { type: string; subSpec?: Parsed };
    const npa = createRequire(cliScript)('npm-package-arg') as { resolve(name: string, spec: string, where: string): Parsed };
    const plain = (p: Parsed): boolean => ['range', 'version', 'tag', 'directory'].includes(p.type) || (p.type === 'alias' && !!p.subSpec && plain(p.subSpec));
    for (const field of DEPENDENCY_FIELDS) {
      const deps = manifest[field];
      if (deps === undefined) continue;
      if (typeof deps !== 'object' || deps === null) return false;
      for (const [name, spec] of Object.entries(deps)) {
        if (typeof spec !== 'string' || !plain(npa.resolve(name, spec, project))) return false;
      }
    }
    return true;
  } catch {
    return false;
  }
}

export interface RemoveInPlaceContext {
  /** This command as typed (after `node safe-npm.js`), and the entry script: for the hand-over. */
  argv: readonly string[];
  entryScript: string;
}

/**
 * Lock the project, then hand the process to npm (it exits by itself; the lock goes with us).
 * False, before anything is locked or run, when root's run cannot be guarded: the whole flow runs.
 */
export async function removeInPlace(inv: NpmInvocation, project: string, cliScript: string, env: Record<string, string | undefined>, proc: NodeJS.Process, context: RemoveInPlaceContext): Promise<boolean> {
  const envAsGiven = { ...env };
  // flock(1) starts while arborist loads below (a few tens of milliseconds in parallel).
  const locking = lockProject(project, {
    timeoutSeconds: Number(env.SAFE_NPM_LOCK_TIMEOUT ?? 600) || 600,
    onWait: (pid) => void proc.stderr.write(`safe-npm: another safe-npm is installing here${pid ? ` (pid ${pid})` : ''}; waiting for it to finish\n`),
  });
  if (proc.geteuid?.() === 0) {
    const guarded = guardRemovalOnly(cliScript, async () => {
      await (await locking).release();
      return handOver(context, envAsGiven, proc);
    });
    if (!guarded) {
      await (await locking).release();
      return false;
    }
  }
  await locking;
  // Scripts stay off whatever an .npmrc says: the environment and the first argument both say so.
  proc.env.npm_config_ignore_scripts = 'true';
  runNpmInProcess(cliScript, withScriptsOff(inv.npmArgs), proc);
  return true;
}

/**
 * npm's engine stopped before writing anything: run the command again through the whole flow (same
 * arguments, the environment as it was given, the terminal shared) and leave with its exit code.
 */
async function handOver(context: RemoveInPlaceContext, env: Record<string, string | undefined>, proc: NodeJS.Process): Promise<never> {
  // npm's progress line stops while the other run owns the terminal (npm's own pause, for prompts).
  (proc.emit as (event: string, ...args: unknown[]) => boolean)('input', 'start');
  const child = spawn(proc.execPath, [context.entryScript, ...context.argv], { stdio: 'inherit', env: { ...env, [WHOLE_FLOW_ENV]: '1' } });
  // A Ctrl-C or a hang-up reaches the whole process group (the child too); a SIGTERM may be ours alone.
  const ignore = () => {};
  const forwardTerm = () => void child.kill('SIGTERM');
  proc.on('SIGINT', ignore);
  proc.on('SIGHUP', ignore);
  proc.on('SIGTERM', forwardTerm);
  const code = await new Promise<number>((resolve) => {
    child.once('error', (error) => {
      proc.stderr.write(`safe-npm: cannot run ${context.entryScript}: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? exitCodeForSignal(signal) : 1)));
  });
  // npm's exit handler would report that it was never called: this run's outcome is the child's.
  proc.removeAllListeners('exit');
  proc.exit(code);
}
