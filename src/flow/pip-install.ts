/**
 * safe-pip install / download / wheel:
 *   environment (no Python started) → who pip runs as (never root) → resolve with
 *   `pip install --dry-run --report --only-binary=:all:` under the build guard → builds that are
 *   needed are vetted (TTY prompt / pre-approval; --safe-yes never) → facts + checks + dependency
 *   confusion → decide → fetch/build the exact set into a private folder → inspect the wheels →
 *   install only those pinned, hashed wheels (--no-index --find-links DIR --require-hashes).
 */
import { readdirSync, readFileSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SafeStore } from '../config/store.js';
import { applyEnvOverrides } from '../config/settings.js';
import { SafeError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { PackageReport } from '../core/types.js';
import { verdictOf } from '../checks/run-checks.js';
import { isRoot, lookupUser, ownerOf } from '../run/users.js';
import { parsePipArgs, optionValues, hasOption, rebuildArgs, type PipInvocation } from '../pypi/parse-pip-args.js';
import { runPassthrough } from '../run/passthrough.js';
import { describeEnvironment, environmentForPython, type PipEnvironment } from '../pypi/pip-environment.js';
import { decideRunAs, type RunAs } from '../pypi/run-as.js';
import { guardedPipCommand, makeWorkDir, runCommand, writeWorkFile, type WorkDir } from '../pypi/pip-process.js';
import { GUARD_EXIT_BUILD_REFUSED, GUARD_EXIT_HOOKS_FAILED, type GuardSidecar } from '../pypi/pip-guard.js';
import { declaredUrlDependencies, parseInstallReport, type ReportItem } from '../pypi/pip-report.js';
import { dryRunArgs, finalInstallArgs, indexLines, userCommandArgs, withoutRequestEnv } from '../pypi/pip-commands.js';
import { IndexLookups } from '../pypi/pypi-index.js';
import { inspectWheels, installedFiles } from '../pypi/wheel-inspect.js';
import { approveArg, describeBuild, neededFromRefusal, urlApproved, vetBuild } from './pip-builds.js';
import { prefetch, prefetchFound, vetItems, youngerThanTheGuardKnew } from './pip-checks.js';
import { applyDecision } from './pip-decide.js';
import { fetchWheels, settle, sha256File, wheelsByName } from './pip-fetch.js';
import { guardCooldown, readSidecar, type FlowState, type NeededBuild, type PipFlowIo, type Rerun } from './pip-session.js';
import { checkDestinationAgrees, childEnv, destinationOf, destinationSitePackages } from './pip-who.js';

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

export async function runOnce(first: PipInvocation, io: PipFlowIo): Promise<number | Rerun> {
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

export async function flow(s: FlowState): Promise<number | Rerun> {
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
export function editableInstallArgs(items: PipInvocation['items'], side: GuardSidecar, dir: string): string[] {
  const keep = rebuildArgs(items, (o) => ['general', 'install', 'destination', 'build'].includes(o.spec.role) && (!o.spec.commands || o.spec.commands.includes('install')), false);
  const index = indexLines(side).flatMap((l) => l.split(' '));
  return ['install', ...keep, ...index, '--no-deps', '--editable', dir];
}

export function latestReport(work: WorkDir): string {
  const reports = readdirSync(work.root).filter((f) => /^report-\d+\.json$/.test(f)).sort((a, b) => Number(a.slice(7, -5)) - Number(b.slice(7, -5)));
  return join(work.root, reports.at(-1)!);
}

/** download / wheel: the user's own command, re-run under the guard with only vetted builds allowed. */
export async function runUserCommand(s: FlowState, vetted: string[], noBinary: string[]): Promise<number> {
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
