/**
 * What safe-pip's install flow receives (`PipFlowDeps`: every side effect) and what one run carries
 * from stage to stage (`PipSession`), with the small helpers every stage uses.
 */
import type { SafeStore } from '../config/store.js';
import type { Settings } from '../config/settings.js';
import type { Finding, PopularNameIndex } from '../core/types.js';
import type { PipInvocation } from '../pypi/parse-pip-args.js';
import type { PipEnvironment } from '../pypi/pip-environment.js';
import type { GuardConfig, GuardSidecar } from '../pypi/pip-guard.js';
import type { PipCommand } from '../pypi/pip-options.js';
import type { GuardedPipRun, GuardedPipResult, HeldInstall, PipWorkspace } from '../pypi/pip-process.js';
import type { ReportItem } from '../pypi/pip-report.js';
import type { IndexLookups } from '../pypi/pypi-index.js';
import type { Destination } from '../pypi/run-as.js';
import type { WheelToInspect } from '../pypi/wheel-inspect.js';
import type { UserAccount } from '../run/users.js';
import { neutralize } from '../ui/neutralize.js';
import type { Prompts } from '../ui/prompts.js';

export interface PipFlowDeps {
  env: Record<string, string | undefined>;
  cwd: string;
  /** stdin and stdout are TTYs: we may prompt. */
  interactive: boolean;
  /** stdout is a TTY: the report is coloured. */
  color: boolean;
  /** The real pip (passthrough, and where its environment is read from). */
  realPip: string;
  /** safe-pip as the user typed it, for the commands we suggest: `pip` / `pip3` / `python3 -m pip` through the shim, else `safe-pip`. */
  ownCommand: string;
  now(): Date;
  stdout(text: string): void;
  stderr(text: string): void;
  openStore(): Promise<SafeStore>;
  prompts: Prompts;
  popular(): PopularNameIndex;
  /** pip's environment, read without starting Python: the real pip's, or the `--python` one's. */
  probeEnvironment(python: string | undefined): PipEnvironment;
  isRoot(): boolean;
  ownerOf(path: string): { uid: number; gid: number };
  lookupUser(uid: number): UserAccount | undefined;
  /** Whether `user` may run the interpreter at `path` (folders searchable, file executable). */
  canExecute(path: string, user: Pick<UserAccount, 'uid' | 'gid'>): boolean;
  /** The first folder on the way to `path` that `user` cannot enter (run/can-enter.ts). */
  closedFolder?(path: string, user: Pick<UserAccount, 'uid' | 'gid'>): { path: string; mode: number } | undefined;
  /** The invoking user's pip configuration files merged into one text (`devNull`: files are off). */
  /** `venvOwner`: whose venv it is (its pip.conf is read as them). */
  mergedPipConfig(venvDir: string | undefined, venvOwner?: UserAccount): string;
  /** The owner's pip cache folder (made and owned by them), or undefined: pip runs without one. */
  pipCacheFor(owner: UserAccount, cacheRoot: string): string | undefined;
  /** The real pip, untouched (a command pip itself must answer). */
  passthrough(pipArgs: string[]): Promise<number>;
  /** The private work folder of one run, and the guarded pip processes (as `owner`) that use it. */
  openWorkspace(owner: UserAccount | undefined, python: string): PipWorkspace;
  /** Index look-ups of one run: bounded concurrency, each URL once, the pages pip read not asked for again. */
  indexLookups(): Pick<IndexLookups, 'project' | 'releaseRequires' | 'known'>;
  /**
   * Read the fetched wheels: what they would install that runs code or overwrites other files.
   * `owner`: whose files they are (root reads them as that user).
   */
  inspectWheels(wheels: WheelToInspect[], sitePackages: string | undefined, owner: UserAccount | undefined): Map<string, Finding[]>;
  /**
   * pip's report where the user asked for it (`--report FILE`): the text read from the work folder,
   * written as a new file or over the old one's bytes — never a copy of the work folder's file,
   * whose mode (set-id bits too) its owner chose (attack trial), never through a link.
   */
  writeReport(to: string, text: string): void;
  /** Diagnostics (SAFE_PIP_TIMING=1): a named point in time; absent otherwise. */
  mark?(label: string): void;
}

