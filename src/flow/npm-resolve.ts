/**
 * Stage "resolve" of safe-npm: how much of the tree is vetted, the release cooldown, and npm's own
 * engine resolving the whole tree (nothing written) — or, for npm ci, the project's lockfile.
 */
import { linkReifyOptions } from './npm-link.js';
import type { Settings } from '../config/settings.js';
import { ExitCode } from '../core/exit-codes.js';
import { sameInstallMode } from '../npm/install-mode.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import type { RegistryClient } from '../npm/npm-registry.js';
import type { ResolvedNode } from '../npm/tree-nodes.js';
import type { TreeInstall } from '../npm/tree-install.js';
import type { ArboristMethod } from '../npm/arborist-worker.js';
import { isLocalSpec, localSpecAt } from '../npm/local-spec.js';
import type { Spinner } from '../ui/spinner.js';
import { join, relative } from 'node:path';
import { registryFault, type FetchErrorLike } from '../npm/registry-faults.js';
import { neutralize, neutralizeLines } from '../ui/neutralize.js';
import type { NpmSession } from './npm-session.js';
import { offlineLookalikeLines, requestedRegistryNames } from './offline-name-stops.js';

export type TreeMode = 'none' | 'resolve' | 'lockfile';

/** What the cooldown asks of the resolver and the checks. */
export interface CooldownWindow {
  before?: Date;
  cooldownHours: number;
  cooldownExclude: string[];
}

/** The tree as npm will install it, and the packages for which no version was old enough. */
export interface ResolvedTree {
  nodes: ResolvedNode[];
  tooYoung: Array<{ name: string; wanted: string }>;
}

/**
 * How much of the tree we vet and install with npm's engine: `resolve` = npm's resolver computes the
 * tree and we install the vetted tree; `lockfile` = npm ci installs the existing lockfile, whose
 * entries we vet; `none` = the real npm installs (global, workspaces, exec: their trees are vetted
 * beside it, see vetsGlobalTree/vetsWorkspaceTree; link: see npm-link.ts).
 */
export function wholeTreeMode(invocation: NpmInvocation): TreeMode {
  if (invocation.global) return 'none';
  if (invocation.kind === 'ci' || invocation.kind === 'install-ci-test') return 'lockfile';
  if (invocation.workspaces !== false) return 'none';
  // npm uninstall / prune reify the whole ideal tree: what the project lacks is installed too, so it
  // is resolved and vetted like an install (`npm uninstall` with no name is npm's own usage error).
  if (invocation.kind === 'reify') return invocation.command === 'uninstall' && invocation.positionals.length === 0 ? 'none' : 'resolve';
  // npm dedupe re-resolves duplicated packages, npm audit fix moves vulnerable ones to fixed versions:
  // new versions (and what they bring), vetted like an install.
  if (invocation.kind === 'dedupe' || invocation.kind === 'audit-fix') return 'resolve';
  if (!['install', 'update', 'install-test'].includes(invocation.kind)) return 'none';
  return 'resolve';
}

/**
 * The folder npm's engine resolves in: the project, or for a global install the global prefix's
 * `lib` (where npm keeps global packages on POSIX systems: `<prefix>/lib/node_modules`), or an empty
 * folder standing in for a tree that is not there yet.
 */
export function treeDirOf(s: Pick<NpmSession, 'inv' | 'projectDir' | 'config' | 'emptyDir'>): string {
  return s.emptyDir?.path ?? (s.inv.global ? join(s.config.globalPrefix, 'lib') : s.projectDir);
}

/**
 * A global install or update of named packages (`npm i -g x`): npm installs the tree x brings, so
 * that tree is resolved (in global mode, nothing written) and vetted before the real npm installs it.
 */
export function vetsGlobalTree(inv: NpmInvocation): boolean {
  return inv.global && (inv.kind === 'install' || inv.kind === 'update') && inv.specs.length > 0;
}

/**
 * An install, update or removal in some workspaces (`npm i x -w a`): the real npm does it (it picks the
 * workspaces), after npm's engine has resolved the same command (nothing written) and what it adds
 * or changes has been vetted.
 */
