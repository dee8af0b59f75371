/** Wires the real side effects into the install flow (src/flow/npm-install.ts). */
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SafeStore } from '../config/store.js';
import { processInterrupts } from './npm-interrupts.js';
import { timingMarks } from './timing-marks.js';
import type { Interrupts } from '../run/interrupts.js';
import type { EarlyEngine } from './npm-early-engine.js';
import { afterNpmInstall, runNpmExec, type AfterInstallDeps } from '../flow/npm-after-install.js';
import { npmInstallFlow, type NpmFlowDeps } from '../flow/npm-install.js';
import { offlineLookalikeLines, requestedRegistryNames } from '../flow/offline-name-stops.js';
import { neutralize } from '../ui/neutralize.js';
import { describeRedirectable, redirectableAt } from '../run/redirectable-path.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import { loadNpmConfig, type NpmConfig } from '../npm/npm-config.js';
import { createRegistryClient } from '../npm/npm-registry.js';
import { recoverProject } from '../npm/commit-project.js';
import { ensureUserCache, installedGlobalNames, removeStaleAreas, runNpmInstall } from '../npm/run-npm-install.js';
import { installedEntries, lockedEntries } from '../npm/resolve-tree.js';
import { cachedPrefix, execCacheDir, execCacheKey, npxCacheFolder, npxCacheState } from '../npm/exec-cache.js';
import { copyTarballsAs } from '../npm/private-tarballs.js';
import { spawnTreeWorker } from '../npm/tree-install.js';
import { sameInstallMode } from '../npm/install-mode.js';
import { forgetPopularNames, popularNames } from '../checks/popular-names.js';
import { collectGarbageSoon } from '../run/lean-heap.js';
import { createSystemUser, resolveBuildIdentities } from '../run/build-identity.js';
import { processFeed } from '../feed/process-feed.js';
import { asEffectiveUser, asUserSync } from '../run/effective-user.js';
import { lockProject } from '../run/project-lock.js';
import { nearestPackageRoot } from '../npm/nearest-package-root.js';
import { originOf, watchUnreachable } from '../npm/fetch-failures.js';
import { ExitCode } from '../core/exit-codes.js';
import { runCommand } from '../run/run-command.js';
import { lookupUser } from '../run/users.js';
import { inquirerPrompts } from '../ui/prompts.js';
import { wantsColor } from '../ui/color.js';
import { startSpinner } from '../ui/spinner.js';
import { ownCommandName } from './own-command.js';
import { runPassthrough } from '../run/passthrough.js';
import { npmCliScript, runNpmInProcess } from '../run/npm-in-process.js';
import { readPackageJson } from '../flow/npm-scripts.js';
import { removeTree } from '../run/fs-ownership.js';

export interface NpmFlowIo {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  realNpm: string;
  /** npm's engine and the signal handling, started by the entry before this module was loaded. */
  early?: EarlyEngine;
  /** npm's configuration, when the entry has read it already, and the argv it was read for. */
  npmConfig?: { args: string[]; config: NpmConfig };
  /** The registry names the command line asks for: judged by name when the registry cannot be reached. */
  requestedNames?: string[];
  /** See AfterInstallDeps.handOverExec. */
  handOverExec?(args: string[], env: Record<string, string>): void;
}

