/**
 * `npm link <pkg|folder>…` in a project. npm does two things (lib/commands/link.js): each package not
 * yet in the global folder is installed there (a global install, with the tree it brings), then the
 * project is reified with `file:` links to those global folders — which, like any install, also
 * installs whatever else the project lacks. Both are vetted here: the global part is our own
 * `install -g` (a run of its own: its whole tree checked, root's handed over), the local part goes
 * on through the flow as the install of links it is.
 */
import { join, resolve } from 'node:path';
import { SafeError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { NpmConfig } from '../npm/npm-config.js';
import type { NpmInvocation, NpmSpecRequest } from '../npm/npm-invocation.js';
import type { NpmSession } from './npm-session.js';
import { shellWord } from '../ui/shell-word.js';

/** A link of named packages or folders into a project (not `npm link` alone, which links the project out). */
export function linksIntoProject(inv: NpmInvocation): boolean {
  return inv.kind === 'link' && !inv.global && inv.specs.length > 0;
}

/**
 * The global part first (only what the global folder lacks, as npm decides it: by name; a folder is
 * always linked again), then the session becomes the install of links into the project.
 * A number: how the run ends (the global install failed or was stopped).
 */
export async function linkGlobalsFirst(s: NpmSession): Promise<number | undefined> {
  const { deps, inv } = s;
  // npm refuses a global link of packages (ELINKGLOBAL), however global was set: its own error.
  if (s.config.get('global') === true) return undefined;
  // Links into workspaces would go through npm's own link command, whose global half it runs itself.
  if (inv.workspaces !== false) throw new UsageError(`npm link into workspaces is not vetted by safe-npm: link in the project without -w/--workspaces, or install the package into the workspace (${deps.ownCommand} install <pkg> -w <workspace>)`);
  const unnamed = inv.specs.find((sp) => sp.type !== 'directory' && !sp.name);
  if (unnamed) throw new UsageError(`npm link takes package names or folders: ${unnamed.raw} has no name to link by (install it instead: ${deps.ownCommand} install ${shellWord(unnamed.raw)})`);
  if (!deps.runSelf || !deps.linkTarget) throw new UsageError('npm link of packages is not available here');
  const present = new Set(deps.installedGlobalPackages?.(s.config.globalPrefix) ?? []);
  // Root links a folder into the project only: its global link would put a project folder (anyone's
  // code) into the system prefix.
  const folderDirectly = deps.euid === 0;
  const missing = inv.specs.filter((sp) => (sp.type === 'directory' ? !folderDirectly : !present.has(sp.name!)));
  if (missing.length > 0) {
    const code = await installGlobally(s, missing);
    if (code !== ExitCode.ok) return code;
  }
  const globalTop = join(s.config.globalPrefix, 'lib', 'node_modules');
  const links = inv.specs.map((sp): NpmSpecRequest => {
    const name = sp.type === 'directory' ? deps.linkTarget!(sp.fetchSpec!)?.name : sp.name!;
    if (!name) throw new UsageError(`${sp.raw} has no package.json with a name: there is nothing to link`);
    // Where the link leads, as npm's engine takes it: the real folder (a global link of a folder is
    // followed to the folder itself).
    const folder = deps.linkTarget!(sp.type === 'directory' && folderDirectly ? sp.fetchSpec! : join(globalTop, name))?.path;
    if (!folder) throw new SafeError(`${name} is not in ${globalTop} after its global install: there is nothing to link`, 1);
    return { raw: `file:${folder}`, type: 'directory', name, fetchSpec: folder, fromRegistry: false };
  });
  const folders = inv.specs.filter((sp) => sp.type === 'directory' && folderDirectly).map((sp) => sp.fetchSpec!);
  if (folders.length) deps.stderr(`safe-npm: linked into the project only: npm's global link of ${folders.join(', ')} (in ${s.config.globalPrefix}) is not made — as root it would put a project folder into the global prefix\n`);
  s.inv = { ...inv, kind: 'install', specs: links };
  return undefined;
}

/** `npm link` alone: the project itself linked into the global folder. */
export function linksProjectOut(inv: NpmInvocation): boolean {
  return inv.kind === 'link' && !inv.global && inv.specs.length === 0 && inv.workspaces === false;
}

/**
 * Root's `npm link` alone is npm's `install -g <project folder>` (lib/commands/link.js linkPkg): it is
 * that, as our own run (root's global installs go through a private prefix and are handed over; npm
 * as the build user could not write the global folder, nor knew which one was meant).
 */
export async function linkProjectGlobally(s: NpmSession): Promise<number> {
  if (!s.deps.runSelf) throw new UsageError('npm link is not available here');
  // Vetted as any `install -g <folder>` is: a local folder is said, not asked (non-registry-source);
  // what else that run would bring in is asked about as usual.
  return installGlobally(s, [{ raw: s.projectDir, type: 'directory', fetchSpec: s.projectDir, fromRegistry: false }]);
}

/** The global half: our own `install -g` of what the global folder lacks, as a run of its own. */
async function installGlobally(s: NpmSession, missing: readonly NpmSpecRequest[]): Promise<number> {
  const { deps, inv } = s;
  // With --prefix the global prefix is the project folder itself: its lock is the global half's.
  const sameFolder = s.lock !== undefined && resolve(s.config.globalPrefix) === resolve(s.projectDir);
  if (sameFolder) await s.lock!.release();
  const code = await deps.runSelf!(globalInstallArgs(s.npmArgs, inv, missing), ownFlagsEnv(inv));
  if (code === ExitCode.ok && sameFolder) {
    const lock = (s.lock = await deps.lockProject(s.projectDir));
    deps.interrupts.onInterrupt(() => lock.release());
  }
  return code;
}

/**
 * npm link saves to package.json only when asked (lib/commands/link.js): --save given, or a save type.
 * It keeps what the project has that the lockfile does not (prune: false).
 */
export function linkReifyOptions(config: Pick<NpmConfig, 'get' | 'isDefault'>): { save: boolean; prune: false } {
  const save = (!config.isDefault('save') && config.get('save') === true)
    || ['save-optional', 'save-peer', 'save-dev', 'save-prod'].some((key) => config.get(key) === true);
  return { save, prune: false };
}

/** `install --global <missing specs>` with every flag as typed (`link` → `install`, other positionals out). */
export function globalInstallArgs(npmArgs: readonly string[], inv: NpmInvocation, missing: readonly NpmSpecRequest[]): string[] {
  const positionalAt = new Set(inv.positionalIndexes ?? []);
  const commandAt = npmArgs.indexOf(inv.typedCommand ?? '');
  const flags = npmArgs.filter((_, i) => i !== commandAt && !positionalAt.has(i));
  return ['install', '--global', ...flags, ...missing.map((sp) => sp.raw)];
}

/** Our own flags travel in the environment (npmArgs no longer holds them). */
function ownFlagsEnv(inv: NpmInvocation): Record<string, string> {
  return {
    ...(inv.ownFlags.yes ? { SAFE_NPM_YES: '1' } : {}),
    ...(inv.ownFlags.strictScripts ? { SAFE_NPM_STRICT_SCRIPTS: '1' } : {}),
  };
}