export function vetsWorkspaceTree(inv: NpmInvocation): boolean {
  if (inv.global || inv.workspaces === false) return false;
  // uninstall / prune / dedupe in workspaces install what is missing there too (a bare uninstall is
  // npm's own usage error).
  if (inv.kind === 'reify') return inv.command !== 'uninstall' || inv.positionals.length > 0;
  // audit fix in some workspaces: resolved as a whole-project fix (npm's -w narrows which advisories it
  // fixes), so what is vetted holds all that npm's own -w fix can add.
  return inv.kind === 'install' || inv.kind === 'update' || inv.kind === 'install-test' || inv.kind === 'dedupe' || inv.kind === 'audit-fix';
}

/** The release cooldown applies where we resolve: new installs and updates, not a lockfile install. */
export function cooldownFor(mode: TreeMode, settings: Settings, now: Date): CooldownWindow {
  const hours = settings.minReleaseAgeHours;
  if (mode !== 'resolve' || hours <= 0) return { cooldownHours: 0, cooldownExclude: [] };
  return { before: new Date(now.getTime() - hours * 3_600_000), cooldownHours: hours, cooldownExclude: settings.cooldownExclude };
}

/**
 * npm's engine resolves `add` (as the build user, nothing written) — or, for npm ci, loads the
 * lockfile's tree and installs it into a staging copy while it is vetted. The early worker is used
 * when it fits.
 */
export function startResolve(s: NpmSession, add: string[], cooldown: CooldownWindow, mode: Exclude<TreeMode, 'none'>, opts: { resolveOnly?: boolean; onlyNew?: boolean } = {}): TreeInstall {
  const { deps, inv, config } = s;
  const worker = s.early && sameInstallMode(s.early.mode, s.mode) ? s.early : deps.spawnTreeWorker(s.mode, s.settings.cacheRoot);
  if (worker === s.early) s.early = undefined;
  const now = deps.now().getTime();
  const t = s.settings.thresholds;
  return worker.start({
    kind: mode === 'lockfile' ? 'ci' : 'install',
    // npm ci of some workspaces (-w): npm picks them; the lockfile is only vetted here. `safe check`
    // resolves only.
    installHere: inv.workspaces === false && !opts.resolveOnly,
    // A release younger than this is checked on its full registry document (publisher, scripts…).
    recentSince: new Date(now - Math.max(t.recentReleaseDays, t.newPackageDays, t.newVersionDays) * 86_400_000),
    projectDir: treeDirOf(s),
    // As npm's update command does: package.json is saved only when --save was given; dedupe never saves.
    // npm link's own save and prune rules for its install of links.
    options: {
      ...config.flat,
      ...((inv.kind === 'update' && config.isDefault('save')) || inv.kind === 'dedupe' ? { save: false } : {}),
      ...(inv.command === 'link' ? linkReifyOptions(config) : {}),
      // As npm's audit command constructs its arborist (lib/commands/audit.js).
      ...(inv.kind === 'audit-fix' ? { audit: true, fix: true } : {}),
    },
    cacheDir: s.cacheDir,
    add: inv.kind === 'update' ? [] : add.map((spec) => fromTree(spec, inv, treeDirOf(s))),
    update: inv.kind === 'update' ? (inv.specs.length ? inv.specs.map((sp) => sp.name ?? sp.raw) : true) : undefined,
    before: cooldown.before,
    cooldownExclude: s.settings.cooldownExclude,
    localFolders: inv.specs.filter(isLocalSpec).map((sp) => sp.fetchSpec),
    // An install vets only what is new or changed; `safe check` vets the whole tree.
    onlyNew: opts.onlyNew ?? (mode === 'resolve' && !opts.resolveOnly),
    rm: inv.kind === 'reify' && inv.command === 'uninstall' ? inv.positionals : undefined,
    method: methodOf(inv),
  });
}

/**
 * The whole tree: npm's resolution (its registry documents primed into ours) or the lockfile (npm ci).
 * A failure is how the run ends: 68 when the registry cannot be reached, 65 when a package is not found.
 */
