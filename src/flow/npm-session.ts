/**
 * What safe-npm's install flow receives (`NpmFlowDeps`: every side effect) and what one run carries
 * from stage to stage (`NpmSession`).
 */
import type { SafeStore } from '../config/store.js';
import type { Settings } from '../config/settings.js';
import type { PopularNameIndex } from '../core/types.js';
import type { InstallMode } from '../npm/install-mode.js';
import type { NpmConfig } from '../npm/npm-config.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import type { FetcherLoading, RegistryClient } from '../npm/npm-registry.js';
import type { NpmInstallJob, NpmInstallOutcome } from '../npm/run-npm-install.js';
import type { ResolvedNode } from '../npm/tree-nodes.js';
import type { TreeInstall, TreeWorker } from '../npm/tree-install.js';
import type { BuildIdentities } from '../run/build-identity.js';
import type { Interrupts } from '../run/interrupts.js';
import type { ProjectLock } from '../run/project-lock.js';
import type { UserAccount } from '../run/users.js';
import type { Prompts } from '../ui/prompts.js';
import type { Spinner } from '../ui/spinner.js';
import type { InstalledEntries } from './whole-tree.js';

export interface NpmFlowDeps {
  env: Record<string, string | undefined>;
  cwd: string;
  /** stdin and stderr (where prompts render) are TTYs: we may prompt. */
  interactive: boolean;
  /** stderr is a TTY and colour is not turned off (NO_COLOR, FORCE_COLOR=0): coloured reports. */
  stderrIsTTY: boolean;
  euid: number;
  realNpm: string;
  /** safe-npm as the user typed it, for the commands we suggest: `npm` through the shim or shell function, else `safe-npm`. */
  ownCommand: string;
  /** Whether the folder has a package.json. */
  hasPackageJson?(dir: string): boolean;
  /** Whether the folder has a lockfile npm reads (package-lock.json or npm-shrinkwrap.json). */
  hasLockfile?(dir: string): boolean;
  /** The packages installed in a global prefix (`<prefix>/lib/node_modules`). */
  installedGlobalPackages?(globalPrefix: string): string[];
  /** `npm link x`: a folder's real path and the name in its package.json (undefined: no such folder). */
  linkTarget?(dir: string): { path: string; name?: string } | undefined;
  /** safe-npm itself on other arguments (a step of this command that is a whole command of its own), the terminal shared. */
  runSelf?(args: string[], env: Record<string, string>): Promise<number>;
  /** Whether a folder is there (a global prefix npm has not made yet is not). */
  folderExists?(dir: string): boolean;
  /** A new empty folder the build user can read, for npm's engine to resolve in; removed by `remove`. */
  emptyFolder?(): { path: string; remove(): void };
  /** Copies of these tarballs made as `user`, in a folder of theirs (npm/private-tarballs.ts). */
  copyTarballs?(user: UserAccount | undefined, files: readonly string[]): Promise<{ paths: string[]; remove(): void }>;
  /** When the command started (epoch ms; the process start): npm's "in 2s" is the whole command. */
  startedAt: number;
  now(): Date;
  stdout(text: string): void;
  stderr(text: string): void;
  openStore(): Promise<SafeStore>;
  loadNpmConfig(npmArgs: string[]): Promise<NpmConfig>;
  /** `loading`: when pacote is loaded (npm-registry.ts); `now` unless npm's engine hands the documents over. */
  createRegistry(config: NpmConfig, cache: string | undefined, loading?: FetcherLoading): Promise<RegistryClient>;
  /** Runs `fn` with the build user's effective uid (root only), so the cache it fills is that user's. */
  asBuildUser<T>(user: UserAccount | undefined, fn: () => Promise<T>): Promise<T>;
  popular(): PopularNameIndex;
  prompts: Prompts;
  spinner(text: string): Promise<Spinner>;
  lookupUser(nameOrUid: string | number): UserAccount | undefined;
  ownerUidOf(path: string): number;
  /** Where someone other than root could change where `path` leads (a folder of theirs on the way), described; undefined when nobody can. */
  redirectableAt?(path: string): string | undefined;
  /** Whether this process may write in `dir` (its real uid, as npm would). */
  canWrite?(dir: string): boolean;
  /** Signals: each phase registers what must be undone or stopped before the process exits. */
  interrupts: Interrupts;
  /** Root only: the install and script identities (created on first use); see run/build-identity.ts. */
  buildIdentities(settings: Settings): BuildIdentities;
  /** One install at a time per project (or global prefix): waits, saying who holds it. */
  lockProject(dir: string): Promise<ProjectLock>;
  /** Finish or undo what an interrupted install left in a root-owned project; a line to say, if any. */
  /** Finish or undo an interrupted commit; `owner`: act as that user (the project is theirs). */
  recoverProject(dir: string, owner?: { uid: number; gid: number }): string | undefined;
  ensureUserCache(cacheRoot: string, user: UserAccount): string;
  runNpmInstall(job: NpmInstallJob): Promise<NpmInstallOutcome>;
  /**
   * npm's own engine in a process of the build user; spawned as early as who-runs-it is known, it
   * resolves the whole tree (nothing written) when started, and installs it when told.
   */
  /** `cacheRoot`: the settings' (npm's engine keeps its compiled code there as the install identity). */
  spawnTreeWorker(mode: InstallMode, cacheRoot: string): TreeWorker;
  /** The project folder npm will most likely use (nearest package.json upward), before its config is read. */
  guessProjectDir(): string;
  /** location → version/integrity: what is installed (hidden lockfile) and what the lockfile says. */
  installedEntries(projectDir: string): InstalledEntries;
  lockedEntries(projectDir: string): InstalledEntries;
  /** Runs after a successful install (script replay, issue 3); returns an exit code to use if non-zero. */
  afterInstall?(context: AfterInstallContext): Promise<number>;
  /** install-test / install-ci-test: `npm test` after the install, as the invoking user. */
  runNpmTest?(projectDir: string): Promise<number>;
  /** Diagnostics (SAFE_NPM_TIMING=1): a named point in time; a no-op otherwise. */
  mark?(label: string): void;
  /**
   * Every package is vetted and the flow has let go of its documents: what only vetting needed (the
   * popular-names tables) goes too, and garbage is collected while npm installs (its peak).
   */
  vettingDone?(): void;
  /** exec/npx/init: run the installed bin as the invoking user. */
  runExec?(context: ExecContext): Promise<number>;
  /** Root's exec: these exact packages were installed and kept before (their tree vetted then). */
  execTreeKept?(specs: string[], registry: string): boolean;
  /** A user's exec: what npm's own npx cache folder for these packages holds (see exec-cache.ts). */
  npxCacheState?(npmCache: string, specs: Array<{ raw: string; folder?: string }>, versions: Array<{ name: string; version: string }>, localTargets?: string[]): { state: 'held' | 'foreign' | 'new'; folder: string };
}

