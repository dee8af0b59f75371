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
import type { ResolvedNode } from '../npm/tree-nodes.js';
import type { TreeInstall, TreeWorker } from '../npm/tree-install.js';
import { cooldownNotes, displayName, newOrChanged, replacedVersion, tooYoungFinding, type InstalledEntries } from './whole-tree.js';
import { runChecks, toReport } from '../checks/run-checks.js';
import { npmFacts, offlineFacts } from '../npm/npm-facts.js';
import { mapConcurrent } from '../npm/npm-registry.js';
import { registryFault, type FetchErrorLike } from '../npm/registry-faults.js';
import type { Finding, PackageReport } from '../core/types.js';
import type { BuildIdentities } from '../run/build-identity.js';
import type { Interrupts } from '../run/interrupts.js';
import type { ProjectLock } from '../run/project-lock.js';
import type { UserAccount } from '../run/users.js';
import type { Prompts } from '../ui/prompts.js';
import type { Spinner } from '../ui/spinner.js';
import { formatReports } from '../ui/format-report.js';
import { neutralize, neutralizeLines } from '../ui/neutralize.js';
import { checkNpmSpecs, type CheckedPackage } from './check-packages.js';
import { applySeverity, sayCooldown } from './decision-stages.js';

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
  /** Signals: each phase registers what must be undone or stopped before the process exits. */
  interrupts: Interrupts;
  /** Root only: the install and script identities (created on first use); see run/build-identity.ts. */
  buildIdentities(settings: Settings): BuildIdentities;
  /** One install at a time per project (or global prefix): waits, saying who holds it. */
  lockProject(dir: string): Promise<ProjectLock>;
  /** Finish or undo what an interrupted install left in a root-owned project; a line to say, if any. */
  recoverProject(dir: string): string | undefined;
  ensureUserCache(cacheRoot: string, user: UserAccount): string;
  runNpmInstall(job: NpmInstallJob): Promise<NpmInstallOutcome>;
  /**
   * npm's own engine in a process of the build user; spawned as early as who-runs-it is known, it
   * resolves the whole tree (nothing written) when started, and installs it when told.
   */
  spawnTreeWorker(mode: InstallMode): TreeWorker;
  /** The project folder npm will most likely use (nearest package.json upward), before its config is read. */
  guessProjectDir(): string;
  /** The project's lockfile as a tree (npm ci). */
  loadLockedTree(projectDir: string, registry: RegistryClient): Promise<ResolvedNode[]>;
  /** location → version/integrity: what is installed (hidden lockfile) and what the lockfile says. */
  installedEntries(projectDir: string): InstalledEntries;
  lockedEntries(projectDir: string): InstalledEntries;
  /** Runs after a successful install (script replay, issue 3); returns an exit code to use if non-zero. */
  afterInstall?(context: AfterInstallContext): Promise<number>;
  /** install-test / install-ci-test: `npm test` after the install, as the invoking user. */
  runNpmTest?(projectDir: string): Promise<number>;
  /** Diagnostics (SAFE_NPM_TIMING=1): a named point in time; a no-op otherwise. */
  mark?(label: string): void;
  /** exec/npx/init: run the installed bin as the invoking user. */
  runExec?(context: ExecContext): Promise<number>;
}

export interface AfterInstallContext {
  invocation: NpmInvocation;
  /** Lockfile locations new or changed in this install (undefined: unknown, treat all as new). */
  freshLocations?: Set<string>;
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
}