export async function resolveTree(
  mode: Exclude<TreeMode, 'none'>,
  s: NpmSession,
  registry: RegistryClient,
  spinner: Spinner,
): Promise<ResolvedTree | number> {
  const { deps } = s;
  try {
    const resolved = await s.tree!.resolved;
    for (const [name, packument] of Object.entries(resolved.packuments)) registry.prime(name, packument);
    // Handed over: our registry is now their only holder, and lets them go after vetting (the
    // resolution itself is kept until the install, and would otherwise keep them to the end).
    resolved.packuments = {};
    deps.mark?.('tree resolved');
    return { nodes: resolved.nodes, tooYoung: resolved.tooYoung };
  } catch (error) {
    spinner.stop();
    const code = (error as { code?: string }).code;
    // npm ci's list of what is out of sync is the answer itself: all of it is said.
    const message = code === 'ELOCKSYNC' ? (error as Error).message : (error as Error).message.split('\n')[0];
    // A registry that failed (5xx, 429, timeout, broken or malformed answer) verified nothing: 68.
    const fault = code === 'EUNREACHABLE' ? message : registryFault(error as FetchErrorLike, 'metadata', String(registry.options.registry ?? s.config.flat.registry ?? ''));
    if (fault) {
      deps.stderr(`safe-npm: ${neutralize(fault)}; nothing was changed\n`);
      // A requested name one slip from a popular package is known without the registry: said, and blocked.
      const lookalikes = offlineLookalikeLines(requestedRegistryNames(s.inv), deps.popular());
      for (const line of lookalikes) deps.stderr(`safe-npm: ${neutralize(line)}\n`);
      return lookalikes.length > 0 ? ExitCode.blocked : ExitCode.couldNotVerify;
    }
    deps.stderr(`safe-npm: npm could not resolve the dependency tree: ${neutralizeLines(message)}\nsafe-npm: nothing was changed\n`);
    return code === 'E404' ? ExitCode.blocked : 1;
  }
}

/**
 * npm ci: the registry documents for the new entries of the lockfile, fetched by npm's engine while
 * it installs the tree into the staging copy. Returns how the run ends when they cannot be had.
 */
export async function lockfileDocuments(s: NpmSession, registry: RegistryClient, changed: readonly ResolvedNode[], spinner: Spinner): Promise<number | undefined> {
  try {
    const docs = await s.tree!.docs(changed.filter((n) => n.registry));
    for (const [name, packument] of Object.entries(docs)) registry.prime(name, packument);
    return undefined;
  } catch (error) {
    spinner.stop();
    const code = (error as { code?: string }).code;
    const fault = code === 'EUNREACHABLE' ? (error as Error).message.split('\n')[0]! : registryFault(error as FetchErrorLike, 'metadata', String(s.config.flat.registry ?? ''));
    s.deps.stderr(`safe-npm: ${neutralize(fault ?? (error as Error).message.split('\n')[0]!)}; nothing was changed\n`);
    return fault ? ExitCode.couldNotVerify : 1;
  }
}

/** The arborist method whose own tree is vetted: npm's dedupe, prune and audit fix reify what it computes. */
function methodOf(inv: NpmInvocation): ArboristMethod | undefined {
  if (inv.kind === 'dedupe') return 'dedupe';
  if (inv.kind === 'audit-fix') return 'audit';
  return inv.kind === 'reify' && inv.command === 'prune' ? 'prune' : undefined;
}

/**
 * A folder or tarball spec as npm's engine must read it where it resolves (the tree's folder, or its
 * staging copy): npm reads `../x` from where the command was typed, which may be a subfolder, or
 * for `-g` not the tree at all. The path is made relative to the tree: a staging copy keeps that layout.
 */
export function fromTree(spec: string, inv: Pick<NpmInvocation, 'specs'>, treeDir: string): string {
  const typed = inv.specs.find((sp) => sp.raw === spec);
  return isLocalSpec(typed) ? localSpecAt(typed, relative(treeDir, typed.fetchSpec) || '.') : spec;
}