export interface AfterInstallContext {
  invocation: NpmInvocation;
  /** Lockfile locations new or changed in this install: asked about (undefined: unknown, treat all as new). */
  freshLocations?: Set<string>;
  /** Locations this run wrote: only their approved scripts run (undefined: all, as after npm ci). */
  writtenLocations?: Set<string>;
  /** safe-npm as the user typed it (`npm` through the shim), for the commands we suggest. */
  ownCommand: string;
  realNpm: string;
  env: Record<string, string | undefined>;
  interactive: boolean;
  cacheDir: string | undefined;
  projectDir: string;
  mode: InstallMode;
  settings: Settings;
  store: SafeStore;
  config: NpmConfig;
  strictScripts: boolean;
  interrupts: Interrupts;
}

export interface ExecContext {
  invocation: NpmInvocation;
  realNpm: string;
  env: Record<string, string | undefined>;
  cwd: string;
  npmArgs: string[];
  mode: InstallMode;
  config: NpmConfig;
  settings: Settings;
  cacheDir: string | undefined;
  interrupts: Interrupts;
  /** What to install (root: into a private prefix): the vetted `name@version`s, or the specs as typed. */
  installSpecs?: ExecPackage[];
  /** safe-npm as the user typed it (`npm` through the shim), for the commands we suggest. */
  ownCommand?: string;
}

/** A package exec installs: its spec for npm, and its registry name when known (whose bin runs). */
export interface ExecPackage {
  spec: string;
  name?: string;
}

/** One run, from stage to stage. The project fields are set by `locateProject`. */
export interface NpmSession {
  deps: NpmFlowDeps;
  inv: NpmInvocation;
  store: SafeStore;
  settings: Settings;
  strictScripts: boolean;
  /** Who runs npm for a project folder (root: its owner or the install identity). */
  modeFor(dir: string): InstallMode;
  /** npm's engine, spawned before npm's config was read (taken by the first resolution that fits). */
  early?: TreeWorker;
  /** The running resolution (then install) of the whole tree, if any. */
  tree?: TreeInstall;
  /**
   * An empty folder npm's engine resolves in where there is no tree yet: a global prefix with nothing
   * installed, the private prefix of root's exec (removed at the end).
   */
  emptyDir?: { path: string; remove(): void };
  /** Root's private copies of the tarballs named for -g / npx (what is vetted and installed). */
  tarballCopies?: { remove(): void };
  lock?: ProjectLock;
  config: NpmConfig;
  projectDir: string;
  mode: InstallMode;
  /** The build user (root only); undefined when npm runs as us. */
  buildUser: UserAccount | undefined;
  cacheDir: string | undefined;
  /** The argv for npm and the specs as the resolver gets them (rewritten by did-you-mean / skip). */
  npmArgs: string[];
  specs: string[];
  /** exec/npx/init: each spec (as in `specs`) → the `name@version` its check vetted, what is then installed and named. */
  vetted?: Map<string, ExecPackage>;
}