export function realNpmFlowDeps(io: NpmFlowIo): NpmFlowDeps {
  const interrupts = io.early?.interrupts ?? processInterrupts();
  const mark = timingMarks(io.env, interrupts);
  let early = io.early?.worker;
  // Our own registry fetches: a registry that cannot be reached stops the install at once (exit 68),
  // with everything started so far stopped and removed, instead of after npm's retry back-off.
  // A requested name one slip from a popular package is known without the registry: said, and blocked.
  watchUnreachable(process, (u) => {
    let lookalikes: string[] = [];
    try {
      lookalikes = offlineLookalikeLines(io.requestedNames ?? [], popularNames('npm'));
    } catch {
      // the name tables could not be read: the registry's line alone
    }
    const message = [`the registry ${originOf(u.url)} cannot be reached (${u.code}); nothing was changed`, ...lookalikes.map((l) => `safe-npm: ${neutralize(l)}`)].join('\n');
    interrupts.abort(message, lookalikes.length > 0 ? ExitCode.blocked : ExitCode.couldNotVerify);
  });
  const stderr = saysUntilInterrupted(interrupts);
  // For the commands our messages suggest: as the user typed safe-npm, in the environment it ran with.
  const typed = { command: ownCommandName(io.env), env: io.env };
  return {
    interrupts,
    buildIdentities: (settings) => {
      const identities = resolveBuildIdentities(settings, { lookup: (u) => lookupUser(u), createSystemUser }, typed);
      // What a killed run left in the temp folder goes now.
      removeStaleAreas([identities.install.uid, identities.scripts.uid]);
      return identities;
    },
    lockProject: (dir) => lockProject(dir, {
      timeoutSeconds: Number(io.env.SAFE_NPM_LOCK_TIMEOUT ?? 600) || 600,
      onWait: (pid) => void process.stderr.write(`safe-npm: another safe-npm is installing here${pid ? ` (pid ${pid})` : ''}; waiting for it to finish\n`),
    }),
    recoverProject: (dir, owner) => asUserSync(owner, () => recoverProject(dir)),
    mark,
    env: io.env,
    cwd: io.cwd,
    interactive: canPrompt(io),
    stderrIsTTY: wantsColor(Boolean(process.stderr.isTTY), io.env),
    euid: process.geteuid?.() ?? 1,
    realNpm: io.realNpm,
    ownCommand: typed.command,
    // The process start: npm's "added 1 package in 2s" counts the whole command.
    startedAt: Math.round(performance.timeOrigin),
    now: () => new Date(),
    stdout: (t) => void process.stdout.write(t),
    stderr,
    // Without a terminal nothing is written to the store: read it without loading conf.
    openStore: () => SafeStore.open({ readOnly: !canPrompt(io) }),
    loadNpmConfig: async (npmArgs) => {
      if (io.npmConfig?.args === npmArgs) return io.npmConfig.config;
      return loadNpmConfig({ realNpm: io.realNpm, npmArgs, cwd: io.cwd, env: io.env });
    },
    createRegistry: (config, cache, loading) => createRegistryClient(config, cache, loading),
    asBuildUser: asEffectiveUser,
    popular: () => {
      // Loaded now: the checks later run with the build user's uid, which may not read our data files.
      const index = popularNames('npm');
      // The data file only: the look-alike tables (about 0.3 s) are built when a name that is not
      // popular is first looked up, or ahead of a fresh tree (warmNameIndexWhenAllIsNew). A popular
      // name needs none: `npm i lodash` built them for nothing.
      index.isPopular('safe-npm');
      processFeed().state('npm'); // the known-malicious feed in the user's cache, likewise
      return index;
    },
    vettingDone: () => {
      forgetPopularNames();
      collectGarbageSoon();
    },
    prompts: inquirerPrompts,
    spinner: (text) => startSpinner(text, Boolean(process.stderr.isTTY)),
    lookupUser: (u) => lookupUser(u),
    // A folder npm will create (a new --prefix) belongs to whoever owns where it is created.
    ownerUidOf: (path) => statSync(nearestExisting(path)).uid,
    canWrite: (dir) => {
      try {
        accessSync(dir, constants.W_OK);
        return true;
      } catch (error) {
        // A folder still to be made (a new --prefix) is npm's to make, or to fail on.
        return !['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '');
      }
    },
    redirectableAt: (path) => {
      const found = redirectableAt(path);
      return found && describeRedirectable(found);
    },
    ensureUserCache: (cacheRoot, user) => ensureUserCache(cacheRoot, user, 'npm', typed),
    runNpmInstall: (job) => runNpmInstall(job, runCommand),
    spawnTreeWorker: (mode, cacheRoot) => {
      // The engine the entry started before loading the rest, when it is for the same user.
      if (early) {
        const worker = early;
        early = undefined;
        if (sameInstallMode(worker.mode, mode)) return worker;
        void worker.cancel();
      }
      return spawnTreeWorker({ realNpm: io.realNpm, mode, env: io.env, interrupts, mark, cacheRoot });
    },
    guessProjectDir: () => nearestPackageRoot(io.cwd) ?? io.cwd,
    installedEntries,
    hasPackageJson: (dir) => existsSync(join(dir, 'package.json')),
    hasLockfile: (dir) => existsSync(join(dir, 'package-lock.json')) || existsSync(join(dir, 'npm-shrinkwrap.json')),
    installedGlobalPackages: (globalPrefix) => installedGlobalNames(join(globalPrefix, 'lib', 'node_modules')),
    folderExists: (dir) => existsSync(dir),
    linkTarget: (dir) => {
      try {
        return { path: realpathSync(dir), name: packageNameIn(dir) };
      } catch {
        return undefined;
      }
    },
    // The same entry script this process runs, for whoever runs it (signals passed on to it).
    runSelf: async (args, env) => {
      // A signal reaches it too (passed on): this run ends only once it has stopped.
      let stopped = () => {};
      const exited = new Promise<void>((resolve) => (stopped = resolve));
      const unregister = interrupts.onInterrupt(() => exited);
      try {
        return await runPassthrough(process.execPath, [process.argv[1]!, ...args], { env: { ...io.env, ...env }, cwd: io.cwd, signals: process });
      } finally {
        stopped();
        unregister();
      }
    },
    copyTarballs: copyTarballsAs,
    emptyFolder: () => {
      const path = mkdtempSync(join(tmpdir(), 'safe-npm-empty-'));
      chmodSync(path, 0o755);
      return { path, remove: () => removeTree(path) };
    },
    lockedEntries,
    afterInstall: (context) => afterNpmInstall(context, realAfterInstallDeps(io, stderr)),
    runNpmTest: async (projectDir) => {
      // The user's own tests, in the foreground: signals are theirs from here on.
      interrupts.dispose();
      return (await runCommand([io.realNpm, ['test']], { cwd: projectDir, env: io.env })).exitCode;
    },
    runExec: (context) => runNpmExec(context, { ...realAfterInstallDeps(io, stderr), ...(io.handOverExec ? { handOverExec: io.handOverExec } : {}) }),
    npxCacheState: (npmCache, specs, versions, localTargets) => {
      const folder = npxCacheFolder(npmCache, specs);
      return { state: npxCacheState(folder, versions, localTargets), folder };
    },
    execTreeKept: (specs, registry) => {
      const dir = execCacheDir(io.env, 0);
      const key = dir ? execCacheKey(specs, registry) : undefined;
      return Boolean(dir && key && cachedPrefix(dir, key));
    },
  };
}

/**
 * We may ask when a person can answer: stdin and stderr (where the prompts render, as npm's own do)
 * are terminals, even when stdout is piped (`npm i x | cat`).
 */
function canPrompt(io: NpmFlowIo): boolean {
  return io.stdinIsTTY && Boolean(process.stderr.isTTY);
}

/**
 * Our stderr until a signal (or an abort) arrives: then the interrupt line is the run's last word.
 * What the flow would say next is about the children the interrupt itself stopped ("npm's resolver
 * stopped (SIGINT)", "process terminated"): not news, and misleading.
 */
function saysUntilInterrupted(interrupts: Pick<Interrupts, 'received'>): (text: string) => void {
  return (text) => {
    if (interrupts.received() === undefined) process.stderr.write(text);
  };
}

function realAfterInstallDeps(io: NpmFlowIo, stderr: (text: string) => void): AfterInstallDeps {
  return {
    stderr,
    stderrIsTTY: wantsColor(Boolean(process.stderr.isTTY), io.env),
    prompts: inquirerPrompts,
    now: () => new Date(),
    currentUser: () => {
      const uid = process.geteuid?.() ?? 0;
      return lookupUser(uid) ?? { name: String(uid), uid, gid: process.getegid?.() ?? uid, home: homedir() };
    },
    nodePath: process.execPath,
    cacheHome: io.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
    createRegistry: createRegistryClient,
    asBuildUser: asEffectiveUser,
    runCommand,
  };
}

/**
 * The flow, and what it hands over: a user's own vetted npm exec is the real npm's, run in this
 * process once the run has closed (`undefined`: npm owns the exit code) — a second node start and
 * npm's load saved (npx of a cached package took 1.7× plain npx).
 */
export async function runNpmInstallFlow(invocation: NpmInvocation, io: NpmFlowIo): Promise<number | undefined> {
  const cli = io.env.SAFE_NPM_SPAWN === '1' ? undefined : npmCliScript(io.realNpm);
  let handedOver: { args: string[]; env: Record<string, string> } | undefined;
  const handOverExec = cli ? (args: string[], env: Record<string, string>) => void (handedOver = { args, env }) : undefined;
  const code = await npmInstallFlow(invocation, realNpmFlowDeps({ ...io, requestedNames: requestedRegistryNames(invocation), ...(handOverExec ? { handOverExec } : {}) }));
  if (!handedOver || !cli) return code;
  const { args, env } = handedOver;
  // npm logs on `process` ('log'): our watch for an unreachable registry is for our own fetches, and
  // would turn npm's into our stop (npm is not loaded yet: every listener there is ours).
  process.removeAllListeners('log');
  Object.assign(process.env, env);
  runNpmInProcess(cli, args, process);
  return undefined;
}

function nearestExisting(path: string): string {
  for (let dir = path; ; dir = dirname(dir)) {
    if (existsSync(dir) || dirname(dir) === dir) return dir;
  }
}

/** The name in a folder's package.json (a folder the user named: `npm link ../lib`). */
function packageNameIn(dir: string): string | undefined {
  try {
    const { name } = readPackageJson(dir) as { name?: unknown };
    return typeof name === 'string' && name ? name : undefined;
  } catch {
    return undefined;
  }
}
