/** Decide and prompt for safe-pip: a did-you-mean or a skip rewrites the command line and runs again. */
import { ExitCode } from '../core/exit-codes.js';
import { decide } from '../core/decide.js';
import type { PackageReport } from '../core/types.js';
import { formatReports } from '../ui/format-report.js';
import { normalizePypiName } from '../pypi/normalize-name.js';
import { parseRequirementName } from '../pypi/pypi-check.js';
import type { FlowState, Rerun } from './pip-session.js';

/** decide → prompt or stop. Returns an exit code to stop with, or undefined to go on. */
export async function applyDecision(reports: PackageReport[], s: FlowState): Promise<number | Rerun | undefined> {
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
export function rewriteRequirement(s: FlowState, report: PackageReport, replacement: string | null): string[] | undefined {
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
