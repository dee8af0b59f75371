/**
 * The first stages of safe-npm: open the session (store, settings, who runs npm, npm's engine started
 * early), locate the project (npm's config, its lock, the cache), and close the session at the end.
 */
import { applyEnvOverrides } from '../config/settings.js';
import type { Settings } from '../config/settings.js';
import { chooseInstallMode, type InstallMode } from '../npm/install-mode.js';
import type { NpmConfig } from '../npm/npm-config.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { projectGitProgram } from '../npm/project-git-program.js';
import type { BuildIdentities } from '../run/build-identity.js';
import { mayResolveTree } from './may-resolve-tree.js';
import type { AfterInstallContext, NpmFlowDeps, NpmSession } from './npm-session.js';
import { SafeError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { neutralize } from '../ui/neutralize.js';

/** Stage "session": store and settings, who runs npm, and npm's engine started as early as that is known. */
export async function openSession(inv: NpmInvocation, deps: NpmFlowDeps): Promise<NpmSession> {
  const store = await deps.openStore();
  const settings = applyEnvOverrides(store.settings(), deps.env, 'SAFE_NPM');
  let identities: BuildIdentities | undefined;
  const buildIdentities = () => {
    if (!identities) {
      identities = deps.buildIdentities(settings);
      for (const w of identities.warnings) deps.stderr(`safe-npm: ${w}\n`);
    }
    return identities;
  };
  const modeFor = (dir: string) => chooseInstallMode({
    euid: deps.euid,
    // npx / exec / init: root runs the bin from the prefix installed for it, so the prefix is written
    // by the install identity, which runs no code — never by the owner of the folder it is typed in
    // (they could rewrite the bin before root ran it, and it was kept in root's npx cache: attack trial).
    projectOwnerUid: inv.kind === 'exec' || inv.kind === 'init' ? 0 : deps.ownerUidOf(dir),
    global: inv.global,
    lookup: deps.lookupUser,
    identities: buildIdentities,
    identityNames: [settings.runAsUser, settings.scriptUser],
  });
  // npm's engine starts loading before npm's configuration is read: it only needs to know whom it
  // runs as. A wrong guess (another project root) is simply discarded.
  const early = mayResolveTree(inv) ? deps.spawnTreeWorker(modeFor(deps.guessProjectDir()), settings.cacheRoot) : undefined;
  deps.mark?.(early ? 'npm\'s engine spawned' : 'session opened');
  return {
    deps, inv, store, settings, modeFor, early,
    strictScripts: inv.ownFlags.strictScripts || settings.strictScripts,
    // Set by locateProject:
    config: undefined as never, projectDir: '', mode: { kind: 'self' }, buildUser: undefined, cacheDir: undefined,
    npmArgs: [...inv.npmArgs], specs: [],
  };
}

/** Whatever the run ends with: npm's engine stopped (nothing written unless it installed), the lock freed. */
export async function closeSession(s: NpmSession): Promise<void> {
  try {
    await s.tree?.cancel();
  } finally {
    s.emptyDir?.remove();
    s.tarballCopies?.remove();
    await s.early?.cancel();
    await s.lock?.release();
  }
}

/** Stage "probe · who runs it": npm's own config, the project, who runs npm there, its lock, the cache. */
export async function locateProject(s: NpmSession): Promise<void> {
  const { deps, inv } = s;
  s.config = await deps.loadNpmConfig(inv.npmArgs);
  s.projectDir = s.config.localPrefix;
  s.mode = s.modeFor(s.projectDir);
  s.buildUser = s.mode.kind === 'self' ? undefined : s.mode.user;
  refuseProjectGitProgram(s);
  refuseRedirectableTarget(s);
  refuseUnwritableProject(s);
  // Everything that reads or writes the project happens under its lock (npm's resolver reads it).
  if (writesProject(inv)) {
    const lock = await deps.lockProject(inv.global ? s.config.globalPrefix : s.projectDir);
    s.lock = lock;
    // Freed before we exit on a signal too, so that nothing of ours holds the project afterwards.
    deps.interrupts.onInterrupt(() => lock.release());
    deps.mark?.('project locked');
    if (!inv.global) {
      // In another user's project (npm's engine runs as them), as them: see recoverProject.
      const repaired = deps.recoverProject(s.projectDir, s.mode.kind === 'as-owner' ? s.mode.user : undefined);
      if (repaired) deps.stderr(`safe-npm: ${repaired}\n`);
    }
  }
  s.cacheDir = cacheFor(s.mode, s.settings, s.config, deps);
}

/** A `git` program the project names (npm would run it while resolving, before anything is vetted): said, nothing run. */
function refuseProjectGitProgram(s: NpmSession): void {
  const named = projectGitProgram(s.config, s.projectDir);
  if (!named) return;
  throw new SafeError(
    `${neutralize(named.file)} sets git=${neutralize(named.program)}: npm would run that program to fetch git dependencies, before anything is vetted; safe-npm runs no program a project names — remove the line (git from PATH is used), or set git in your own ~/.npmrc; nothing was changed`,
    ExitCode.blocked,
  );
}

/**
 * Root writes a root-owned project (or the global prefix) itself, by path, long after it looked at
 * it: a folder on the way that another user owns lets them swap the project for a link to any
 * other folder of root's in between, and root's commit goes there. Such a place is refused, said.
 */
function refuseRedirectableTarget(s: NpmSession): void {
  if (s.mode.kind !== 'staging' && s.mode.kind !== 'staging-global') return;
  if (!writesProject(s.inv)) return;
  const target = s.inv.global ? s.config.globalPrefix : s.projectDir;
  const where = s.deps.redirectableAt?.(target);
  if (!where) return;
  throw new SafeError(
    `root will not write ${target}: ${neutralize(where)} can be changed by someone other than root, who could put another folder in its place while this runs; move it under folders only root can write, or give it to that user and run there as them`,
    ExitCode.blocked,
  );
}

/**
 * A user in a project they cannot write (someone else's): npm fails there with EACCES once it writes;
 * we would resolve and vet the whole tree first and then end in an internal error. Said at once.
 */
function refuseUnwritableProject(s: NpmSession): void {
  if (s.mode.kind !== 'self' || s.inv.global || !writesProject(s.inv)) return;
  if (s.deps.canWrite?.(s.projectDir) !== false) return;
  throw new SafeError(
    `you cannot write ${s.projectDir} (it is uid ${s.deps.ownerUidOf(s.projectDir)}'s): npm would fail there too (EACCES); run in a project of your own, or as its owner; nothing was changed`,
    ExitCode.usage,
  );
}

/** Commands that write the project (or the global prefix): they take its lock. */
function writesProject(invocation: NpmInvocation): boolean {
  return invocation.kind !== 'exec' && invocation.kind !== 'init' && invocation.kind !== 'passthrough' && invocation.kind !== 'safe';
}

function cacheFor(mode: InstallMode, settings: Settings, config: NpmConfig, deps: NpmFlowDeps): string | undefined {
  if (mode.kind === 'self') return String(config.get('cache'));
  if (mode.kind === 'as-owner') {
    // The owner's own cache when it has a home of its own; otherwise a persistent one under cacheRoot.
    try {
      if (deps.ownerUidOf(mode.user.home) === mode.user.uid) return `${mode.user.home}/.npm`;
    } catch { /* no home */ }
  }
  return deps.ensureUserCache(settings.cacheRoot, mode.user);
}

/** The context the after-install steps (script replay, exec) get. */
export function afterInstallContext(s: NpmSession, written?: { fresh?: Set<string>; written?: Set<string> }): AfterInstallContext {
  return {
    invocation: s.inv, freshLocations: written?.fresh, writtenLocations: written?.written, ownCommand: s.deps.ownCommand, realNpm: s.deps.realNpm, env: s.deps.env, interactive: s.deps.interactive,
    cacheDir: s.cacheDir, projectDir: s.projectDir, mode: s.mode, settings: s.settings, store: s.store, config: s.config,
    strictScripts: s.strictScripts, interrupts: s.deps.interrupts,
  };
}
