/**
 * Fetch and inspect: the exact files of the vetted set go into the private wheel folder (reusing
 * what pip downloaded while resolving, when its sha256 is the resolved one; vetted sources are
 * built there), then every wheel is read before anything is installed.
 */
import { join } from 'node:path';
import { SafeError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { PackageReport } from '../core/types.js';
import { verdictOf } from '../checks/run-checks.js';
import { indexLines, wheelStepArgs, withoutRequestEnv } from '../pypi/pip-commands.js';
import { indexFault } from '../pypi/index-faults.js';
import { pipOutputForTerminal } from '../pypi/pip-output.js';
import { neutralize } from '../ui/neutralize.js';
import { GUARD_EXIT_BUILD_REFUSED } from '../pypi/pip-guard.js';
import { pinnedLine, type ReportItem } from '../pypi/pip-report.js';
import { runPip, type PipSession, type Resolved } from './pip-session.js';
import { destinationSitePackages } from './pip-who.js';

/** The fetched wheels by canonical name, or an exit code. */
export type Fetched = { wheels: Map<string, string> } | { code: number };

/**
 * Fetch the exact files (`pip wheel --no-deps`, hashes required where known) into the wheel folder.
 * For a dry run only the wheels are fetched (to be read): no vetted build runs for a prediction.
 */
export async function fetchWheels(resolved: Resolved, s: PipSession, options: { dryRun?: boolean } = {}): Promise<Fetched> {
  const wanted = resolved.items.filter((i) => !i.editable && (!options.dryRun || i.isWheel));
  const { hashed, unhashed } = requirementLines(wanted, s);
  const header = indexLines(resolved.side);
  for (const [lines, withHashes] of [[hashed, true], [unhashed, false]] as const) {
    if (lines.length === 0) continue;
    const file = join(s.work.root, withHashes ? 'fetch-hashed.txt' : 'fetch-unhashed.txt');
    s.work.write(file, `${[...header, ...lines].join('\n')}\n`);
    const res = await runPip(s, {
      env: withoutRequestEnv(s.baseEnv), stdio: 'capture',
      pipArgs: wheelStepArgs(s.inv.items, s.work.wheels, file, withHashes), allow: resolved.vetted, digests: resolved.digests,
    });
    const fault = indexFault(res.sidecar);
    if (res.code !== 0 && fault && res.code !== GUARD_EXIT_BUILD_REFUSED) {
      s.deps.stderr(`safe-pip: ${neutralize(fault)}; nothing was installed\n`);
      return { code: ExitCode.couldNotVerify };
    }
    if (res.code !== 0) {
      s.deps.stderr(pipOutputForTerminal(res.stderr));
      s.deps.stderr(res.code === GUARD_EXIT_BUILD_REFUSED ? 'safe-pip: a build that was not vetted was needed; nothing was installed\n' : 'safe-pip: fetching the vetted files failed; nothing was installed\n');
      return { code: res.code === GUARD_EXIT_BUILD_REFUSED ? ExitCode.blocked : res.code };
    }
  }
  const wheels = s.work.wheelFiles();
  const missing = wanted.filter((i) => !wheels.has(i.canonical));
  if (missing.length) throw new SafeError(`pip did not produce wheels for ${missing.map((m) => m.name).join(', ')}`, ExitCode.internal);
  return { wheels };
}

/** Requirement lines for what still has to be fetched; wheels pip already downloaded (same sha256) are taken as they are. */
function requirementLines(items: readonly ReportItem[], s: PipSession): { hashed: string[]; unhashed: string[] } {
  const hashed: string[] = [];
  const unhashed: string[] = [];
  // Already in the wheel folder (taken from pip's downloads for a held install that could not go on).
  const present = s.work.wheelFiles();
  for (const item of items) {
    if (present.has(item.canonical) && item.isWheel) continue;
    if (item.editable) {
      if (item.kind !== 'dir') throw new UsageError(`editable installs are supported from a local folder only (${item.url}): clone it, then: ${s.deps.ownCommand} install -e <folder>`);
      continue;
    }
    const { line, hashed: h } = pinnedLine(item);
    (h ? hashed : unhashed).push(line);
  }
  for (const item of items) {
    if (item.editable || !item.isWheel || !item.sha256) continue;
    const filename = decodeURIComponent(item.url.split(/[?#]/)[0]!.split('/').at(-1)!);
    if (s.work.adoptKept(filename, item.sha256)) hashed.splice(hashed.indexOf(pinnedLine(item).line), 1);
  }
  return { hashed, unhashed };
}

/** Read every fetched wheel: one report per item with findings (.pth that runs code, overwrites, a pip script…). */
export function inspectFetched(items: readonly ReportItem[], wheels: ReadonlyMap<string, string>, s: PipSession): PackageReport[] {
  const toInspect = items.filter((i) => !i.editable && wheels.has(i.canonical)).map((i) => ({ name: i.name, file: wheels.get(i.canonical)! }));
  const inspected = s.deps.inspectWheels(toInspect, destinationSitePackages(s), s.owner);
  const reports: PackageReport[] = [];
  for (const item of items) {
    const findings = inspected.get(item.canonical) ?? [];
    if (findings.length) reports.push({ name: item.name, version: item.version, verdict: verdictOf(findings), findings });
  }
  return reports;
}
