/**
 * Report, decide and prompt for safe-pip (the shared stages of decision-stages.ts). pip installs a
 * resolved set as a whole: a did-you-mean or a skip rewrites the command line and the run starts again.
 */
import { pipOutputForTerminal } from '../pypi/pip-output.js';
import { ExitCode } from '../core/exit-codes.js';
import type { OpenPackage } from '../core/decide.js';
import type { PackageReport } from '../core/types.js';
import { normalizePypiName } from '../pypi/normalize-name.js';
import { parseRequirementName } from '../pypi/pypi-check.js';
import { formatReports } from '../ui/format-report.js';
import type { PackageAnswer } from '../ui/prompts.js';
import { askEach, decideWithAllowlist, stopLines, trustFromPrompt } from './decision-stages.js';
import { positionals } from '../pypi/parse-pip-args.js';
import { checkRequestedNames } from './pip-checks.js';
import { note, say, type Outcome, type PipSession, type Rerun, type Unresolved } from './pip-session.js';
import { shellWords } from '../ui/shell-word.js';

/** Report → decide → prompt (TTY) or stop (no TTY). Returns how the run ends, or undefined to go on. */
export async function decideAndPrompt(reports: PackageReport[], s: PipSession): Promise<Outcome | undefined> {
  const decision = decideWithAllowlist(reports, { tool: 'safe-pip', store: s.store, interactive: s.deps.interactive, yes: s.inv.ownFlags.yes, command: s.deps.ownCommand });
  // Under pip's -q, a run that goes on says nothing of its own (accepted warnings included).
  const text = decision.action === 'proceed' && s.quiet > 0 ? '' : formatReports(reports, { color: s.deps.color, showInfo: s.deps.interactive });
  if (text) s.deps.stderr(`${text}\n`);
  if (decision.action === 'proceed') return undefined;
  if (decision.action === 'stop') {
    for (const line of stopLines('safe-pip', decision)) s.deps.stderr(`${line}\n`);
    return decision.exitCode;
  }
  // Only what can be done is offered: a package no command-line requirement names cannot be skipped
  // or replaced (pip installs a resolved set as a whole): accept it, or abort.
  for (const p of decision.packages) {
    const onCommandLine = rewriteRequirement(s, p.report, p.report.packageName ?? p.report.name) !== undefined;
    const result = await askEach([p], s.deps.prompts, (q, answer, suggestion) => onAnswer(q, answer, suggestion, s), { transitive: !onCommandLine });
    if (result !== undefined) return result;
  }
  return undefined;
}

/**
 * pip could not resolve the request. A requested name that is a slip of a popular one is said
 * first, with its did-you-mean (at a terminal: the replacement is offered), then pip's own error.
 */
export async function explainUnresolved(u: Unresolved, s: PipSession): Promise<Outcome> {
  const { code, stderr, side } = u.unresolved;
  const flagged = await checkRequestedNames(side, commandLineNames(s), s);
  // At a terminal the replacement is offered; without one, the stop names the replacement (trusting
  // a name pip cannot resolve would not install anything).
  const decided = flagged.length === 0 ? undefined : s.deps.interactive ? await decideAndPrompt(flagged, s) : stopUnresolvable(flagged, s);
  if (decided !== undefined && typeof decided !== 'number') return decided;
  s.deps.stderr(pipOutputForTerminal(stderr));
  if (decided !== undefined) return decided;
  say(s, `pip stopped (exit ${code}); nothing was installed`);
  return code;
}

/** The project names of the command line's requirements. */
function commandLineNames(s: PipSession): string[] {
  return positionals(s.inv.items).flatMap((p) => {
    try {
      return [parseRequirementName(p).name];
    } catch {
      return [];
    }
  });
}

/**
 * An index failed, so nothing pip chose could be verified (68). A requested name that is a slip of
 * a popular one is known all the same: `fault` is said, then the report with the did-you-mean, and
 * the run ends as `safe check` would end it (65), not as a network fault — the typo is what to fix.
 * Undefined (nothing said) when no requested name is such a slip.
 */
