/**
 * `npm uninstall <pkg>` / `npm prune` by an ordinary user in their own project: no build user is
 * involved, so npm's own command runs in this process — no second node start, no engine of ours —
 * with scripts off and under the project lock, as fast as npm itself. (Never as root: a root-owned
 * project's node_modules was written by the install identity, and npm run as root would act on
 * that content — see the hostile-content test in safe-npm.verdaccio.test.ts.)
 *
 * A removal writes nothing new as long as node_modules has what the lockfile says: npm's engine
 * reifies the whole ideal tree, so a package the project lacks (node_modules deleted, a dependency
 * added to package.json by hand) would be installed unvetted along with it. npm's own diff decides:
 * when it adds or changes any package, nothing has been written yet, and the command is handed to
 * the whole flow (a child process), which vets it like any install.
 *
 * `npm install` with nothing named, in an up-to-date project of one's own (npm's record of what is
 * installed is newer than package.json and the lockfile), is the same: npm's own command when its
 * diff writes nothing — an up-to-date install, npm's output, at npm's speed; the whole flow as soon
 * as it would write any package (a link too: nothing new is unvetted) or a lockfile alone.
 *
 * Everything else (root, -g, workspaces, --prefix, a project inside a larger one, a commit journal
 * left to repair, flags, a project with install scripts of its own) goes through the whole flow at once.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JOURNAL } from '../npm/commit-project.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { nearestPackageRoot } from '../npm/nearest-package-root.js';
import { finishPastRollback, stopBeforeContentWrites, type ContentWrite } from '../npm/arborist-steps.js';
import { withScriptsOff } from '../npm/run-npm-install.js';
import { runNpmInProcess } from '../run/npm-in-process.js';
import { runPassthrough } from '../run/passthrough.js';
import { lockProject } from '../run/project-lock.js';

/** What npm may write in this process: nothing but links (a removal), or nothing at all (an up-to-date install). */
export type InPlaceRun = 'removal' | 'up-to-date-install';

/** The project folder when a fast path applies (and which), else undefined. */
export function runsInPlace(inv: NpmInvocation, cwd: string, env: Record<string, string | undefined>, euid: number | undefined): { project: string; run: InPlaceRun } | undefined {
  if (inv.kind === 'reify') {
    const project = ownProject(inv, cwd, env, euid);
    return project ? { project, run: 'removal' } : undefined;
  }
  if (inv.kind !== 'install' || inv.specs.length > 0 || inv.npmArgs.length !== 1) return undefined;
  // Our own flags (their SAFE_NPM_* twins included: the parser reads them) ask for the whole flow.
  if (inv.ownFlags.yes || inv.ownFlags.strictScripts || inv.ownFlags.project || Object.keys(inv.ownFlags.other).length) return undefined;
  if (npmEnvSetting(env, 'package-lock-only') || npmEnvSetting(env, 'dry-run')) return undefined;
  const project = ownProject(inv, cwd, env, euid);
  return project && upToDate(project) && !runsScriptsOfItsOwn(project) ? { project, run: 'up-to-date-install' } : undefined;
}

/**
 * npm's own test of its record of node_modules (the hidden lockfile): newer than package.json and
 * the lockfile. A project changed since its last install goes to the whole flow without loading npm
 * here first (its install would be handed over anyway, a second start later).
 */
function upToDate(project: string): boolean {
  const mtime = (file: string) => statSync(join(project, file), { throwIfNoEntry: false })?.mtimeMs;
  const record = mtime(join('node_modules', '.package-lock.json'));
  if (record === undefined) return false;
  return ['package.json', 'package-lock.json', 'npm-shrinkwrap.json'].every((f) => (mtime(f) ?? 0) <= record);
}

/** Scripts npm runs for the project itself on `npm install` (and node-gyp's default), or workspaces: the whole flow says and runs them. */
function runsScriptsOfItsOwn(project: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown>; workspaces?: unknown };
    if (pkg.workspaces !== undefined) return true;
    const scripts = pkg.scripts && typeof pkg.scripts === 'object' ? Object.keys(pkg.scripts) : [];
    if (scripts.some((name) => PROJECT_INSTALL_SCRIPTS.includes(name))) return true;
    return existsSync(join(project, 'binding.gyp'));
  } catch {
    return true;
  }
}

const PROJECT_INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare', 'dependencies'];

