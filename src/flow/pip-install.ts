/**
 * safe-pip install / download / wheel:
 *   environment (no Python started) → who pip runs as (never root) → resolve with
 *   `pip install --dry-run --report --only-binary=:all:` under the build guard → builds that are
 *   needed are vetted (TTY prompt / pre-approval; --safe-yes never) → facts + checks + dependency
 *   confusion → decide → fetch/build the exact set into a private folder → inspect the wheels →
 *   install only those pinned, hashed wheels (--no-index --find-links DIR --require-hashes).
 */
import { existsSync, readdirSync, readFileSync, copyFileSync, mkdirSync, chownSync, renameSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { devNull } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SafeStore } from '../config/store.js';
import { applyEnvOverrides, type Settings } from '../config/settings.js';
import { Blocked, SafeError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { decide } from '../core/decide.js';
import type { Finding, PackageFacts, PackageReport } from '../core/types.js';
import { runChecks, toReport, verdictOf } from '../checks/run-checks.js';
import { popularNames } from '../checks/popular-names.js';
import { formatReports } from '../ui/format-report.js';
import type { Prompts } from '../ui/prompts.js';
import { isRoot, lookupUser, ownerOf, type UserAccount } from '../run/users.js';
import { normalizePypiName } from '../pypi/normalize-name.js';
import { parsePipArgs, optionValues, hasOption, rebuildArgs, type PipInvocation } from '../pypi/parse-pip-args.js';
import { parseRequirementName } from '../pypi/pypi-check.js';
import { runPassthrough } from '../run/passthrough.js';
import type { PipCommand } from '../pypi/pip-options.js';
import { describeEnvironment, environmentForPython, sitePackagesOf, type PipEnvironment } from '../pypi/pip-environment.js';
import { decideRunAs, type Destination, type RunAs } from '../pypi/run-as.js';
import { mergedPipConfig } from '../pypi/pip-config.js';
import { guardedPipCommand, makeWorkDir, runCommand, writeWorkFile, type WorkDir } from '../pypi/pip-process.js';
import { GUARD_EXIT_BUILD_REFUSED, GUARD_EXIT_HOOKS_FAILED, type GuardRefusal, type GuardSidecar } from '../pypi/pip-guard.js';
import { declaredUrlDependencies, parseInstallReport, pinnedLine, type ReportItem } from '../pypi/pip-report.js';
import { dryRunArgs, finalInstallArgs, indexLines, userCommandArgs, wheelStepArgs, withoutRequestEnv } from '../pypi/pip-commands.js';
import { confusionFindings, sourceCount, sourceOf } from '../pypi/dependency-confusion.js';
import { IndexLookups } from '../pypi/pypi-index.js';
import { dependencyNamesOf, factsFromAnswer, versionTimes } from '../pypi/pypi-facts.js';
import { compareVersions } from '../pypi/pep440.js';
import { describeAge } from '../checks/age.js';
import { tooYoungFinding } from './whole-tree.js';
import { dependencyPaths, pathDisplayName } from '../pypi/dependency-paths.js';
import type { GuardConfig } from '../pypi/pip-guard.js';
import { inspectWheels, installedFiles, parseWheelFilename } from '../pypi/wheel-inspect.js';

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
interface NeededBuild {
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
interface Rerun {
  rerun: string[];
}

export async function runPipInstallFlow(first: PipInvocation, io: PipFlowIo): Promise<number> {
  let argv = io.argv;
  for (let attempt = 0; attempt < 10; attempt++) {
    const result = await runOnce(first, { ...io, argv });
    if (typeof result === 'number') return result;
    argv = result.rerun;
    io.stderr(`safe-pip: running again as: pip ${argv.join(' ')}\n`);
  }
  throw new SafeError('too many changes at the prompt in one run', ExitCode.internal);
}

async function runOnce(first: PipInvocation, io: PipFlowIo): Promise<number | Rerun> {
  // The environment first: its pip version decides how the command line is tokenised.
  const pythonOpt = optionValues(first.items, '--python').at(-1);
  const pipEnv: PipEnvironment = pythonOpt ? environmentForPython(pythonOpt, io.cwd) : describeEnvironment(io.realPip);
  const inv = parsePipArgs(io.argv, { env: io.env, version: pipEnv.pipVersion });
  // e.g. `pip lock` on a pip older than 25.1: pip itself says it has no such command.
  if (inv.kind === 'passthrough' || inv.kind === 'safe') return runPassthrough(io.realPip, inv.pipArgs, { signals: process });
  const command = inv.kind;
  const interactive = io.stdinIsTTY && io.stdoutIsTTY;

  const destination = destinationOf(inv, io);
  const runAs: RunAs = decideRunAs({
    isRoot: isRoot(),
    env: pipEnv,
    destination,
    command,
    ownerOf,
    lookupUser: (uid) => lookupUser(uid),
  });
  const owner = runAs.self ? undefined : runAs.user;

  const store = await SafeStore.open();
  const settings = applyEnvOverrides(store.settings(), io.env, 'SAFE_PIP');
  const work = makeWorkDir(owner);
  try {
    const baseEnv = childEnv(io.env, pipEnv, owner, work, settings);
    const now = io.now ?? new Date();
    const hours = settings.minReleaseAgeHours;
    const cooldown = hours > 0
      ? { hours, cutoff: new Date(now.getTime() - hours * 3_600_000), exclude: settings.cooldownExclude.map((p) => p.toLowerCase().replace(/[-_.]+/g, '-')), young: {} as Record<string, string[]> }
      : undefined;
    return await flow({ inv, command, io, pipEnv, owner, store, settings, work, baseEnv, interactive, destination, lookups: new IndexLookups({ limit: 8 }), cooldown, now });
  } finally {
    work.cleanup();
  }
}

interface FlowState {
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

function guardCooldown(s: FlowState): GuardConfig['cooldown'] {
  return s.cooldown ? { cutoff: s.cooldown.cutoff.toISOString(), exclude: s.cooldown.exclude, young: s.cooldown.young } : undefined;
}

function cooldownExcluded(s: FlowState, canonical: string): boolean {
  return !s.cooldown || s.cooldown.exclude.some((p) => globMatch(p, canonical));
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

async function flow(s: FlowState): Promise<number | Rerun> {
  const { io, inv, work } = s;
  const say = (t: string) => io.stderr(`safe-pip: ${t}\n`);

  // Editable VCS checkouts: pip would run git (and then the backend) before anything can be vetted.
  const editableArgs = [...optionValues(inv.items, '--editable'), ...(io.env.PIP_EDITABLE ?? '').split(/\s+/).filter(Boolean)];
  const remote = editableArgs.find((e) => /^[a-z]+\+/i.test(e) || /^[a-z][a-z0-9+.-]*:\/\//i.test(e));
  if (remote) throw new UsageError(`editable installs are supported from a local folder only (${remote}): clone it, review it, then run: safe-pip install -e <folder>`);

  // 1. Resolve (never builds unvetted code); vet builds as they come up.
  const vetted: string[] = [];
  const noBinary: string[] = [];
  const approvedBuilds: NeededBuild[] = [];
  let items: ReportItem[] = [];
  let side: GuardSidecar = {};
  let cooldownRounds = 0;
  for (let round = 0; ; round++) {
    if (round > 50) throw new SafeError('too many build approvals in one run', ExitCode.internal);
    const reportPath = join(work.root, `report-${round}.json`);
    const { cmd, sidecar } = guardedPipCommand({
      python: s.pipEnv.python, work, owner: s.owner, cwd: io.cwd, env: s.baseEnv,
      pipArgs: dryRunArgs(s.command, inv.items, reportPath, noBinary), allow: vetted, keep: s.command === 'install' ? work.kept : undefined,
      cooldown: guardCooldown(s), report: reportPath,
    });
    // Index look-ups start while pip resolves: each project pip looks up is fetched for the checks
    // as soon as the guard records it (single index only: with several, the chosen one is not known yet).
    const watcher = setInterval(() => prefetchFound(readSidecar(sidecar), s), 100);
    const res = await runCommand(cmd, 'capture').finally(() => clearInterval(watcher));
    side = readSidecar(sidecar);
    let needed: NeededBuild[] = [];
    if (res.code === GUARD_EXIT_HOOKS_FAILED) throw new SafeError(`cannot guard this pip against builds: ${res.stderr.trim().split('\n').at(-1)}`, ExitCode.couldNotVerify);
    if (res.code === GUARD_EXIT_BUILD_REFUSED) {
      needed = (side.refused ?? []).map(neededFromRefusal);
    } else if (res.code !== 0) {
      // Under --only-binary a project with only source releases makes resolution fail.
      const sourceOnly = Object.entries(side.sourceOnly ?? {}).filter(([name]) => (side.candidates?.[name] ?? []).length === 0 && !noBinary.includes(name));
      if (sourceOnly.length === 0) {
        io.stderr(res.stderr);
        say('pip could not resolve the request (nothing was installed)');
        return res.code;
      }
      needed = sourceOnly.map(([name, versions]) => ({ key: name, name, version: versions.at(-1) ?? null, url: null, why: 'only a source distribution exists' }));
    } else {
      items = parseInstallReport(readFileSync(reportPath, 'utf8'));
      // Every look-up the checks need starts now, bounded; they overlap the rest of the work.
      prefetch(items, side, s);
      // The guard knows upload times only from PEP 691 pages; where it did not see them, the JSON API may.
      if (cooldownRounds < 3 && (await youngerThanTheGuardKnew(items, side, s))) {
        cooldownRounds += 1;
        continue;
      }
      break;
    }
    for (const n of needed) {
      if (n.declaredBy && !urlApproved(n.url, s)) {
        say(`${n.declaredBy} declares the dependency "${n.name ?? '?'} @ ${n.url}" in its own metadata: pip would fetch it from that URL, outside every index, and build it (running its code) — refused, nothing was installed; if you trust that URL, run: safe-pip safe approve ${n.url} (then run again)`);
        return ExitCode.blocked;
      }
      if (n.editable && n.kind !== 'dir') {
        say(`editable installs are supported from a local folder only (${n.url ?? 'this requirement'} is not one): clone or unpack it, then: safe-pip install -e <folder>; nothing was installed`);
        return ExitCode.usage;
      }
      const ok = n.declaredBy ? true : await vetBuild(n, s);
      if (!ok) {
        say(`${describeBuild(n)} needs a build: runs its code — withheld; nothing was installed`);
        say(`to allow it: safe-pip safe approve ${approveArg(n)} (then run again)`);
        return ExitCode.scriptsWithheld;
      }
      vetted.push(n.key);
      if (n.name && !n.url) noBinary.push(n.name);
      approvedBuilds.push(n);
    }
  }

  checkDestinationAgrees(side, s);

  if (items.length === 0) {
    say('nothing to install (every requirement is already satisfied)');
    return ExitCode.ok;
  }

  // A wheel fetched from a URL some other distribution's metadata names (no build, but no index either).
  for (const d of declaredUrlDependencies(items)) {
    if (urlApproved(d.item.url.split('#')[0]!, s) || urlApproved(d.url.split('#')[0]!, s)) continue;
    say(`${d.parent.name}==${d.parent.version} declares the dependency "${d.item.name} @ ${d.url}" in its own metadata: pip would fetch it from that URL, outside every index — refused, nothing was installed; if you trust that URL, run: safe-pip safe approve ${d.url.split('#')[0]} (then run again)`);
    return ExitCode.blocked;
  }

  // 4 (early). Without a prompt, fetch the exact files into the private folder while the facts are
  // fetched: nothing of it is installed (and no unvetted code runs) before the decision below.
  const installing = s.command === 'install' && !hasOption(inv.items, '--dry-run');
  const early = installing && !s.interactive ? settle(fetchWheels(items, side, noBinary, vetted, s)) : undefined;

  // 2. Facts, checks, dependency confusion.
  const reports = await vetItems(items, side, approvedBuilds, s).catch(async (error: unknown) => {
    await early;
    throw error;
  });

  // 3. Decide.
  const stop = await applyDecision(reports, s);
  if (stop !== undefined) {
    await early;
    return stop;
  }

  if (hasOption(inv.items, '--dry-run')) {
    const userReport = optionValues(inv.items, '--report').at(-1);
    if (userReport && userReport !== '-') copyFileSync(latestReport(work), resolve(io.cwd, userReport));
    io.stdout(`Would install ${items.map((i) => `${i.name}-${i.version}`).join(' ')}\n`);
    return ExitCode.ok;
  }

  if (s.command !== 'install') return runUserCommand(s, vetted, noBinary);

  // 4. Fetch the exact files / build vetted sources into the private wheel folder.
  const fetched = await (early ?? settle(fetchWheels(items, side, noBinary, vetted, s)));
  if ('error' in fetched) throw fetched.error;
  if (fetched.code !== 0) return fetched.code;
  const wheels = wheelsByName(work.wheels);
  const editables = items.filter((i) => i.editable);
  const missing = items.filter((i) => !i.editable && !wheels.has(i.canonical));
  if (missing.length) throw new SafeError(`pip did not produce wheels for ${missing.map((m) => m.name).join(', ')}`, ExitCode.internal);

  // 5. Inspect the wheels before anything is installed.
  const sitePackages = destinationSitePackages(s);
  const inspected = inspectWheels(items.filter((i) => !i.editable).map((i) => ({ name: i.name, file: wheels.get(i.canonical)! })), installedFiles(sitePackages));
  const wheelReports: PackageReport[] = [];
  for (const item of items) {
    const findings = inspected.get(item.canonical) ?? [];
    if (findings.length) wheelReports.push({ name: item.name, version: item.version, verdict: verdictOf(findings), findings });
  }
  if (wheelReports.length) {
    const stop2 = await applyDecision(wheelReports, s);
    if (stop2 !== undefined) return stop2;
  }

  // 6. Install exactly the vetted wheels.
  const pinned = items.filter((i) => !i.editable);
  if (pinned.length) {
    const finalReq = join(work.root, 'final-requirements.txt');
    const lines = pinned.map((i) => `${i.name}==${i.version} --hash=sha256:${sha256File(wheels.get(i.canonical)!)}`);
    writeWorkFile(finalReq, `${lines.join('\n')}\n`, s.owner);
    const { cmd } = guardedPipCommand({
      python: s.pipEnv.python, work, owner: s.owner, cwd: io.cwd, env: withoutRequestEnv(s.baseEnv),
      pipArgs: finalInstallArgs(inv.items, work.wheels, finalReq), allow: [],
    });
    const result = await runCommand(cmd, 'inherit');
    if (result.code === GUARD_EXIT_BUILD_REFUSED) {
      say('the final install tried to build a package that was not vetted; stopped');
      return ExitCode.blocked;
    }
    if (result.code !== 0) return result.code;
  }
  // 7. Vetted editable folders last: pip builds them (their backend runs, approved) with --no-deps,
  // their dependencies being part of the pinned set above.
  for (const e of editables) {
    const { cmd } = guardedPipCommand({
      python: s.pipEnv.python, work, owner: s.owner, cwd: io.cwd, env: withoutRequestEnv(s.baseEnv),
      pipArgs: editableInstallArgs(inv.items, side, fileURLToPath(e.url.split('#')[0]!)), allow: vetted,
    });
    const result = await runCommand(cmd, 'inherit');
    if (result.code === GUARD_EXIT_BUILD_REFUSED) {
      say(`the editable install of ${e.name} tried to build a package that was not vetted; stopped`);
      return ExitCode.blocked;
    }
    if (result.code !== 0) return result.code;
  }
  return ExitCode.ok;
}

/** `pip install --no-deps -e DIR` with the user's general/build/destination options and the indexes pip used (build requirements). */
function editableInstallArgs(items: PipInvocation['items'], side: GuardSidecar, dir: string): string[] {
  const keep = rebuildArgs(items, (o) => ['general', 'install', 'destination', 'build'].includes(o.spec.role) && (!o.spec.commands || o.spec.commands.includes('install')), false);
  const index = indexLines(side).flatMap((l) => l.split(' '));
  return ['install', ...keep, ...index, '--no-deps', '--editable', dir];
}

function describeBuild(n: NeededBuild): string {
  return n.name ? `${n.name}${n.version ? `==${n.version}` : ''}${n.url ? ` (${n.url})` : ''}` : n.url ?? 'a requirement';
}

function neededFromRefusal(r: GuardRefusal): NeededBuild {
  const why = r.editable ? 'an editable install builds the project' : r.kind === 'index' ? 'only a source distribution was chosen' : r.kind === 'vcs' ? 'a VCS checkout is built from source' : r.kind === 'dir' ? 'a local folder is built from source' : 'a source archive is built';
  const declaredBy = r.declaredUrl && r.parent && r.kind !== 'index' ? `${r.parent}${r.parentVersion ? `==${r.parentVersion}` : ''}` : undefined;
  return { key: r.name ?? r.url ?? '?', name: r.name, version: r.version, url: r.kind === 'index' ? null : r.url, why, editable: r.editable, kind: r.kind, declaredBy };
}

/** What to pass to `safe-pip safe approve` for this build. */
function approveArg(n: NeededBuild): string {
  if (n.url) return n.url;
  return `${n.name ?? '?'}${n.version ? `==${n.version}` : ''}`;
}

/** A direct URL the user pre-approved (safe-pip safe approve <URL>); never asked at a prompt. */
function urlApproved(url: string | null, s: FlowState): boolean {
  return Boolean(url) && s.store.scriptDecisions('pypi')[url!]?.decision === 'allow';
}

/** Pre-approved (store), or approved at a TTY prompt. --safe-yes never approves a build. */
async function vetBuild(n: NeededBuild, s: FlowState): Promise<boolean> {
  const decisions = s.store.scriptDecisions('pypi');
  const name = n.name ? normalizePypiName(n.name) : undefined;
  if (name && decisions[name]?.decision === 'deny') return false;
  const keys = [name && n.version ? `${name}@${n.version}` : undefined, name, n.url ?? undefined].filter((k): k is string => Boolean(k));
  if (keys.some((k) => decisions[k]?.decision === 'allow')) {
    s.io.stderr(`safe-pip: building ${describeBuild(n)} (pre-approved; runs its code as ${s.owner?.name ?? 'you'})\n`);
    return true;
  }
  if (!s.interactive) return false;
  const prompts = s.io.prompts ?? (await import('../ui/prompts.js')).inquirerPrompts;
  s.io.stderr(`safe-pip: ${describeBuild(n)} needs a build: runs its code (${n.why})\n`);
  return prompts.confirm(`Build ${describeBuild(n)} now, running its code as ${s.owner?.name ?? 'you'}?`, false);
}

function readSidecar(path: string): GuardSidecar {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as GuardSidecar;
  } catch {
    return {};
  }
}

function latestReport(work: WorkDir): string {
  const reports = readdirSync(work.root).filter((f) => /^report-\d+\.json$/.test(f)).sort((a, b) => Number(a.slice(7, -5)) - Number(b.slice(7, -5)));
  return join(work.root, reports.at(-1)!);
}

function destinationOf(inv: PipInvocation, io: PipFlowIo): Destination {
  const last = (name: string, envName: string) => optionValues(inv.items, name).at(-1) ?? io.env[envName];
  const abs = (p: string | undefined) => (p ? resolve(io.cwd, p) : undefined);
  let user = /^(1|true|yes|on)$/i.test(io.env.PIP_USER ?? '');
  for (const it of inv.items) {
    if (it.kind !== 'option') continue;
    if (it.option.spec.name === '--user') user = true;
    if (it.option.spec.name === '--no-user') user = false;
  }
  const lockFile = inv.kind === 'lock' ? last('--output', 'PIP_OUTPUT') ?? 'pylock.toml' : undefined;
  const outputDir = inv.kind === 'download' ? last('--dest', 'PIP_DEST') : inv.kind === 'wheel' ? last('--wheel-dir', 'PIP_WHEEL_DIR') : lockFile !== undefined ? (lockFile === '-' ? '.' : dirname(resolve(io.cwd, lockFile))) : undefined;
  return {
    target: abs(last('--target', 'PIP_TARGET')),
    prefix: abs(last('--prefix', 'PIP_PREFIX')),
    root: abs(last('--root', 'PIP_ROOT')),
    user,
    outputDir: abs(outputDir ?? (inv.kind === 'install' ? undefined : '.')),
  };
}

/** What pip parsed (config files included) must name the destination we chose the user for. */
function checkDestinationAgrees(side: GuardSidecar, s: FlowState): void {
  if (s.command !== 'install' || !side.options) return;
  const o = side.options;
  const same = (a: string | null | undefined, b: string | undefined) => (a ? resolve(s.io.cwd, a) : undefined) === b;
  if (!same(o.target_dir, s.destination.target) || !same(o.prefix_path, s.destination.prefix) || !same(o.root_path, s.destination.root) || Boolean(o.use_user_site) !== s.destination.user) {
    throw new Blocked('pip\'s configuration changes where packages go (target/prefix/root/user in a config file): give the destination on the command line', ExitCode.couldNotVerify);
  }
}

function childEnv(env: Record<string, string | undefined>, pipEnv: PipEnvironment, owner: UserAccount | undefined, work: WorkDir, settings: Settings): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env, TMPDIR: work.tmp };
  delete out.SAFE_PIP_GUARD_CONFIG;
  if (!owner) return out;
  out.HOME = owner.home;
  out.USER = owner.name;
  out.LOGNAME = owner.name;
  out.PATH = [dirname(pipEnv.python), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  // Root's config may be unreadable by the owner: hand over a private merged copy.
  const merged = mergedPipConfig(env, env.HOME ?? '/root', pipEnv.venvDir);
  if (merged === devNull) out.PIP_CONFIG_FILE = devNull;
  else {
    const conf = join(work.root, 'pip.conf');
    writeWorkFile(conf, merged, owner);
    out.PIP_CONFIG_FILE = conf;
  }
  out.PIP_CACHE_DIR = cacheDirFor(owner, settings);
  if (!out.PIP_CACHE_DIR) {
    delete out.PIP_CACHE_DIR;
    out.PIP_NO_CACHE_DIR = '1';
  }
  delete out.XDG_CONFIG_HOME;
  delete out.XDG_CACHE_HOME;
  return out;
}

/** The owner's pip cache: in their home when they own it, else under settings.cacheRoot. */
function cacheDirFor(owner: UserAccount, settings: Settings): string | undefined {
  try {
    if (owner.home && existsSync(owner.home) && statSync(owner.home).uid === owner.uid) return join(owner.home, '.cache', 'pip');
  } catch {
    /* fall through */
  }
  try {
    mkdirSync(settings.cacheRoot, { recursive: true, mode: 0o755 });
    const dir = join(settings.cacheRoot, `pip-${owner.uid}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownSync(dir, owner.uid, owner.gid);
    return dir;
  } catch {
    return undefined;
  }
}

/** The index an item's facts come from (the one its file was found on), or undefined (find-links). */
function indexOf(item: ReportItem, side: GuardSidecar): string | undefined {
  const indexUrls = side.indexUrls ?? [];
  const cands = side.candidates?.[item.canonical] ?? [];
  const chosen = cands.find((c) => c.url === item.url);
  const from = chosen ? sourceOf(chosen, { indexUrls, findLinks: side.findLinks ?? [] }) : undefined;
  return from && indexUrls.includes(from) ? from : indexUrls[0];
}

function prefetchFound(side: GuardSidecar, s: FlowState): void {
  const indexUrls = side.indexUrls ?? [];
  if (indexUrls.length !== 1) return;
  for (const name of Object.keys(side.candidates ?? {})) void s.lookups.project(indexUrls[0]!, name);
}

function prefetch(items: readonly ReportItem[], side: GuardSidecar, s: FlowState): void {
  for (const item of items) {
    const index = item.kind === 'index' ? indexOf(item, side) : undefined;
    if (index) void s.lookups.project(index, item.name);
  }
}

/** Upload time of the chosen version: what pip saw (PEP 700), else the index's JSON. */
function chosenTime(item: ReportItem, side: GuardSidecar, facts?: PackageFacts): Date | undefined {
  const seen = side.cooldown?.times?.[item.canonical]?.[item.version];
  return seen ? new Date(seen) : facts?.versionPublishedAt;
}

/**
 * Items whose chosen version is inside the cooldown although the guard did not know (no PEP 700
 * times on that index): their young versions go to the guard's list and the caller resolves again.
 */
async function youngerThanTheGuardKnew(items: readonly ReportItem[], side: GuardSidecar, s: FlowState): Promise<boolean> {
  const cool = s.cooldown;
  if (!cool) return false;
  let added = false;
  await Promise.all(items.map(async (item) => {
    if (item.kind !== 'index' || cooldownExcluded(s, item.canonical)) return;
    if (side.cooldown?.times?.[item.canonical]?.[item.version]) return;
    if (side.cooldown?.tooYoung?.[item.canonical]?.includes(item.version)) return;
    if (cool.young[item.canonical]?.includes(item.version)) return;
    const index = indexOf(item, side);
    if (!index) return;
    const times = versionTimes(await s.lookups.project(index, item.name), item.name);
    const t = times.get(item.version);
    if (!t || t <= cool.cutoff) return;
    const young = [...times].filter(([, when]) => when > cool.cutoff).map(([v]) => v);
    cool.young[item.canonical] = [...new Set([...(cool.young[item.canonical] ?? []), ...young])];
    added = true;
  }));
  return added;
}

async function vetItems(items: ReportItem[], side: GuardSidecar, approved: NeededBuild[], s: FlowState): Promise<PackageReport[]> {
  const now = s.now;
  const ctx = { now, thresholds: s.settings.thresholds, popular: popularNames('pypi') };
  const sources = { indexUrls: side.indexUrls ?? [], findLinks: side.findLinks ?? [] };
  if (sourceCount(sources) > 1) s.io.stderr(`safe-pip: ${sourceCount(sources)} package sources are configured; checking every name on all of them\n`);
  const paths = side.edges ? dependencyPaths(items, side.edges) : new Map<string, string[]>();
  const reports = await Promise.all(items.map(async (item) => {
    const facts = await factsFor(item, side, s);
    const path = paths.get(item.canonical);
    if (path && path.length > 1) {
      facts.dependencyPath = path;
      facts.requested = pathDisplayName(item, path, items);
    }
    const cooling = s.cooldown && item.kind === 'index' && !cooldownExcluded(s, item.canonical);
    const findings: Finding[] = runChecks(facts, ctx, { offline: false, severity: s.settings.severity })
      // Under the cooldown a young version is its finding (below); new-version would say it twice.
      .filter((f) => !(cooling && f.check === 'new-version'));
    if (cooling) findings.push(...cooldownFindings(item, facts, side, s));
    findings.push(...confusionFindings(item.name, side.candidates?.[item.canonical] ?? [], sources, item.url));
    const build = approved.find((b) => (b.name && normalizePypiName(b.name) === item.canonical) || (b.url && b.url === item.url));
    if (build) {
      findings.push({ check: 'needs-build', severity: 'info', message: `${item.name}==${item.version} is built from source (its code runs; approved)` });
      // The user approved building exactly this source: where it comes from is no longer open.
      for (const [i, f] of findings.entries()) if (f.check === 'non-registry-source' && f.severity !== 'block') findings[i] = { ...f, severity: 'info', message: `${f.message} (its build was approved)` };
    }
    const hidden = side.sourceOnly?.[item.canonical];
    if (hidden?.length && !build) findings.push({ check: 'needs-build', severity: 'info', message: `${item.name}: newer version(s) ${hidden.join(', ')} exist only as source; ${item.version} (a wheel) was chosen` });
    if (item.isYanked && !findings.some((f) => f.check === 'deprecated')) findings.push({ check: 'deprecated', severity: 'warn', message: `${item.name}==${item.version} was yanked` });
    const sev = s.settings.severity;
    const adjusted = findings.flatMap((f) => (sev[f.check] === 'off' ? [] : [sev[f.check] ? { ...f, severity: sev[f.check] as Finding['severity'] } : f]));
    return { report: toReport(facts, adjusted), path };
  }));
  // What the cooldown changed is said even when all is well (pip alone would install something else).
  for (const { report } of reports) {
    for (const f of report.findings) if (f.check === 'release-cooldown' && f.severity === 'info') s.io.stderr(`safe-pip: ${f.message}\n`);
    report.findings = report.findings.filter((f) => !(f.check === 'release-cooldown' && f.severity === 'info'));
  }
  return groupByRequestedPackage(reports, items);
}

/** Reports in groups: each requested package, then what came in through it (shortest path first). */
function groupByRequestedPackage(reports: Array<{ report: PackageReport; path?: string[] }>, items: readonly ReportItem[]): PackageReport[] {
  const order = new Map(items.map((it, i) => [it.canonical, i]));
  const key = (r: { path?: string[] }, i: number): [number, number, number] => {
    const root = r.path?.[0];
    return [root !== undefined ? order.get(root) ?? items.length : items.length + i, r.path?.length ?? 1, i];
  };
  return reports
    .map((r, i) => ({ r, k: key(r, i) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2])
    .map(({ r }) => r.report);
}

/** "x==2.0.1 is 5 hours old; installing 2.0.0" (info) or, when nothing older satisfies, a warn naming the age. */
function cooldownFindings(item: ReportItem, facts: PackageFacts, side: GuardSidecar, s: FlowState): Finding[] {
  const cool = s.cooldown!;
  const chosen = chosenTime(item, side, facts);
  if (chosen && chosen > cool.cutoff) return [tooYoungFinding({ ...facts, versionPublishedAt: chosen }, cool.hours, s.now)];
  const skipped = Object.entries(side.cooldown?.skipped?.[item.canonical] ?? {}).filter(([v]) => compareVersions(v, item.version) > 0);
  if (skipped.length === 0) return [];
  const [newest, when] = skipped.sort((a, b) => compareVersions(a[0], b[0])).at(-1)!;
  const age = when ? `${describeAge(new Date(when), s.now)} old` : `younger than ${cool.hours} hours`;
  return [{ check: 'release-cooldown', severity: 'info', message: `${item.name}==${newest} is ${age}; installing ${item.version}` }];
}

async function factsFor(item: ReportItem, side: GuardSidecar, s: FlowState): Promise<PackageFacts> {
  if (item.kind !== 'index') {
    const source = item.kind === 'vcs' ? 'git' : item.kind === 'dir' ? 'directory' : item.url.startsWith('file:') ? 'file' : 'remote';
    return { ecosystem: 'pypi', name: item.name, requested: item.name, source, version: item.version };
  }
  const index = indexOf(item, side);
  if (!index) return { ecosystem: 'pypi', name: item.name, requested: item.name, source: 'file', version: item.version, unknownFields: ['index metadata (installed from find-links)'] };
  const answer = await s.lookups.project(index, item.name);
  const facts = factsFromAnswer(answer, { name: item.name, requested: item.name, version: item.version });
  // Dependencies: this release's from the metadata pip resolved with; the previous one's from the index.
  if (facts.release) facts.release.dependencies = dependencyNamesOf(item.requiresDist);
  if (facts.previousRelease) {
    const prev = facts.previousRelease;
    const requires = await s.lookups.releaseRequires(index, item.name, prev.version);
    const deps = requires === undefined ? undefined : dependencyNamesOf(requires, prev);
    if (deps) prev.dependencies = deps;
  }
  return facts;
}

/** decide → prompt or stop. Returns an exit code to stop with, or undefined to go on. */
async function applyDecision(reports: PackageReport[], s: FlowState): Promise<number | Rerun | undefined> {
  const color = Boolean(s.io.stdoutIsTTY);
  const decision = decide({
    tool: 'safe-pip',
    reports,
    isTrusted: (name) => s.store.isTrusted('pypi', normalizePypiName(name)),
    interactive: s.interactive,
    yes: s.inv.ownFlags.yes,
  });
  const text = formatReports(reports, { color, showInfo: s.interactive });
  if (decision.action === 'proceed') {
    if (text) s.io.stderr(`${text}\n`);
    return undefined;
  }
  if (decision.action === 'stop') {
    if (text) s.io.stderr(`${text}\n`);
    for (const r of decision.reasons) s.io.stderr(`safe-pip: ${r}\n`);
    s.io.stderr('safe-pip: nothing was installed\n');
    return decision.exitCode;
  }
  if (text) s.io.stderr(`${text}\n`);
  const prompts = s.io.prompts ?? (await import('../ui/prompts.js')).inquirerPrompts;
  for (const p of decision.packages) {
    const suggestion = p.open.find((f) => f.didYouMean)?.didYouMean;
    const answer = await prompts.askAboutPackage(p.report, p.open, suggestion);
    if (answer === 'install') continue;
    if (answer === 'install-and-trust') {
      s.store.trust('pypi', normalizePypiName(p.report.name));
      continue;
    }
    if (answer === 'substitute' && suggestion) {
      const argv = rewriteRequirement(s, p.report, suggestion);
      if (argv) return argv.length ? { rerun: argv } : ExitCode.ok;
      s.io.stderr(`safe-pip: "${p.report.name}" is not a requirement on the command line (a requirements file or a dependency asks for it): replace it there with "${suggestion}" and run again\n`);
    } else if (answer === 'skip') {
      const argv = rewriteRequirement(s, p.report, null);
      if (argv?.length) return { rerun: argv };
      if (argv) {
        s.io.stderr('safe-pip: nothing left to install\n');
        return ExitCode.ok;
      }
      s.io.stderr(`safe-pip: "${p.report.name}" is not a requirement on the command line; pip installs a resolved set as a whole, so skipping it means installing nothing\n`);
    }
    s.io.stderr('safe-pip: nothing was installed\n');
    return ExitCode.blocked;
  }
  return undefined;
}

/**
 * The user's argv with the command-line requirement(s) naming `report`'s project renamed to
 * `replacement` (extras, specifiers and markers kept) or removed (null). undefined when no
 * command-line requirement names it; [] when removing it leaves nothing to install.
 */
function rewriteRequirement(s: FlowState, report: PackageReport, replacement: string | null): string[] | undefined {
  const target = normalizePypiName(report.packageName ?? report.name);
  const hits = s.inv.items.filter((it): it is Extract<typeof it, { kind: 'positional' }> => {
    if (it.kind !== 'positional' || it.argvIndex === undefined) return false;
    try {
      return normalizePypiName(parseRequirementName(it.value).name) === target;
    } catch {
      return false;
    }
  });
  if (hits.length === 0) return undefined;
  const argv = [...s.io.argv];
  for (const h of hits) argv[h.argvIndex!] = replacement === null ? '\0' : h.value.replace(/^\s*[A-Za-z0-9][A-Za-z0-9._-]*/, replacement);
  const out = argv.filter((a) => a !== '\0');
  const left = s.inv.items.some((it) => (it.kind === 'positional' && !hits.includes(it as never)) || (it.kind === 'option' && ['--requirement', '--editable', '--requirements-from-script', '--group'].includes(it.option.spec.name)));
  if (replacement === null && !left && !s.io.env.PIP_REQUIREMENT && !s.io.env.PIP_EDITABLE) return [];
  return out;
}

async function fetchWheels(items: ReportItem[], side: GuardSidecar, noBinary: string[], vetted: string[], s: FlowState): Promise<number> {
  const hashed: string[] = [];
  const unhashed: string[] = [];
  for (const item of items) {
    if (item.editable) {
      if (item.kind !== 'dir') throw new UsageError(`editable installs are supported from a local folder only (${item.url}): clone it, then: safe-pip install -e <folder>`);
      continue;
    }
    const { line, hashed: h } = pinnedLine(item);
    (h ? hashed : unhashed).push(line);
  }
  // Wheels pip already downloaded while resolving: used when their sha256 is the one resolved.
  for (const item of items) {
    if (item.editable || !item.isWheel || !item.sha256) continue;
    const kept = join(s.work.kept, decodeURIComponent(item.url.split(/[?#]/)[0]!.split('/').at(-1)!));
    if (existsSync(kept) && sha256File(kept) === item.sha256) {
      renameSync(kept, join(s.work.wheels, basename(kept)));
      hashed.splice(hashed.indexOf(pinnedLine(item).line), 1);
    }
  }
  const header = indexLines(side);
  for (const [lines, withHashes] of [[hashed, true], [unhashed, false]] as const) {
    if (lines.length === 0) continue;
    const file = join(s.work.root, withHashes ? 'fetch-hashed.txt' : 'fetch-unhashed.txt');
    writeWorkFile(file, `${[...header, ...lines].join('\n')}\n`, s.owner);
    const { cmd } = guardedPipCommand({
      python: s.pipEnv.python, work: s.work, owner: s.owner, cwd: s.io.cwd, env: withoutRequestEnv(s.baseEnv),
      pipArgs: wheelStepArgs(s.inv.items, s.work.wheels, file, withHashes, noBinary), allow: vetted,
    });
    const res = await runCommand(cmd, 'capture');
    if (res.code !== 0) {
      s.io.stderr(res.stderr);
      s.io.stderr(res.code === GUARD_EXIT_BUILD_REFUSED ? 'safe-pip: a build that was not vetted was needed; nothing was installed\n' : 'safe-pip: fetching the vetted files failed; nothing was installed\n');
      return res.code === GUARD_EXIT_BUILD_REFUSED ? ExitCode.blocked : res.code;
    }
  }
  return 0;
}

/** A promise that never rejects (to run it alongside other work and await it later). */
function settle(p: Promise<number>): Promise<{ code: number } | { error: unknown }> {
  return p.then((code) => ({ code }), (error: unknown) => ({ error }));
}

function wheelsByName(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir)) {
    const w = parseWheelFilename(f);
    if (w) out.set(w.canonical, join(dir, f));
  }
  return out;
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function destinationSitePackages(s: FlowState): string | undefined {
  if (s.destination.target) return s.destination.target;
  if (s.destination.prefix) return sitePackagesOf(s.destination.prefix);
  return s.pipEnv.sitePackages;
}

/** download / wheel: the user's own command, re-run under the guard with only vetted builds allowed. */
async function runUserCommand(s: FlowState, vetted: string[], noBinary: string[]): Promise<number> {
  const { cmd } = guardedPipCommand({
    python: s.pipEnv.python, work: s.work, owner: s.owner, cwd: s.io.cwd, env: s.baseEnv,
    pipArgs: userCommandArgs(s.command as 'download' | 'wheel' | 'lock', s.inv.items, noBinary), allow: vetted,
    cooldown: guardCooldown(s),
  });
  const res = await runCommand(cmd, 'inherit');
  if (res.code === GUARD_EXIT_BUILD_REFUSED) {
    s.io.stderr('safe-pip: pip tried to build a package that was not vetted; stopped\n');
    return ExitCode.blocked;
  }
  return res.code;
}