export async function stopOnLookalikesWhenIndexFailed(side: Unresolved['unresolved']['side'], fault: string, s: PipSession): Promise<number | undefined> {
  const flagged = await checkRequestedNames(side, commandLineNames(s), s);
  if (flagged.length === 0) return undefined;
  say(s, fault);
  return stopUnresolvable(flagged, s);
}

/** One answer at the prompt: go on (undefined), or end the run (exit code / rerun). */
function onAnswer(p: OpenPackage, answer: PackageAnswer, suggestion: string | undefined, s: PipSession): Outcome | undefined {
  if (answer === 'install') return undefined;
  if (answer === 'install-and-trust') {
    // The project's name, not the line shown (`x==1.0 (via a)`): that is what the allowlist matches.
    trustFromPrompt(s.store, 'safe-pip', p.report.packageName ?? p.report.name);
    return undefined;
  }
  if (answer === 'substitute' && suggestion) {
    const argv = rewriteRequirement(s, p.report, suggestion);
    if (argv) return argv.length ? rerun(argv, s) : ExitCode.ok;
    say(s, `"${p.report.name}" is not a requirement on the command line (a requirements file or a dependency asks for it): replace it there with "${suggestion}" and run again`);
  } else if (answer === 'skip') {
    const argv = rewriteRequirement(s, p.report, null);
    if (argv?.length) return rerun(argv, s);
    if (argv) {
      say(s, 'nothing left to install');
      return ExitCode.ok;
    }
    say(s, `"${p.report.name}" is not a requirement on the command line; pip installs a resolved set as a whole, so skipping it means installing nothing`);
  }
  say(s, 'nothing was installed');
  return ExitCode.blocked;
}

function stopUnresolvable(flagged: PackageReport[], s: PipSession): number {
  const text = formatReports(flagged, { color: s.deps.color, showInfo: false });
  if (text) s.deps.stderr(`${text}\n`);
  for (const r of flagged) {
    const f = r.findings.find((x) => x.severity === 'block')!;
    const fixed = f.didYouMean ? rewriteRequirement(s, r, f.didYouMean) : undefined;
    // The report above said what was found; this line says what to do about it (the message once).
    const what = f.check === 'not-found' ? 'not on the package index' : 'blocked';
    const how = f.didYouMean ? `; did you mean "${f.didYouMean}"?${fixed?.length ? ` run: ${s.deps.ownCommand} ${shellWords(fixed)}` : ''}` : '';
    say(s, `${r.name}: ${what}${how}`);
  }
  say(s, 'nothing was installed');
  return ExitCode.blocked;
}

function rerun(argv: string[], s: PipSession): Rerun {
  note(s, `running again as: pip ${argv.join(' ')}`);
  return { rerun: argv };
}

/**
 * The user's argv with the command-line requirement(s) naming `report`'s project renamed to
 * `replacement` (extras, specifiers and markers kept) or removed (null). undefined when no
 * command-line requirement names it; [] when removing it leaves nothing to install.
 */
function rewriteRequirement(s: PipSession, report: PackageReport, replacement: string | null): string[] | undefined {
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
  const argv = [...s.argv];
  for (const h of hits) argv[h.argvIndex!] = replacement === null ? '\0' : h.value.replace(/^\s*[A-Za-z0-9][A-Za-z0-9._-]*/, replacement);
  const out = argv.filter((a) => a !== '\0');
  const left = s.inv.items.some((it) => (it.kind === 'positional' && !hits.includes(it as never)) || (it.kind === 'option' && ['--requirement', '--editable', '--requirements-from-script', '--group'].includes(it.option.spec.name)));
  if (replacement === null && !left && !s.deps.env.PIP_REQUIREMENT && !s.deps.env.PIP_EDITABLE) return [];
  return out;
}
