/**
 * `npm uninstall <pkg>` / `npm prune` by an ordinary user in their own project: nothing new is
 * vetted (a removal adds no package), and no build user is involved, so npm's own command runs in
 * this process — no second node start, no engine of ours — with scripts off and under the project
 * lock, as fast as npm itself. Everything else (root, -g, workspaces, --prefix, a project inside a
 * larger one, a commit journal left to repair) goes through the whole flow.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { JOURNAL } from '../npm/commit-project.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { nearestPackageRoot } from '../npm/nearest-package-root.js';
import { withScriptsOff } from '../npm/run-npm-install.js';
import { runNpmInProcess } from '../run/npm-in-process.js';
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

/** Lock the project, then hand the process to npm (it exits by itself; the lock goes with us). */
export async function removeInPlace(inv: NpmInvocation, project: string, cliScript: string, env: Record<string, string | undefined>, proc: NodeJS.Process): Promise<void> {
  await lockProject(project, {
    timeoutSeconds: Number(env.SAFE_NPM_LOCK_TIMEOUT ?? 600) || 600,
    onWait: (pid) => void proc.stderr.write(`safe-npm: another safe-npm is installing here${pid ? ` (pid ${pid})` : ''}; waiting for it to finish\n`),
  });
  // Scripts stay off whatever an .npmrc says: the environment and the first argument both say so.
  proc.env.npm_config_ignore_scripts = 'true';
  runNpmInProcess(cliScript, withScriptsOff(inv.npmArgs), proc);
}