/** The release cooldown of a run; `young` grows with versions found young through the JSON API. */
export interface Cooldown {
  hours: number;
  cutoff: Date;
  exclude: string[];
  young: Record<string, string[]>;
}

export interface PipSession {
  deps: PipFlowDeps;
  /** The user's command line (what a rerun rewrites). */
  argv: string[];
  inv: PipInvocation;
  command: PipCommand;
  pipEnv: PipEnvironment;
  destination: Destination;
  /** Who pip runs as: undefined = the invoking user (never root). */
  owner: UserAccount | undefined;
  store: SafeStore;
  settings: Settings;
  work: PipWorkspace;
  /** The environment of every pip child (owner's HOME, private TMPDIR and pip config). */
  baseEnv: Record<string, string | undefined>;
  lookups: Pick<IndexLookups, 'project' | 'releaseRequires' | 'known'>;
  cooldown?: Cooldown;
  now: Date;
  /** pip's verbosity lowered by -q (each one counts) or PIP_QUIET: safe-pip's own informational lines are left out. */
  quiet: number;
}

/** A build that must be vetted before pip may run it. */
export interface NeededBuild {
  key: string;
  name: string | null;
  version: string | null;
  url: string | null;
  why: string;
  editable?: boolean;
  kind?: string;
  /** "parent==version" when a dependency's metadata declares this `name @ URL`. */
  declaredBy?: string;
  /** sha256 of the source tree the guard read (null: too large; undefined: not read). */
  digest?: string | null;
  /** The files of the source tree the content scan reads (path → text). */
  files?: Record<string, string>;
  /** Vetted with this digest in an earlier round, but pip now meets other content. */
  changed?: boolean;
}

/** pip could not resolve the request: its exit code, its own output and what the guard saw. */
export interface Unresolved {
  unresolved: { code: number; stderr: string; side: GuardSidecar };
}

/** What the resolve stage hands on: the exact set pip chose, and the builds vetted on the way. */
export interface Resolved {
  items: ReportItem[];
  side: GuardSidecar;
  /** Keys of vetted builds (the guard's allow list). */
  vetted: string[];
  /** Vetted keys whose content was read → its digest (the guard builds only that content). */
  digests: Record<string, string>;
  approvedBuilds: NeededBuild[];
  /** The --report file pip wrote for `items`, and its text. */
  reportPath: string;
  reportText: string;
  /** `pip install` itself, held after this resolve: it installs (or not) what the vetting says. */
  held?: HeldInstall;
}

/** What the user chose at a prompt that changes the command line: run again with it. */
export interface Rerun {
  rerun: string[];
}

/** How a run ends: an exit code, or a rerun with a rewritten command line. */
export type Outcome = number | Rerun;

export function isOutcome(x: unknown): x is Outcome {
  return typeof x === 'number' || (typeof x === 'object' && x !== null && 'rerun' in x);
}

/** One line on stderr, prefixed (refusals, stops, errors: always said); names and pip's words in it are shown, never obeyed. */
export function say(s: PipSession, text: string): void {
  s.deps.stderr(`safe-pip: ${neutralize(text)}\n`);
}

/** An informational line: left out under pip's -q, like pip's own. */
export function note(s: PipSession, text: string): void {
  if (s.quiet === 0) say(s, text);
}

/** A guarded pip run in the session's folder and working directory. */
export function runPip(s: PipSession, run: Omit<GuardedPipRun, 'cwd'>): Promise<GuardedPipResult> {
  return s.work.runPip({ ...run, cwd: s.deps.cwd });
}

export function guardCooldown(s: PipSession): GuardConfig['cooldown'] {
  return s.cooldown ? { cutoff: s.cooldown.cutoff.toISOString(), exclude: s.cooldown.exclude, young: s.cooldown.young } : undefined;
}

export function cooldownExcluded(s: PipSession, canonical: string): boolean {
  return !s.cooldown || s.cooldown.exclude.some((p) => globMatch(p, canonical));
}

export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

/** A promise that never rejects (to run it alongside other work and await it later). */
export function settle<T>(p: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return p.then((value) => ({ value }), (error: unknown) => ({ error }));
}
