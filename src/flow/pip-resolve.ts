/**
 * Guarded resolve: `pip install --dry-run --report` with the user's own arguments under the build
 * guard, so resolving never runs unvetted code. Builds pip runs into are vetted (pip-builds.ts) and
 * the resolve runs again with them allowed; young versions the guard could not see are added to the
 * cooldown and the resolve runs again. Otherwise pip resolves once per run: its report drives the
 * fetch and the install.
 */
import { join } from 'node:path';
import { SafeError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { optionValues } from '../pypi/parse-pip-args.js';
import { dryRunArgs, heldInstallArgs } from '../pypi/pip-commands.js';
import { GUARD_EXIT_BUILD_REFUSED, GUARD_EXIT_HOOKS_FAILED, GUARD_HELD } from '../pypi/pip-guard.js';
import { hasOption } from '../pypi/parse-pip-args.js';
import type { HeldInstall } from '../pypi/pip-process.js';
import { indexFault } from '../pypi/index-faults.js';
import { checkRequirementFiles } from '../pypi/requirement-files.js';
import { unreachableIndexes } from '../pypi/dependency-confusion.js';
import { parseInstallReport, type ReportItem } from '../pypi/pip-report.js';
import type { GuardSidecar } from '../pypi/pip-guard.js';
import { buildsNeeded, vetBuilds, type VettedBuilds } from './pip-builds.js';
import { stopOnLookalikesWhenIndexFailed } from './pip-decide.js';
import { prefetch, prefetchFound, youngerThanTheGuardKnew } from './pip-checks.js';
import { guardCooldown, runPip, say, type NeededBuild, type Outcome, type PipSession, type Resolved, type Unresolved } from './pip-session.js';

type Round =
  | { kind: 'resolved'; items: ReportItem[]; side: GuardSidecar; reportPath: string; reportText: string; held?: HeldInstall }
  | { kind: 'needs-builds'; needed: NeededBuild[] }
  | { kind: 'failed'; code: number; stderr: string; side: GuardSidecar }
  | { kind: 'stopped'; code: number };

/** Editable VCS checkouts: pip would run git (and then the backend) before anything can be vetted. */
export function refuseRemoteEditables(s: PipSession): void {
  const editableArgs = [...optionValues(s.inv.items, '--editable'), ...(s.deps.env.PIP_EDITABLE ?? '').split(/\s+/).filter(Boolean)];
  const remote = editableArgs.find((e) => /^[a-z]+\+/i.test(e) || /^[a-z][a-z0-9+.-]*:\/\//i.test(e));
  if (remote) throw new UsageError(`editable installs are supported from a local folder only (${remote}): clone it, review it, then run: ${s.deps.ownCommand} install -e <folder>`);
}

/** Resolve until pip settles on a set with every build it needs vetted. */
export async function resolveGuarded(s: PipSession): Promise<Resolved | Outcome | Unresolved> {
  const env = s.deps.env;
  checkRequirementFiles([
    ...optionValues(s.inv.items, '--requirement'), ...optionValues(s.inv.items, '--constraint'),
    ...(env.PIP_REQUIREMENT ?? '').split(/\s+/).filter(Boolean), ...(env.PIP_CONSTRAINT ?? '').split(/\s+/).filter(Boolean),
  ], s.deps.cwd, undefined, s.owner);
  const builds: VettedBuilds = { vetted: [], digests: {}, approvedBuilds: [] };
  let cooldownRounds = 0;
  for (let round = 0; ; round++) {
    if (round > 50) throw new SafeError('too many build approvals in one run', ExitCode.internal);
    const result = await resolveRound(s, round, builds);
    if (result.kind === 'stopped') return result.code;
    if (result.kind === 'failed') return { unresolved: { code: result.code, stderr: result.stderr, side: result.side } };
    if (result.kind === 'needs-builds') {
      if (result.needed.length === 0) throw new SafeError('pip stopped at a build the guard did not record', ExitCode.internal);
      const stop = await vetBuilds(result.needed, builds, s);
      if (stop !== undefined) return stop;
      continue;
    }
    // Every look-up the checks need starts now, bounded; they overlap the rest of the work.
    prefetch(result.items, result.side, s);
    // The guard knows upload times only from PEP 691 pages; where it did not see them, the JSON API may.
    if (cooldownRounds < 3 && (await youngerThanTheGuardKnew(result.items, result.side, s))) {
      result.held?.callOff();
      cooldownRounds += 1;
      continue;
    }
    return { ...builds, items: result.items, side: result.side, reportPath: result.reportPath, reportText: result.reportText, held: result.held };
  }
}

/** One dry run under the guard: a resolved set, the builds it needs, or pip's own failure (said, with its output). */
async function resolveRound(s: PipSession, round: number, builds: VettedBuilds): Promise<Round> {
  const reportPath = join(s.work.root, `report-${round}.json`);
  // An install runs as pip's own install, held after its resolve: one resolution drives the install.
  const hold = s.command === 'install' && !hasOption(s.inv.items, '--dry-run');
  const res = await runPip(s, {
    env: s.baseEnv, stdio: 'capture', hold,
    pipArgs: hold ? heldInstallArgs(s.inv.items, reportPath) : dryRunArgs(s.command, s.inv.items, reportPath), allow: builds.vetted, digests: builds.digests,
    keep: s.command === 'install' ? s.work.kept : undefined, cooldown: guardCooldown(s), report: reportPath, keepPages: true,
    // Index look-ups start while pip resolves: each project pip looks up is fetched for the checks
    // as soon as the guard records it (single index only: with several, the chosen one is not known yet).
    onProgress: (side) => prefetchFound(side, s),
  });
  const side = res.sidecar;
  // An index that failed (not "no such project"): what pip chose was not verified against it (68).
  // One exception: a primary index that answered nothing at all while pip found everything in the
  // others is what pip itself goes on without — it is said (dependency-confusion check), not a stop.
  // An extra index that fails still stops: a private index down is how a public look-alike wins.
  const resolvedOk = res.code === 0 || res.code === GUARD_HELD;
  const deadPrimary = resolvedOk ? deadPrimaryIndex(side) : undefined;
  const fault = indexFault(deadPrimary ? { ...side, indexFailures: (side.indexFailures ?? []).filter((f) => !f.url || !underIndex(f.url, deadPrimary)) } : side);
  if (fault && res.code !== GUARD_EXIT_HOOKS_FAILED) {
    res.held?.callOff();
    const blocked = await stopOnLookalikesWhenIndexFailed(side, fault, s);
    if (blocked !== undefined) return { kind: 'stopped', code: blocked };
    say(s, `${fault}; nothing was installed`);
    return { kind: 'stopped', code: ExitCode.couldNotVerify };
  }
  if (res.code === GUARD_EXIT_HOOKS_FAILED) throw new SafeError(`cannot guard this pip against builds: ${res.stderr.trim().split('\n').at(-1)}`, ExitCode.couldNotVerify);
  if (res.code === 0 || res.code === GUARD_HELD) {
    if (res.report === undefined) {
      res.held?.callOff();
      throw new SafeError('pip wrote no report', ExitCode.internal);
    }
    return { kind: 'resolved', items: parseInstallReport(res.report), side, reportPath, reportText: res.report, held: res.held };
  }
  if (res.code === GUARD_EXIT_BUILD_REFUSED) return { kind: 'needs-builds', needed: buildsNeeded(side) };
  return { kind: 'failed', code: res.code, stderr: res.stderr, side };
}

/** The first configured index when pip could not reach it at all (no page of it answered), else undefined. */
function deadPrimaryIndex(side: GuardSidecar): string | undefined {
  const first = side.indexUrls?.[0];
  if (!first) return undefined;
  const down = unreachableIndexes({ indexUrls: side.indexUrls ?? [], findLinks: side.findLinks ?? [], unreachable: side.unreachable }, side.candidates);
  return down.has(first) ? first : undefined;
}

function underIndex(url: string, index: string): boolean {
  const slash = (u: string) => (u.endsWith('/') ? u : `${u}/`);
  return slash(url).startsWith(slash(index));
}