/** The user's own project (not root's, not global, no workspaces or prefix), when nothing says otherwise. */
function ownProject(inv: NpmInvocation, cwd: string, env: Record<string, string | undefined>, euid: number | undefined): string | undefined {
  if (euid === undefined || euid === 0) return undefined;
  if (inv.global || inv.workspaces !== false) return undefined;
  // --prefix or -g from the environment too (npm_config_global, npm_config_location=global): when in
  // doubt, the whole flow.
  if (inv.cliConfig.prefix !== undefined || npmEnvSetting(env, 'prefix')) return undefined;
  const global = npmEnvSetting(env, 'global');
  if ((global !== undefined && !/^(false|0|)$/i.test(global.trim())) || /^global$/i.test(npmEnvSetting(env, 'location')?.trim() ?? '')) return undefined;
  const project = nearestPackageRoot(cwd);
  if (!project) return undefined;
  // npm would take a parent project as the root when this one is its workspace: the whole flow decides.
  for (let dir = dirname(project); dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return undefined;
  if (existsSync(join(project, JOURNAL))) return undefined;
  return project;
}

/** An npm setting from the environment, named as npm reads it: `npm_config_` in any case, `_` or `-`. */
function npmEnvSetting(env: Record<string, string | undefined>, key: string): string | undefined {
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && /^npm_config_/i.test(name) && name.slice('npm_config_'.length).toLowerCase().replace(/_/g, '-') === key) return value;
  }
  return undefined;
}

/**
 * Lock the project, then hand the process to npm (it exits by itself; the lock goes with us). Should
 * npm's diff add or change a package, the command goes to the whole flow instead: `selfArgv` is how
 * this process was started (safe-npm's entry and its arguments), `originalEnv` its environment
 * before npm's configuration added its own variables to it.
 */
export async function runInPlace(
  inv: NpmInvocation,
  { project, run }: { project: string; run: InPlaceRun },
  cliScript: string,
  originalEnv: Record<string, string | undefined>,
  selfArgv: string[],
  proc: NodeJS.Process,
): Promise<void> {
  const lock = await lockProject(project, {
    timeoutSeconds: Number(originalEnv.SAFE_NPM_LOCK_TIMEOUT ?? 600) || 600,
    onWait: (pid) => void proc.stderr.write(`safe-npm: another safe-npm is installing here${pid ? ` (pid ${pid})` : ''}; waiting for it to finish\n`),
  });
  const exitHooksBeforeNpm = new Set(proc.listeners('exit'));
  // The very module npm's commands will load (resolved from npm's CLI as npm resolves it).
  const npmRequire = createRequire(cliScript);
  const Arborist = npmRequire(npmRequire.resolve('@npmcli/arborist')) as { prototype: object };
  // Any package npm would write goes to the vetting flow: what node_modules holds is not proof of what
  // npm will write over it (a folder planted with a matching version is rewritten in full). A removal
  // may relink what stays; an up-to-date install writes nothing — nor a lockfile alone
  // (package-lock-only, from an .npmrc too: npm then computes no diff at all).
  const unvetted = (writes: ContentWrite[], options: { packageLockOnly?: boolean }) => run === 'removal'
    ? writes.filter((w) => !w.isLink)
    : options.packageLockOnly ? [{ name: 'package-lock.json', location: '', version: '' }] : writes;
  const guarded = stopBeforeContentWrites(Arborist, unvetted, async () => {
    // Nothing is written yet. npm's own exit hooks go (npm is not finishing this command: its
    // "exit handler never called" would be a false alarm); the whole flow runs it, vetted.
    await lock.release();
    for (const hook of proc.listeners('exit')) if (!exitHooksBeforeNpm.has(hook)) proc.removeListener('exit', hook as () => void);
    const code = await runPassthrough(proc.execPath, selfArgv, { env: { ...originalEnv, SAFE_NPM_SPAWN: '1' }, signals: proc });
    proc.exit(code);
    return new Promise<never>(() => {});
  });
  if (!guarded) {
    // An npm whose engine has no diff step to watch: the whole flow, which vets what it adds.
    await lock.release();
    proc.exitCode = await runPassthrough(proc.execPath, selfArgv, { env: { ...originalEnv, SAFE_NPM_SPAWN: '1' }, signals: proc });
    return;
  }
  // A Ctrl-C past npm's last rollback point is held until package.json matches node_modules.
  finishPastRollback(Arborist);
  // Scripts stay off whatever an .npmrc says: the environment and the first argument both say so.
  proc.env.npm_config_ignore_scripts = 'true';
  runNpmInProcess(cliScript, withScriptsOff(inv.npmArgs), proc);
}
