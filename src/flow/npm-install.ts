/**
 * THE safe-npm install flow: check the requested packages → decide (allowlist, policy, TTY) →
 * prompt → install with scripts off as a non-root user → replay vetted scripts → exit code.
 * Every side effect comes in through `deps`, so the unit tests drive it with fakes.
 */
import type { SafeStore } from '../config/store.js';
import { applyEnvOverrides, type Settings } from '../config/settings.js';
import { decide } from '../core/decide.js';
import { Cancelled, SafeError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { PopularNameIndex } from '../core/types.js';
import { chooseInstallMode, type InstallMode } from '../npm/install-mode.js';
import type { NpmConfig } from '../npm/npm-config.js';
import type { NpmInvocation, NpmSpecRequest } from '../npm/npm-invocation.js';
import type { RegistryClient } from '../npm/npm-registry.js';
import type { NpmInstallJob, NpmInstallOutcome } from '../npm/run-npm-install.js';
import type { UserAccount } from '../run/users.js';
import type { Prompts } from '../ui/prompts.js';
import type { Spinner } from '../ui/spinner.js';
import { formatReports } from '../ui/format-report.js';
import { checkNpmSpecs, type CheckedPackage } from './check-packages.js';

export interface NpmFlowDeps {
  env: Record<string, string | undefined>;
  cwd: string;
  /** stdin and stdout are TTYs: we may prompt. */
  interactive: boolean;
  /** stderr is a TTY: spinner and colours. */
  stderrIsTTY: boolean;
  euid: number;
  realNpm: string;
  now(): Date;
  stdout(text: string): void;
  stderr(text: string): void;
  openStore(): Promise<SafeStore>;
  loadNpmConfig(npmArgs: string[]): Promise<NpmConfig>;
  createRegistry(config: NpmConfig, cache: string | undefined): Promise<RegistryClient>;
  /** Runs `fn` with the build user's effective uid (root only), so the cache it fills is that user's. */
  asBuildUser<T>(user: UserAccount | undefined, fn: () => Promise<T>): Promise<T>;
  popular(): PopularNameIndex;
  prompts: Prompts;
  spinner(text: string): Promise<Spinner>;
  lookupUser(nameOrUid: string | number): UserAccount | undefined;
  ownerUidOf(path: string): number;
  ensureUserCache(cacheRoot: string, user: UserAccount): string;
  runNpmInstall(job: NpmInstallJob): Promise<NpmInstallOutcome>;
  /** Runs after a successful install (script replay, issue 3); returns an exit code to use if non-zero. */
  afterInstall?(context: AfterInstallContext): Promise<number>;
  /** exec/npx/init: run the installed bin as the invoking user. */
  runExec?(context: ExecContext): Promise<number>;
}

export interface AfterInstallContext {
  invocation: NpmInvocation;
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
}

export async function npmInstallFlow(invocation: NpmInvocation, deps: NpmFlowDeps): Promise<number> {
  const store = await deps.openStore();
  const settings = applyEnvOverrides(store.settings(), deps.env, 'SAFE_NPM');
  const strictScripts = invocation.ownFlags.strictScripts || settings.strictScripts;
  const config = await deps.loadNpmConfig(invocation.npmArgs);
  const projectDir = config.localPrefix;
  const mode = chooseInstallMode({
    euid: deps.euid,
    projectOwnerUid: deps.ownerUidOf(projectDir),
    global: invocation.global,
    lookup: deps.lookupUser,
    runAsUser: settings.runAsUser,
  });
  const buildUser = mode.kind === 'self' ? undefined : mode.user;
  const cacheDir = cacheFor(mode, settings, config, deps);

  // `rebuild` installs nothing: it is our vetted script replay, never npm's (which runs everything as us).
  if (invocation.kind === 'rebuild') {
    if (!deps.afterInstall) return ExitCode.ok;
    return deps.afterInstall({ invocation, realNpm: deps.realNpm, env: deps.env, interactive: deps.interactive, cacheDir, projectDir, mode, settings, store, config, strictScripts });
  }

  let npmArgs = [...invocation.npmArgs];
  const requested = invocation.kind === 'exec' || invocation.kind === 'init' ? invocation.exec?.packages ?? [] : invocation.specs;

  if (requested.length > 0) {
    const registry = await deps.createRegistry(config, cacheDir);
    const popular = deps.popular();
    const spinner = await deps.spinner(`checking ${requested.length === 1 ? requested[0]!.raw : `${requested.length} packages`}`);
    let checked: CheckedPackage[];
    try {
      // Cache entries written during the check must belong to the user who installs next.
      checked = await deps.asBuildUser(buildUser, () => checkNpmSpecs({
        specs: requested, registry, settings, popular, now: deps.now(),
        defaultTag: String(config.get('tag') ?? 'latest'),
      }));
    } finally {
      spinner.stop();
    }
    const outcome = await settle(checked, { deps, store, settings, yes: invocation.ownFlags.yes, registry, buildUser });
    if (outcome.kind === 'exit') return outcome.exitCode;
    npmArgs = rewriteArgs(npmArgs, outcome.replacements);
    if (outcome.allSkipped) {
      deps.stderr('safe-npm: every requested package was skipped; nothing to install\n');
      return ExitCode.ok;
    }
  }

  if ((invocation.kind === 'exec' || invocation.kind === 'init') && deps.runExec) {
    return deps.runExec({ invocation, realNpm: deps.realNpm, env: deps.env, cwd: deps.cwd, npmArgs, mode, config, settings, cacheDir });
  }

  const result = await deps.runNpmInstall({
    realNpm: deps.realNpm,
    args: npmArgs,
    projectDir,
    globalPrefix: config.globalPrefix,
    env: deps.env,
    userconfigPath: config.userconfigPath,
    cacheDir,
    mode,
  });
  if (result.exitCode !== 0) return result.exitCode;
  if (deps.afterInstall && !invocation.global) {
    const code = await deps.afterInstall({ invocation, realNpm: deps.realNpm, env: deps.env, interactive: deps.interactive, cacheDir, projectDir, mode, settings, store, config, strictScripts });
    if (code !== 0) return code;
  }
  return ExitCode.ok;
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

type Settled =
  | { kind: 'exit'; exitCode: number }
  | { kind: 'go'; replacements: Map<string, string | null>; allSkipped: boolean };

/**
 * Apply policy; in a TTY ask about each flagged package. Returns the argv rewrites:
 * raw spec → replacement name (did-you-mean) or null (skip).
 */
async function settle(
  checked: CheckedPackage[],
  ctx: { deps: NpmFlowDeps; store: SafeStore; settings: Settings; yes: boolean; registry: RegistryClient; buildUser: UserAccount | undefined },
): Promise<Settled> {
  const { deps, store } = ctx;
  const replacements = new Map<string, string | null>();
  let pending = checked;
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    const decision = decide({
      tool: 'safe-npm',
      reports: pending.map((c) => c.report),
      isTrusted: (name) => store.isTrusted('npm', name),
      interactive: deps.interactive,
      yes: ctx.yes,
    });
    if (decision.action === 'proceed') break;
    if (decision.action === 'stop') {
      const report = formatReports(pending.map((c) => c.report), { color: false, showInfo: false });
      if (report) deps.stderr(`${report}\n`);
      deps.stderr(`safe-npm: install stopped (exit ${decision.exitCode}); nothing was changed:\n`);
      for (const reason of decision.reasons) deps.stderr(`  ${reason}\n`);
      return { kind: 'exit', exitCode: decision.exitCode };
    }
    deps.stderr(`${formatReports(decision.packages.map((p) => p.report), { color: deps.stderrIsTTY, showInfo: true })}\n`);
    const substitutes: NpmSpecRequest[] = [];
    for (const open of decision.packages) {
      const item = pending.find((c) => c.report === open.report)!;
      const suggestion = open.open.find((f) => f.didYouMean)?.didYouMean;
      const answer = await deps.prompts.askAboutPackage(open.report, open.open, suggestion);
      if (answer === 'abort') throw new Cancelled('aborted; nothing was changed');
      if (answer === 'skip') replacements.set(item.spec.raw, null);
      if (answer === 'install-and-trust') store.trust('npm', item.facts.name, deps.now());
      if (answer === 'substitute' && suggestion) {
        replacements.set(item.spec.raw, suggestion);
        substitutes.push({ raw: suggestion, type: 'tag', name: suggestion, registryName: suggestion, fetchSpec: 'latest', fromRegistry: true });
      }
    }
    if (substitutes.length === 0) break;
    // The substitute is checked like anything else before it installs.
    const popular = deps.popular();
    pending = await deps.asBuildUser(ctx.buildUser, () =>
      checkNpmSpecs({ specs: substitutes, registry: ctx.registry, settings: ctx.settings, popular, now: deps.now() }));
  }
  const skipped = [...replacements.values()].filter((v) => v === null).length;
  return { kind: 'go', replacements, allSkipped: skipped > 0 && skipped === checked.length };
}

/** Replace or drop positional spec tokens in npm's argv (first occurrence each). */
export function rewriteArgs(args: string[], replacements: Map<string, string | null>): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  for (const arg of args) {
    if (replacements.has(arg) && !done.has(arg)) {
      done.add(arg);
      const to = replacements.get(arg);
      if (to) out.push(to);
      continue;
    }
    out.push(arg);
  }
  return out;
}

export { SafeError };
