/** The state one safe-pip run carries from stage to stage, and small helpers every stage uses. */
import { readFileSync } from 'node:fs';
import { SafeStore } from '../config/store.js';
import { type Settings } from '../config/settings.js';
import type { Prompts } from '../ui/prompts.js';
import { type UserAccount } from '../run/users.js';
import { type PipInvocation } from '../pypi/parse-pip-args.js';
import type { PipCommand } from '../pypi/pip-options.js';
import { type PipEnvironment } from '../pypi/pip-environment.js';
import { type Destination } from '../pypi/run-as.js';
import { type WorkDir } from '../pypi/pip-process.js';
import { type GuardSidecar } from '../pypi/pip-guard.js';
import { IndexLookups } from '../pypi/pypi-index.js';
import type { GuardConfig } from '../pypi/pip-guard.js';

export interface PipFlowIo {
  argv: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  realPip: string;
  stderr(text: string): void;
  stdout(text: string): void;
  /** Injected for tests; defaults to the inquirer prompts. */
  prompts?: Prompts;
  now?: Date;
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
}

/** What the user chose at a prompt that changes the command line: run again with it. */
export interface Rerun {
  rerun: string[];
}

export interface FlowState {
  inv: PipInvocation;
  command: PipCommand;
  io: PipFlowIo;
  pipEnv: PipEnvironment;
  owner: UserAccount | undefined;
  store: SafeStore;
  settings: Settings;
  work: WorkDir;
  baseEnv: Record<string, string | undefined>;
  interactive: boolean;
  destination: Destination;
  /** Every index look-up of the run: bounded concurrency, each URL once. */
  lookups: IndexLookups;
  /** Release cooldown (settings.minReleaseAgeHours > 0); `young` grows with versions found young through the JSON API. */
  cooldown?: { hours: number; cutoff: Date; exclude: string[]; young: Record<string, string[]> };
  now: Date;
}

export function guardCooldown(s: FlowState): GuardConfig['cooldown'] {
  return s.cooldown ? { cutoff: s.cooldown.cutoff.toISOString(), exclude: s.cooldown.exclude, young: s.cooldown.young } : undefined;
}

export function cooldownExcluded(s: FlowState, canonical: string): boolean {
  return !s.cooldown || s.cooldown.exclude.some((p) => globMatch(p, canonical));
}

export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

export function readSidecar(path: string): GuardSidecar {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as GuardSidecar;
  } catch {
    return {};
  }
}
