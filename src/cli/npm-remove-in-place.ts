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
 * Everything else (root, -g, workspaces, --prefix, a project inside a larger one, a commit journal
 * left to repair) goes through the whole flow at once.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JOURNAL } from '../npm/commit-project.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { nearestPackageRoot } from '../npm/nearest-package-root.js';
import { finishPastRollback, stopBeforeContentWrites, type ContentWrite } from '../npm/arborist-steps.js';
import { withScriptsOff } from '../npm/run-npm-install.js';
import { runNpmInProcess } from '../run/npm-in-process.js';
import { runPassthrough } from '../run/passthrough.js';
import { lockProject } from '../run/project-lock.js';

/** The project folder when the fast path applies, else undefined. */
export function removesInPlace(inv: NpmInvocation, cwd: string, env: Record<string, string | undefined>, euid: number | undefined): string | undefined {
  if (euid === undefined || euid === 0) return undefined;
  if (inv.kind !== 'reify' || inv.global || inv.workspaces !== false) return undefined;
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
export async function removeInPlace(
  inv: NpmInvocation,
  project: string,
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
  // npm will write over it (a folder planted with a matching version is rewritten in full).
  const unvetted = (writes: ContentWrite[]) => writes.filter((w) => !w.isLink);
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