export async function npmInstallFlow(invocation: NpmInvocation, deps: NpmFlowDeps): Promise<number> {
  const store = await deps.openStore();
  const settings = applyEnvOverrides(store.settings(), deps.env, 'SAFE_NPM');
  const strictScripts = invocation.ownFlags.strictScripts || settings.strictScripts;
  let identities: BuildIdentities | undefined;
  const buildIdentities = () => {
    if (!identities) {
      identities = deps.buildIdentities(settings);
      for (const w of identities.warnings) deps.stderr(`safe-npm: ${w}\n`);
    }
    return identities;
  };
  const modeFor = (dir: string) => chooseInstallMode({
    euid: deps.euid,
    projectOwnerUid: deps.ownerUidOf(dir),
    global: invocation.global,
    lookup: deps.lookupUser,
    identities: buildIdentities,
    identityNames: [settings.runAsUser, settings.scriptUser],
  });
  // npm's engine starts loading before npm's configuration is read: it only needs to know whom it
  // runs as. A wrong guess (another project root) is simply discarded.
  let early = mayResolveTree(invocation) ? deps.spawnTreeWorker(modeFor(deps.guessProjectDir())) : undefined;
  let lock: ProjectLock | undefined;
  try {
    return await withEarlyWorker();
  } finally {
    await early?.cancel();
    await lock?.release();
  }

  async function withEarlyWorker(): Promise<number> {
  const config = await deps.loadNpmConfig(invocation.npmArgs);
  const projectDir = config.localPrefix;
  const mode = modeFor(projectDir);
  const buildUser = mode.kind === 'self' ? undefined : mode.user;
  // Everything that reads or writes the project happens under its lock (npm's resolver reads it).
  if (writesProject(invocation)) {
    lock = await deps.lockProject(invocation.global ? config.globalPrefix : projectDir);
    const held = lock;
    // Freed before we exit on a signal too, so that nothing of ours holds the project afterwards.
    deps.interrupts.onInterrupt(() => held.release());
    deps.mark?.('project locked');
    if (mode.kind === 'staging') {
      const repaired = deps.recoverProject(projectDir);
      if (repaired) deps.stderr(`safe-npm: ${repaired}\n`);
    }
  }
  const cacheDir = cacheFor(mode, settings, config, deps);

  // `rebuild` installs nothing: it is our vetted script replay, never npm's (which runs everything as us).
  if (invocation.kind === 'rebuild') {
    if (!deps.afterInstall) return ExitCode.ok;
    return deps.afterInstall({ invocation, realNpm: deps.realNpm, env: deps.env, interactive: deps.interactive, cacheDir, projectDir, mode, settings, store, config, strictScripts, interrupts: deps.interrupts });
  }

  let npmArgs = [...invocation.npmArgs];
  const requested = invocation.kind === 'exec' || invocation.kind === 'init' ? invocation.exec?.packages ?? [] : invocation.specs;
  const treeMode = wholeTreeMode(invocation, config);
  let specs = requested.map((s) => s.raw);

  // npm's resolver starts right away, as the build user, while the requested packages are checked.
  const now = deps.now();
  const cooldown = cooldownFor(treeMode, settings, now);
  const startTree = (add: string[]) => {
    const worker = early && sameMode(early.mode, mode) ? early : deps.spawnTreeWorker(mode);
    if (worker === early) early = undefined;
    return worker.start({
      projectDir,
      // As npm's update command does: package.json is saved only when --save was given.
      options: { ...config.flat, ...(invocation.kind === 'update' && config.isDefault('save') ? { save: false } : {}) },
      cacheDir,
      add: invocation.kind === 'update' ? [] : add,
      update: invocation.kind === 'update' ? (invocation.specs.length ? invocation.specs.map((s) => s.name ?? s.raw) : true) : undefined,
      before: cooldown.before,
      cooldownExclude: settings.cooldownExclude,
      localFolders: invocation.specs.filter((s) => (s.type === 'directory' || s.type === 'file') && s.fetchSpec).map((s) => s.fetchSpec!),
    });
  };
  deps.mark?.('config loaded');
  let tree = treeMode === 'resolve' ? startTree(specs) : undefined;
  deps.mark?.('resolver started');
  const registry = requested.length > 0 || treeMode !== 'none' ? await deps.createRegistry(config, cacheDir) : undefined;
  try {
    return await afterTreeStart();
  } finally {
    await tree?.cancel();
  }

  async function afterTreeStart(): Promise<number> {
    if (requested.length > 0) {
      const popular = deps.popular();
      const spinner = await deps.spinner(`checking ${requested.length === 1 ? requested[0]!.raw : `${requested.length} packages`}`);
      let checked: CheckedPackage[];
      try {
        // Cache entries written during the check must belong to the user who installs next.
        checked = await deps.asBuildUser(buildUser, () => checkNpmSpecs({
          specs: requested, registry: registry!, settings, popular, now: deps.now(),
          defaultTag: String(config.get('tag') ?? 'latest'),
          ...cooldown,
        }));
      } finally {
        spinner.stop();
      }
      deps.mark?.('requested packages checked');
      sayCooldown(checked.map((c) => c.report), deps, 'safe-npm');
      const outcome = await settle(checked, { deps, store, settings, yes: invocation.ownFlags.yes, registry: registry!, buildUser });
      if (outcome.kind === 'exit') return outcome.exitCode;
      npmArgs = rewriteArgs(npmArgs, outcome.replacements);
      specs = rewriteArgs(specs, outcome.replacements);
      if (outcome.allSkipped) {
        deps.stderr('safe-npm: every requested package was skipped; nothing to install\n');
        return ExitCode.ok;
      }
      if (tree && outcome.replacements.size > 0) {
        // A substituted or skipped package: resolve again with what will really be installed.
        await tree.cancel();
        tree = startTree(specs);
      }
    }

    if ((invocation.kind === 'exec' || invocation.kind === 'init') && deps.runExec) {
      return deps.runExec({ invocation, realNpm: deps.realNpm, env: deps.env, cwd: deps.cwd, npmArgs, mode, config, settings, cacheDir, interrupts: deps.interrupts });
    }

    // The whole tree: resolved by npm's engine before anything is written, every new or changed
    // package vetted; then that engine installs exactly the vetted tree (npm ci: the vetted lockfile).
    let freshLocations: Set<string> | undefined;
    if (treeMode !== 'none') {
      const outcome = await vetWholeTree(treeMode, { invocation, deps, store, settings, registry: registry!, buildUser, projectDir, tree, requested: requested.map((r) => r.registryName ?? r.name ?? r.raw), before: cooldown.before });
      if (outcome.kind === 'exit') return outcome.exitCode;
      deps.mark?.('tree vetted');
      freshLocations = new Set(outcome.changed.map((n) => n.location));
      if (invocation.kind === 'install-ci-test') npmArgs = replaceCommand(npmArgs, invocation, 'ci');
    }

    if (tree) {
      const started = Date.now();
      const result = await tree.install();
      tree = undefined;
      deps.mark?.('tree installed');
      if (result.exitCode !== 0) {
        // A tarball the registry broke, cut short or swapped: nothing was installed as vetted (68).
        const fault = registryFault({ code: result.code, message: result.error }, 'tarball', String(registry?.options.registry ?? ''));
        deps.stderr(`safe-npm: ${fault ? neutralize(fault) : `npm could not install the vetted tree: ${neutralize(String(result.error))}`}\nsafe-npm: nothing was changed\n`);
        return fault ? ExitCode.couldNotVerify : result.exitCode;
      }
      deps.stdout(`${installSummary(result)} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
    } else {
      const result = await deps.runNpmInstall({ ...installJob(), args: npmArgs });
      if (result.output && !result.error) {
        deps.stdout(neutralizeLines(result.output.stdout));
        deps.stderr(neutralizeLines(result.output.stderr));
      }
      if (result.error) deps.stderr(`safe-npm: ${neutralize(result.error)}\n`);
      if (result.exitCode !== 0) return result.exitCode;
    }
    if (deps.afterInstall) {
      deps.mark?.('install done');
      const code = await deps.afterInstall({ invocation, freshLocations, realNpm: deps.realNpm, env: deps.env, interactive: deps.interactive, cacheDir, projectDir, mode, settings, store, config, strictScripts, interrupts: deps.interrupts });
      if (code !== 0) return code;
    }
    // install-test / install-ci-test: the tests are the user's own code, run as the user asked.
    if ((invocation.kind === 'install-test' || invocation.kind === 'install-ci-test') && deps.runNpmTest) {
      await lock?.release();
      lock = undefined;
      return deps.runNpmTest(projectDir);
    }
    return ExitCode.ok;
  }

  function installJob(): NpmInstallJob {
    return {
      realNpm: deps.realNpm,
      args: npmArgs,
      projectDir,
      globalPrefix: config.globalPrefix,
      force: config.get('force') === true,
      env: deps.env,
      userconfigPath: config.userconfigPath,
      cacheDir,
      mode,
      interrupts: deps.interrupts,
    };
  }
  }
}

/** Commands that write the project (or the global prefix): they take its lock. */
function writesProject(invocation: NpmInvocation): boolean {
  return invocation.kind !== 'exec' && invocation.kind !== 'init' && invocation.kind !== 'passthrough' && invocation.kind !== 'safe';
}

type TreeMode = 'none' | 'resolve' | 'lockfile';

/** Whether this command will probably resolve a tree (npm's config may still say otherwise). */
function mayResolveTree(invocation: NpmInvocation): boolean {
  return ['install', 'update', 'install-test'].includes(invocation.kind) && !invocation.global && invocation.workspaces === false;
}

function sameMode(a: InstallMode, b: InstallMode): boolean {
  return a.kind === b.kind && (a.kind === 'self' || (b.kind !== 'self' && a.user.uid === b.user.uid));
}

/** The release cooldown applies where we resolve: new installs and updates, not a lockfile install. */
function cooldownFor(mode: TreeMode, settings: Settings, now: Date): { before?: Date; cooldownHours: number; cooldownExclude: string[] } {
  const hours = settings.minReleaseAgeHours;
  if (mode !== 'resolve' || hours <= 0) return { cooldownHours: 0, cooldownExclude: [] };
  return { before: new Date(now.getTime() - hours * 3_600_000), cooldownHours: hours, cooldownExclude: settings.cooldownExclude };
}

/**
 * How much of the tree we vet: `resolve` = npm's resolver computes the tree and we install the vetted
 * lockfile; `lockfile` = npm ci installs the existing lockfile, whose new entries we vet; `none` = only
 * the requested packages (global installs, workspace-targeted installs, --no-save, exec, link...).
 */
export function wholeTreeMode(invocation: NpmInvocation, config: Pick<NpmConfig, 'get'>): TreeMode {
  if (invocation.global) return 'none';
  if (invocation.kind === 'ci' || invocation.kind === 'install-ci-test') return 'lockfile';
  if (!['install', 'update', 'install-test'].includes(invocation.kind)) return 'none';
  if (invocation.workspaces !== false) return 'none';
  if (config.get('save') === false || config.get('package-lock') === false) return 'none';
  return 'resolve';
}

/** npm's own wording: "added 3 packages, removed 1 package, changed 2 packages". */
export function installSummary(counts: { added: number; removed: number; changed: number }): string {
  const part = (n: number, verb: string) => `${verb} ${n} package${n === 1 ? '' : 's'}`;
  const parts = [
    ...(counts.added ? [part(counts.added, 'added')] : []),
    ...(counts.removed ? [part(counts.removed, 'removed')] : []),
    ...(counts.changed ? [part(counts.changed, 'changed')] : []),
  ];
  return parts.length ? parts.join(', ') : 'up to date';
}

/** The user's npm argv with the command word replaced (install-ci-test → ci: the tests run separately). */
function replaceCommand(npmArgs: string[], invocation: NpmInvocation, command: string): string[] {
  const at = npmArgs.indexOf(invocation.typedCommand ?? '');
  return at < 0 ? npmArgs : [...npmArgs.slice(0, at), command, ...npmArgs.slice(at + 1)];
}

interface VetContext {
  invocation: NpmInvocation;
  deps: NpmFlowDeps;
  store: SafeStore;
  settings: Settings;
  registry: RegistryClient;
  buildUser: UserAccount | undefined;
  projectDir: string;
  tree: TreeInstall | undefined;
  /** Registry names already checked as requested packages (not reported twice). */
  requested: string[];
  before?: Date;
}

async function vetWholeTree(
  mode: Exclude<TreeMode, 'none'>,
  ctx: VetContext,
): Promise<{ kind: 'exit'; exitCode: number } | { kind: 'go'; nodes: ResolvedNode[]; changed: ResolvedNode[] }> {
  const { deps, settings, registry, buildUser } = ctx;
  const now = deps.now();
  const cooldownHours = settings.minReleaseAgeHours;
  const before = ctx.before;
  const spinner = await deps.spinner('resolving the dependency tree');
  let nodes: ResolvedNode[];
  let tooYoung: Array<{ name: string; wanted: string }> = [];
  try {
    if (mode === 'resolve') {
      const resolved = await ctx.tree!.resolved;
      ({ nodes, tooYoung } = resolved);
      for (const [name, packument] of Object.entries(resolved.packuments)) registry.prime(name, packument);
      deps.mark?.('tree resolved');
    } else {
      nodes = await deps.loadLockedTree(ctx.projectDir, registry);
    }
  } catch (error) {
    spinner.stop();
    const message = (error as Error).message.split('\n')[0];
    const code = (error as { code?: string }).code;
    // A registry that failed (5xx, 429, timeout, broken or malformed answer) verified nothing: 68.
    const fault = code === 'EUNREACHABLE' ? message : registryFault(error as FetchErrorLike, 'metadata', String(registry.options.registry ?? ''));
    if (fault) {
      deps.stderr(`safe-npm: ${neutralize(fault!)}; nothing was changed\n`);
      return { kind: 'exit', exitCode: ExitCode.couldNotVerify };
    }
    deps.stderr(`safe-npm: npm could not resolve the dependency tree: ${neutralize(message!)}\nsafe-npm: nothing was changed\n`);
    return { kind: 'exit', exitCode: code === 'E404' ? ExitCode.blocked : 1 };
  }

  const installed = deps.installedEntries(ctx.projectDir);
  const locked = deps.lockedEntries(ctx.projectDir);
  const changed = newOrChanged(nodes, installed);
  const youngNames = new Set(tooYoung.map((t) => t.name));
  const popular = deps.popular();
  const ctxChecks = { now, thresholds: settings.thresholds, popular };
  spinner.update(`checking ${changed.length} new or changed packages`);
  const reports: Array<{ report: PackageReport; node: ResolvedNode }> = await deps.asBuildUser(buildUser, () =>
    mapConcurrent(changed, 16, async (node) => {
      const spec = { raw: `${node.name}@${node.version}`, type: node.registry ? 'version' : node.source, name: node.name, registryName: node.name, fetchSpec: node.version, fromRegistry: node.registry };
      const packumentResult = node.registry ? await registry.packument(node.name) : undefined;
      const facts = packumentResult
        ? npmFacts(spec, packumentResult, { replacedVersion: replacedVersion(node, locked) })
        : offlineFacts(spec);
      facts.requested = displayName(node);
      facts.dependencyPath = node.path;
      const alreadyChecked = node.path.length === 1 && ctx.requested.includes(node.name);
      const findings: Finding[] = alreadyChecked
        ? []
        : runChecks(facts, ctxChecks, { offline: false, severity: settings.severity }).filter((f) => !(mode === 'resolve' && f.check === 'new-version' && before));
      if (node.registry && integrityChanged(node, packumentResult)) {
        findings.push({ check: 'integrity-mismatch', severity: 'block', message: `${node.name}@${node.version}: the registry now serves a different tarball than the lockfile records (${node.integrity})` });
      }
      if (before && packumentResult?.ok && !alreadyChecked) {
        if (youngNames.has(node.name)) findings.push(tooYoungFinding(facts, cooldownHours, now));
        else findings.push(...cooldownNotes(node, packumentResult.packument, wantedRanges(node, nodes), before, now));
      }
      const report = toReport(facts, applySeverity(findings, settings));
      return { report, node };
    }),
  );
  spinner.stop();
  sayCooldown(reports.map((r) => r.report), deps, 'safe-npm');
  const flagged = reports.filter((r) => r.report.findings.length > 0);
  if (flagged.length === 0) return { kind: 'go', nodes, changed };
  const outcome = await settleTransitive(flagged.map((r) => r.report), ctx);
  if (outcome !== 'go') return { kind: 'exit', exitCode: outcome };
  return { kind: 'go', nodes, changed };
}

/** The ranges the tree asks of this package (for the cooldown note); approximated by its dependents' specs. */
function wantedRanges(_node: ResolvedNode, _nodes: readonly ResolvedNode[]): string[] {
  return [];
}

function integrityChanged(node: ResolvedNode, result: Awaited<ReturnType<RegistryClient['packument']>> | undefined): boolean {
  if (!result?.ok || !node.integrity) return false;
  const published = result.packument.versions?.[node.version]?.dist?.integrity;
  return Boolean(published && published !== node.integrity);
}

/** Transitive findings: info is shown, the rest goes through the same policy; no skip/substitute. */
async function settleTransitive(reports: PackageReport[], ctx: VetContext): Promise<'go' | number> {
  const { deps, store } = ctx;
  // Information alone is not worth interrupting a good install for: it shows when we ask.
  const decision = decide({
    tool: 'safe-npm',
    reports,
    isTrusted: (name) => store.isTrusted('npm', name),
    interactive: deps.interactive,
    yes: ctx.invocation.ownFlags.yes,
  });
  if (decision.action === 'proceed') return 'go';
  if (decision.action === 'stop') {
    const text = formatReports(decision.reasons.length ? reports.filter((r) => r.verdict !== 'ok') : [], { color: false, showInfo: false });
    if (text) deps.stderr(`${text}\n`);
    deps.stderr(`safe-npm: install stopped (exit ${decision.exitCode}); nothing was changed:\n`);
    for (const reason of decision.reasons) deps.stderr(`  ${neutralize(reason)}\n`);
    return decision.exitCode;
  }
  deps.stderr(`${formatReports(decision.packages.map((p) => p.report), { color: deps.stderrIsTTY, showInfo: true })}\n`);
  for (const open of decision.packages) {
    const answer = await deps.prompts.askAboutPackage(open.report, open.open, undefined, { transitive: true });
    if (answer === 'abort' || answer === 'skip' || answer === 'substitute') throw new Cancelled('aborted; nothing was changed');
    if (answer === 'install-and-trust') store.trust('npm', open.report.packageName ?? open.report.name, deps.now());
  }
  return 'go';
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
      for (const reason of decision.reasons) deps.stderr(`  ${neutralize(reason)}\n`);
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
