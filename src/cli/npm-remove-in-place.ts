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
  if (inv.cliConfig.prefix !== undefined || env.npm_config_prefix || env.NPM_CONFIG_PREFIX) return undefined;
  // -g from the environment, as npm reads it (npm_config_global, npm_config_location=global).
  const fromEnv = (key: string) => env[`npm_config_${key}`] ?? env[`NPM_CONFIG_${key.toUpperCase()}`] ?? '';
  if (/^(true|1|yes)$/i.test(fromEnv('global').trim()) || /^global$/i.test(fromEnv('location').trim())) return undefined;
  const project = nearestPackageRoot(cwd);
  if (!project) return undefined;
  // npm would take a parent project as the root when this one is its workspace: the whole flow decides.
  for (let dir = dirname(project); dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'package.json'))) return undefined;
  if (existsSync(join(project, JOURNAL))) return undefined;
  return project;
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
