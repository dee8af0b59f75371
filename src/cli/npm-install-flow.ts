/** Wires the real side effects into the install flow (src/flow/npm-install.ts). */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SafeStore } from '../config/store.js';
import { npmInstallFlow, type NpmFlowDeps } from '../flow/npm-install.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { loadNpmConfig } from '../npm/npm-config.js';
import { createRegistryClient } from '../npm/npm-registry.js';
import { ensureUserCache, runNpmInstall } from '../npm/run-npm-install.js';
import { installedEntries, loadLockedTree, lockedEntries } from '../npm/resolve-tree.js';
import { spawnTreeWorker } from '../npm/tree-install.js';
import { popularNames } from '../checks/popular-names.js';
import { processFeed } from '../feed/process-feed.js';
import { asEffectiveUser } from '../run/effective-user.js';
import { runCommand } from '../run/run-command.js';
import { lookupUser } from '../run/users.js';
import { inquirerPrompts } from '../ui/prompts.js';
import { startSpinner } from '../ui/spinner.js';
import { afterNpmInstall, runNpmExec } from './npm-after-install.js';

export interface NpmFlowIo {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  realNpm: string;
}

export function realNpmFlowDeps(io: NpmFlowIo): NpmFlowDeps {
  const timing = io.env.SAFE_NPM_TIMING === '1';
  return {
    mark: timing ? (label) => void process.stderr.write(`safe-npm: ${Math.round(performance.now())} ms ${label}\n`) : undefined,
    env: io.env,
    cwd: io.cwd,
    interactive: io.stdinIsTTY && io.stdoutIsTTY,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    euid: process.geteuid?.() ?? 1,
    realNpm: io.realNpm,
    now: () => new Date(),
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    // Without a terminal nothing is written to the store: read it without loading conf.
    openStore: () => SafeStore.open({ readOnly: !(io.stdinIsTTY && io.stdoutIsTTY) }),
    loadNpmConfig: (npmArgs) => loadNpmConfig({ realNpm: io.realNpm, npmArgs, cwd: io.cwd, env: io.env }),
    createRegistry: (config, cache) => createRegistryClient(config, cache),
    asBuildUser: asEffectiveUser,
    popular: () => {
      // Loaded now: the checks later run with the build user's uid, which may not read our data files.
      const index = popularNames('npm');
      index.lookAlike('safe-npm');
      processFeed().state('npm'); // the known-malicious feed in the user's cache, likewise
      return index;
    },
    prompts: inquirerPrompts,
    spinner: (text) => startSpinner(text, Boolean(process.stderr.isTTY)),
    lookupUser: (u) => lookupUser(u),
    ownerUidOf: (path) => statSync(path).uid,
    ensureUserCache,
    runNpmInstall: (job) => runNpmInstall(job, runCommand),
    spawnTreeWorker: (mode) => spawnTreeWorker({ realNpm: io.realNpm, mode, env: io.env }),
    guessProjectDir: () => nearestPackageRoot(io.cwd),
    loadLockedTree: (projectDir, registry) => loadLockedTree(projectDir, registry.options),
    installedEntries,
    lockedEntries,
    afterInstall: afterNpmInstall,
    runNpmTest: async (projectDir) => (await runCommand([io.realNpm, ['test']], { cwd: projectDir, env: io.env })).exitCode,
    runExec: runNpmExec,
  };
}

export async function runNpmInstallFlow(invocation: NpmInvocation, io: NpmFlowIo): Promise<number> {
  return npmInstallFlow(invocation, realNpmFlowDeps(io));
}

/** npm's local prefix rule, cheaply: the nearest folder with a package.json or node_modules, else cwd. */
function nearestPackageRoot(cwd: string): string {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) return cwd;
  }
}
