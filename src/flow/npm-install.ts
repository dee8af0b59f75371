/**
 * THE safe-npm install flow, as its table of contents:
 *   session (store, who runs npm, npm's engine started early) → locate the project (config, lock,
 *   cache) → resolve (npm's engine, nothing written) ∥ check the requested packages → decide/prompt
 *   → check the whole tree → decide/prompt (strict: unapproved scripts stop here) → install exactly
 *   that → replay vetted scripts → exit code.
 * Every side effect comes in through `NpmFlowDeps` (npm-session.ts), so unit tests drive it with
 * fakes; each stage lives in a small sibling and returns data (or how the run ends: an exit code).
 */
import { SafeError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { runsGlobalBinOnly } from '../npm/local-bin.js';
import { missingLocalSpec } from '../npm/local-spec.js';
import type { RegistryClient } from '../npm/npm-registry.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import type { ResolvedNode } from '../npm/tree-nodes.js';
import type { TreeInstall } from '../npm/tree-install.js';
import { sayCooldown } from './decision-stages.js';
import { checkRequested, checkTree, nameVetted, requestedSpecs } from './npm-checks.js';
import { decideRequested, decideTransitive, rewriteArgs } from './npm-decide.js';
import { execWithoutInstalling, installTree, replaceCommand, replayScripts, runExec, runNpmItself, runTests } from './npm-finish.js';
import { refuseUnapprovedScripts } from './npm-strict.js';
import { linkGlobalsFirst, linkProjectGlobally, linksIntoProject, linksProjectOut } from './npm-link.js';
import { cooldownFor, lockfileDocuments, resolveTree, startResolve, treeDirOf, vetsGlobalTree, vetsWorkspaceTree, wholeTreeMode, type CooldownWindow, type TreeMode } from './npm-resolve.js';
import type { NpmFlowDeps, NpmSession } from './npm-session.js';
import { closeSession, locateProject, openSession } from './npm-who.js';
import { newOrChanged } from './whole-tree.js';

export type { AfterInstallContext, ExecContext, NpmFlowDeps } from './npm-session.js';
export { installSummary } from './npm-finish.js';
export { rewriteArgs } from './npm-decide.js';
export { wholeTreeMode } from './npm-resolve.js';

/** npm's exit code for a file it could not find (errno ENOENT, as npm exits with it). */
const NPM_ENOENT = 254;

export async function npmInstallFlow(invocation: NpmInvocation, deps: NpmFlowDeps): Promise<number> {
  const session = await openSession(invocation, deps);
  try {
    return await vetAndInstall(session);
  } finally {
    await closeSession(session);
  }
}

async function vetAndInstall(s: NpmSession): Promise<number> {
  await locateProject(s);
  const ended = await otherCommandFirst(s);
  if (ended !== undefined) return ended;
  const { deps, inv } = s;
  // `rebuild` installs nothing: it is our vetted script replay, never npm's (which runs everything as us).
  if (inv.kind === 'rebuild') {
    const code = await replayScripts(s);
    // npm's own last line (lib/commands/rebuild.js), printed whatever the loglevel.
    if (code === ExitCode.ok) deps.stdout('rebuilt dependencies successfully\n');
    return code;
  }
  // A bin npm finds in its global folder: npm runs that, installs nothing — as the user, unvetted.
  if (isExec(inv) && runsGlobalBinOnly(inv, s.projectDir, s.config.globalPrefix)) return runExec(s, { asInvoker: true });

  // `npm install` with nothing named and no package.json: npm's own ENOENT (254), said in one line.
  const bare = (inv.kind === 'install' || inv.kind === 'install-test' || inv.kind === 'update') && !inv.global && inv.specs.length === 0;
  if (bare && deps.hasPackageJson && !deps.hasPackageJson(s.projectDir)) {
    throw new SafeError(`no package.json in ${s.projectDir}: npm ${inv.command ?? 'install'} with no package named installs a project, and there is none here (npm init -y makes one)`, NPM_ENOENT);
  }
  // A bare `update -g` would update every global package with nothing named to vet: they are named.
  if (inv.global && inv.command === 'update' && inv.specs.length === 0) {
    const names = deps.installedGlobalPackages?.(s.config.globalPrefix) ?? [];
    // The command as typed (its --prefix too), with the names added.
    const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
    if (names.length) throw new UsageError(`update -g without names would update every global package unvetted; name the ones to update (each is vetted): ${deps.ownCommand} ${[...s.npmArgs, ...names].map(quote).join(' ')}`);
  }
  // npm's resolver starts right away, as the build user, while the requested packages are checked.
  const treeMode = wholeTreeMode(inv);
  const cooldown = cooldownFor(treeMode, s.settings, deps.now());
  const requested = requestedSpecs(s);
  const missing = installsSpecs(inv) ? requested.map(missingLocalSpec).find(Boolean) : undefined;
  if (missing) throw new UsageError(missing);
  // Root's -g and npx: a named tarball is read by npm's engine (vetted), then by the real npm (installed):
  // both read a private copy, so that what another user swaps in between is not what goes in.
  const tarballs = s.mode.kind !== 'self' && (inv.global || isExec(inv)) && deps.copyTarballs ? requested.filter((r) => r.type === 'file' && r.fetchSpec) : [];
  if (tarballs.length) {
    const copies = await deps.copyTarballs!(s.buildUser, tarballs.map((r) => r.fetchSpec!));
    s.tarballCopies = copies;
    // A Ctrl-C ends the run without closing the session: the copies go then too.
    deps.interrupts.onInterrupt(() => copies.remove());
    tarballs.forEach((r, i) => (r.fetchSpec = copies.paths[i]));
  }
  s.specs = requested.map((r) => r.raw);
  deps.mark?.('config loaded');
  if (treeMode !== 'none') s.tree = startResolve(s, s.specs, cooldown, treeMode);
  else if (vetsGlobalTree(inv) || vetsWorkspaceTree(inv)) s.tree = startResolveBeside(s);
  deps.mark?.('resolver started');
  if (s.tree && requested.length === 0) warmNameIndexWhenAllIsNew(s);
  // Packages named here are fetched by us; a tree's documents come from npm's engine (pacote unneeded).
  let registry = requested.length > 0 || s.tree ? await deps.createRegistry(s.config, s.cacheDir, requested.length > 0 ? 'now' : 'when-needed') : undefined;

  if (isExec(inv) && s.config.get('yes') === false) {
    const refused = await execWithoutInstalling(s, registry);
    if (refused !== 'kept') return refused;
  }
  // npm link's links lead to the global folder's packages (installed by our own vetted run, or there
  // before): nothing to check in them; the tree of the project around them is.
  if (requested.length > 0 && inv.command !== 'link') {
    const stop = await vetRequested(s, registry!, cooldown);
    if (stop !== undefined) return stop;
  }
  if (isExec(inv) && deps.runExec) {
    const stop = await vetExecTree(s, registry!);
    return stop ?? runExec(s);
  }
  // Root's global install: npm installs into the private prefix while the tree is vetted (as a
  // project's staging copy is installed), and the packages are handed over only if it passed.
  const globalVetting = vetsGlobalTree(inv) && s.mode.kind === 'staging-global' ? vetResolvedOnly(s, registry!) : undefined;
  if (!globalVetting && (vetsGlobalTree(inv) || vetsWorkspaceTree(inv))) {
    const stop = await vetResolvedOnly(s, registry!);
    if (stop !== undefined) return stop;
  }

  let changed: Set<string> | undefined;
  if (treeMode !== 'none') {
    const vetted = await vetWholeTree(treeMode, s, registry!, cooldown.before);
    if (typeof vetted === 'number') return vetted;
    const refused = s.strictScripts && !deps.interactive ? await refuseUnapprovedScripts(vetted, s, registry!) : undefined;
    if (refused !== undefined) return refused;
    changed = new Set(vetted.map((n) => n.location));
  }
  if (s.tree && treeMode === 'lockfile' && inv.workspaces !== false) {
    // npm ci of some workspaces (-w): the lockfile was vetted by npm's engine; npm ci picks and installs.
    await s.tree.cancel();
    s.tree = undefined;
    if (inv.kind === 'install-ci-test') s.npmArgs = replaceCommand(s.npmArgs, inv, 'ci');
  }

  // Everything is vetted: npm installs next, and that is where the whole run peaks. Nothing after this
  // reads a registry document (the script replay fetches its own publish times), so the documents go
  // with the registry that holds them, the name tables too, and the garbage is collected meanwhile.
  // (A root's global install is still being vetted beside npm: its documents are let go with the run.)
  registry = undefined;
  if (!globalVetting) deps.vettingDone?.();

  const written = globalVetting
    ? await runNpmItself(s, changed, globalVetting.then((stop) => stop === undefined, () => false))
    : s.tree ? await installTree(s, changed) : await runNpmItself(s, changed);
  const stopped = await globalVetting;
  if (stopped !== undefined) return stopped;
  if (typeof written === 'number') return written;
  const replayed = await replayScripts(s, written);
  if (replayed !== ExitCode.ok) return replayed;
  if ((inv.kind === 'install-test' || inv.kind === 'install-ci-test') && deps.runNpmTest) return runTests(s);
  return written.exitCode ?? ExitCode.ok;
}

/**
 * What a command is before it is an install: npm's own refusal (audit fix needs a lockfile: EUSAGE
 * without package-lock, ENOLOCK without the file; nothing written), root's `npm link` alone (our own
 * `install -g` of the project folder), and `npm link x` (x into the global folder first, by our own
 * vetted global install; the session then is the install of the links). A number ends the run.
 */
async function otherCommandFirst(s: NpmSession): Promise<number | undefined> {
  if (s.inv.kind === 'audit-fix' && (s.config.get('package-lock') === false || s.deps.hasLockfile?.(s.projectDir) === false)) {
    const refused = await runNpmItself(s, undefined);
    return typeof refused === 'number' ? refused : ExitCode.ok;
  }
  if (linksProjectOut(s.inv) && s.deps.euid === 0 && s.config.get('global') !== true) return linkProjectGlobally(s);
  return linksIntoProject(s.inv) ? linkGlobalsFirst(s) : undefined;
}

/**
 * Commands the real npm runs (`-g x`, `-w a`): npm's engine resolves the same command first, nothing
 * written — a global one in the global prefix, in global mode — and its tree is checked (for `-w`,
 * what it adds or changes) before the real npm's result is used. No cooldown, which the real npm
 * would not apply. (npm resolves again then: a release published in those seconds could differ.)
 */
function startResolveBeside(s: NpmSession): TreeInstall {
  // A prefix with no global package yet (`--prefix` of a new folder): the same as an empty one.
  if (s.inv.global && s.deps.folderExists && !s.deps.folderExists(treeDirOf(s))) useEmptyDir(s);
  return startResolve(s, s.specs, { cooldownHours: 0, cooldownExclude: [] }, 'resolve', { resolveOnly: true, onlyNew: !s.inv.global });
}

/** An empty folder (readable by the build user) for npm's engine to resolve in. */
function useEmptyDir(s: NpmSession): void {
  s.emptyDir ??= s.deps.emptyFolder?.();
}

/**
 * exec / npx: the tree the vetted packages bring, resolved as npm will install it into an empty
 * prefix (root's private one, or npx's cache folder), all of it checked before the real npm installs
 * it. Not when nothing will be installed: root's prefix of those exact packages kept from an earlier
 * run, or npx's cache already holding those versions for those specs (their tree was there before).
 */
async function vetExecTree(s: NpmSession, registry: RegistryClient): Promise<number | undefined> {
  const specs = s.specs.map((spec) => s.vetted?.get(spec)?.spec ?? spec);
  if (specs.length === 0) return undefined;
  if (s.mode.kind === 'self') {
    const versions = [...(s.vetted?.values() ?? [])].flatMap((p) => {
      const at = p.spec.lastIndexOf('@');
      return p.name && at > 0 ? [{ name: p.name, version: p.spec.slice(at + 1) }] : [];
    });
    const npmCache = String(s.config.get('cache') ?? '');
    const given = s.specs.map((raw) => {
      const p = s.inv.exec?.packages.find((x) => x.raw === raw);
      return p?.type === 'directory' && p.fetchSpec ? { raw, folder: p.fetchSpec } : { raw };
    });
    // Tarballs and folders asked for, by the path npm saves them under (relative to its folder).
    const localTargets = (s.inv.exec?.packages ?? []).flatMap((p) => ((p.type === 'file' || p.type === 'directory') && p.fetchSpec ? [p.fetchSpec] : []));
    const cached = npmCache ? s.deps.npxCacheState?.(npmCache, given, versions, localTargets) : undefined;
    // Held: only when every package's version is known (a git or folder spec is vetted each time).
    if (cached?.state === 'held' && versions.length === specs.length) return undefined;
    // npm would install into a folder that names other packages too: those would go in unvetted.
    if (cached?.state === 'foreign') throw new SafeError(`npx's cache folder for ${specs.join(' ')} (${cached.folder}) names other packages than these in its package.json; remove that folder, then run again`, ExitCode.blocked);
  } else if (s.deps.execTreeKept?.(specs, String(s.config.flat.registry ?? ''))) {
    return undefined;
  }
  useEmptyDir(s);
  s.tree = startResolve(s, specs, { cooldownHours: 0, cooldownExclude: [] }, 'resolve', { resolveOnly: true });
  return vetResolvedOnly(s, registry);
}

/** Vet the tree npm's engine resolved (nothing installed by it); the real npm installs afterwards. */
async function vetResolvedOnly(s: NpmSession, registry: RegistryClient): Promise<number | undefined> {
  try {
    const vetted = await vetWholeTree('resolve', s, registry, undefined);
    return typeof vetted === 'number' ? vetted : undefined;
  } finally {
    await s.tree?.cancel();
    s.tree = undefined;
  }
}

const isExec = (inv: NpmInvocation) => inv.kind === 'exec' || inv.kind === 'init';
/** Commands whose specs are packages to install (an uninstall may name a folder that is gone). */
const installsSpecs = (inv: NpmInvocation) => isExec(inv) || inv.kind === 'install' || inv.kind === 'install-test' || inv.kind === 'link';

/**
 * Nothing installed yet (a fresh clone, a first `npm ci`): every package npm's engine resolves is new,
 * and each name is looked up in the popular-name tables. They are built now, on this core, while the
 * engine resolves on the other (about 0.3 s that otherwise came after the resolution, on every such
 * run). With packages installed, an up-to-date tree may need no look-up at all: nothing is built.
 * (Requested packages build them when one of them is not a popular name.)
 */
function warmNameIndexWhenAllIsNew(s: NpmSession): void {
  if (s.deps.installedEntries(s.projectDir).size > 0) return;
  setImmediate(() => {
    try {
      s.deps.popular().prepare?.();
    } catch {
      // built again at the first look-up, which reports what went wrong
    }
  });
}

/**
 * Check → decide → prompt for the packages on the command line. A did-you-mean or a skip rewrites
 * npm's argv (and the resolution starts again with it). Returns how the run ends, or undefined to go on.
 */
async function vetRequested(s: NpmSession, registry: RegistryClient, cooldown: CooldownWindow): Promise<number | undefined> {
  const { deps } = s;
  const checked = await checkRequested(s, registry, cooldown);
  if (isExec(s.inv)) nameVetted(checked, s);
  sayCooldown(checked.map((c) => c.report), deps, 'safe-npm');
  const outcome = await decideRequested(checked, s, registry);
  if (outcome.kind === 'exit') return outcome.exitCode;
  if (isExec(s.inv)) nameVetted(outcome.substitutes, s);
  s.npmArgs = rewriteArgs(s.npmArgs, outcome.replacements);
  s.specs = rewriteArgs(s.specs, outcome.replacements);
  if (outcome.allSkipped) {
    // npx / exec: the command the user wanted did not run — a failure to whatever runs next (`npx x &&
    // …`), as npm's own "canceled" is (exit 1). An install of nothing is done: 0.
    if (isExec(s.inv)) {
      deps.stderr('safe-npm: every requested package was skipped; nothing was run\n');
      return 1;
    }
    deps.stderr('safe-npm: every requested package was skipped; nothing to install\n');
    return ExitCode.ok;
  }
  if (s.tree && outcome.replacements.size > 0) {
    // A substituted or skipped package: resolve again with what will really be installed.
    await s.tree.cancel();
    s.tree = vetsGlobalTree(s.inv) || vetsWorkspaceTree(s.inv) ? startResolveBeside(s) : startResolve(s, s.specs, cooldown, 'resolve');
  }
  return undefined;
}

/**
 * The whole tree: resolved by npm's engine before anything is written (npm ci: the lockfile), every
 * new or changed package checked, then decide → prompt. Returns the new or changed packages, or how
 * the run ends.
 */
async function vetWholeTree(mode: Exclude<TreeMode, 'none'>, s: NpmSession, registry: RegistryClient, before: Date | undefined): Promise<ResolvedNode[] | number> {
  const { deps } = s;
  const spinner = await deps.spinner('resolving the dependency tree');
  const tree = await resolveTree(mode, s, registry, spinner);
  if (typeof tree === 'number') return tree;
  // npm ci removes node_modules and writes every entry anew: nothing on disk counts as installed.
  const changed = mode === 'lockfile' ? tree.nodes : newOrChanged(tree.nodes, deps.installedEntries(treeDirOf(s)));
  if (mode === 'lockfile') {
    const failed = await lockfileDocuments(s, registry, changed, spinner);
    if (failed !== undefined) return failed;
  }
  spinner.update(`checking ${changed.length} new or changed packages`);
  const reports = await checkTree(tree, changed, mode, s, registry, before);
  spinner.stop();
  sayCooldown(reports, deps, 'safe-npm');
  const flagged = reports.filter((r) => r.findings.length > 0);
  if (flagged.length > 0) {
    const stop = await decideTransitive(flagged, s);
    if (stop !== undefined) return stop;
  }
  deps.mark?.('tree vetted');
  return changed;
}
