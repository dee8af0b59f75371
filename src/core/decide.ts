import { ExitCode } from './exit-codes.js';
import type { Finding, PackageReport } from './types.js';
import { shellWord } from '../ui/shell-word.js';

/**
 * Findings that no allowlist entry can accept: the facts themselves are missing, or this exact
 * version is known malicious (trusting a name must not let its compromised release in).
 */
const unacceptable = new Set(['not-found', 'version-not-found', 'could-not-verify', 'known-malicious']);

/** Whether a user may accept this finding at all (at the prompt, by trust or --safe-yes). */
export function canBeAccepted(f: Finding): boolean {
  return !(f.severity === 'block' && unacceptable.has(f.check));
}

export interface DecideInput {
  tool: 'safe-npm' | 'safe-pip';
  reports: PackageReport[];
  /** Whether the user trusts this package (per-user allowlist: its name, or exactly this version). */
  isTrusted: (name: string, version?: string) => boolean;
  /** stdin and stdout are a TTY: we may ask. */
  interactive: boolean;
  /** --safe-yes: accept warn findings (never block, never scripts/builds). */
  yes: boolean;
  /** The tool as the user typed it, for the commands in the advice (`npm` through the shim); default `tool`. */
  command?: string;
  /** What "trust" accepts for a report (default: its name). */
  trustTarget?: (report: PackageReport) => string;
}

export interface OpenPackage {
  report: PackageReport;
  /** The findings still standing after the allowlist and --safe-yes were applied. */
  open: Finding[];
}

export type Decision =
  | { action: 'proceed' }
  | { action: 'ask'; packages: OpenPackage[] }
  | { action: 'stop'; exitCode: number; reasons: string[]; packages: OpenPackage[] };

/**
 * Pure policy: what the allowlist and --safe-yes accept, and what happens to the rest.
 * - trusted name: every finding is accepted except not-found / could-not-verify;
 * - --safe-yes: warn findings are accepted; block never is;
 * - with a TTY anything left is asked about; without one, block stops (65, or 68 when the only
 *   blocks are "could not verify") and warn needs confirmation (66).
 */
export function decide(input: DecideInput): Decision {
  const open: OpenPackage[] = [];
  for (const report of input.reports) {
    const trusted = input.isTrusted(report.packageName ?? report.name, report.version ?? undefined);
    const remaining = report.findings.filter((f) => {
      if (f.severity === 'info') return false;
      if (trusted && !(unacceptable.has(f.check) && (f.check !== 'known-malicious' || f.severity === 'block'))) return false;
      if (input.yes && f.severity === 'warn') return false;
      return true;
    });
    if (remaining.length > 0) open.push({ report, open: remaining });
  }
  if (open.length === 0) return { action: 'proceed' };
  if (input.interactive) return { action: 'ask', packages: open };

  const blocks = open.flatMap((p) => p.open.filter((f) => f.severity === 'block'));
  const exitCode = blocks.length === 0
    ? ExitCode.needsConfirmation
    : blocks.every((f) => f.check === 'could-not-verify') ? ExitCode.couldNotVerify : ExitCode.blocked;
  return { action: 'stop', exitCode, reasons: open.map((p) => stopReason(input.tool, p, input.command)), packages: open };
}

/** The finding that decides the advice: one no allowlist lifts first, then any block, then the first. */
function deciding(p: OpenPackage): Finding {
  return p.open.find((f) => f.severity === 'block' && unacceptable.has(f.check))
    ?? p.open.find((f) => f.severity === 'block')
    ?? p.open[0]!;
}

/** One plain line per package: what is wrong and the command that would accept it (`command`: the tool as the user typed it). */
export function stopReason(tool: DecideInput['tool'], p: OpenPackage, command: string = tool): string {
  const name = p.report.packageName ?? p.report.name;
  const worst = deciding(p);
  const more = p.open.length > 1 ? ` (+${p.open.length - 1} more)` : '';
  let how: string;
  if (worst.check === 'could-not-verify') how = 'retry when the registry is reachable';
  else if (worst.check === 'not-found') how = 'check the name';
  else if (worst.check === 'version-not-found') how = 'check the version';
  else if (worst.check === 'known-malicious' && worst.severity === 'block') how = 'do not install it; choose another version';
  else if (worst.severity === 'block') {
    how = `${worst.didYouMean ? `did you mean "${worst.didYouMean}"? ` : ''}if you are sure, run: ${command} safe trust ${shellWord(name)}`;
  } else how = `accept with --safe-yes (env ${tool === 'safe-npm' ? 'SAFE_NPM_YES' : 'SAFE_PIP_YES'}=1) or: ${command} safe trust ${shellWord(name)}`;
  return `${p.report.name}: ${worst.severity}: ${worst.message}${more} — ${how}`;
}

/**
 * What one stopped package needs, after the report has said what was found: the one command that
 * lets it through, or none when no command can (not found, unreachable, known malicious).
 */
export function stopAdvice(p: OpenPackage, input: Pick<DecideInput, 'tool' | 'command' | 'trustTarget'> & { viaNpx?: boolean }): string {
  const worst = deciding(p);
  const command = input.command ?? input.tool;
  const target = input.trustTarget?.(p.report) ?? p.report.packageName ?? p.report.name;
  const didYouMean = p.open.find((f) => f.didYouMean)?.didYouMean;
  const guess = didYouMean ? ` (did you mean "${didYouMean}"?)` : '';
  if (worst.check === 'not-found') return `${p.report.name}: not on the registry; check the name${guess}`;
  if (worst.check === 'version-not-found') {
    const name = p.report.packageName ?? p.report.name;
    return `${p.report.name}: no such version; see the versions with: ${input.tool === 'safe-pip' ? `pip index versions ${name}` : `npm view ${name} versions`}`;
  }
  if (worst.check === 'could-not-verify') return `${p.report.name}: could not be checked; run again when the registry answers`;
  if (worst.check === 'known-malicious' && worst.severity === 'block') return `${p.report.name}: a known malicious version; do not install it, choose another version`;
  if (worst.severity === 'block') return `${p.report.name}: blocked${guess}; if you are sure, run: ${command} safe trust ${shellWord(target)}`;
  const env = input.tool === 'safe-npm' ? 'SAFE_NPM_YES=1' : 'SAFE_PIP_YES=1';
  // npx hands everything after the package name to the command it runs: our flag goes before it.
  const flag = input.viaNpx ? '--safe-yes before the package name (npx --safe-yes …)' : '--safe-yes';
  return `${p.report.name}: needs your confirmation; run again with ${flag} (or ${env}) to accept it`;
}

/** `safe check`: 65 when something is blocked, 68 when the only blocks are "could not verify" (as an install), else 0. */
export function checkExitCode(reports: readonly PackageReport[]): number {
  const blocks = reports.flatMap((r) => r.findings.filter((f) => f.severity === 'block'));
  if (blocks.length === 0) return ExitCode.ok;
  return blocks.every((f) => f.check === 'could-not-verify') ? ExitCode.couldNotVerify : ExitCode.blocked;
}
