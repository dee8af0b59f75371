import { ExitCode } from './exit-codes.js';
import type { Finding, PackageReport } from './types.js';

/**
 * Findings that no allowlist entry can accept: the facts themselves are missing, or this exact
 * version is known malicious (trusting a name must not let its compromised release in).
 */
const unacceptable = new Set(['not-found', 'could-not-verify', 'known-malicious']);

export interface DecideInput {
  tool: 'safe-npm' | 'safe-pip';
  reports: PackageReport[];
  /** Whether the user trusts this package name (per-user allowlist). */
  isTrusted: (name: string) => boolean;
  /** stdin and stdout are a TTY: we may ask. */
  interactive: boolean;
  /** --safe-yes: accept warn findings (never block, never scripts/builds). */
  yes: boolean;
}

export interface OpenPackage {
  report: PackageReport;
  /** The findings still standing after the allowlist and --safe-yes were applied. */
  open: Finding[];
}

export type Decision =
  | { action: 'proceed' }
  | { action: 'ask'; packages: OpenPackage[] }
  | { action: 'stop'; exitCode: number; reasons: string[] };

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
    const trusted = input.isTrusted(report.packageName ?? report.name);
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
  return { action: 'stop', exitCode, reasons: open.map((p) => stopReason(input.tool, p)) };
}

/** One plain line per package: what is wrong and the command that would accept it. */
export function stopReason(tool: DecideInput['tool'], p: OpenPackage): string {
  const name = p.report.packageName ?? p.report.name;
  const worst = p.open.find((f) => f.severity === 'block') ?? p.open[0]!;
  const more = p.open.length > 1 ? ` (+${p.open.length - 1} more)` : '';
  let how: string;
  if (worst.check === 'could-not-verify') how = 'retry when the registry is reachable';
  else if (worst.check === 'not-found') how = 'check the name';
  else if (worst.check === 'known-malicious' && worst.severity === 'block') how = 'do not install it; choose another version';
  else if (worst.severity === 'block') {
    how = `${worst.didYouMean ? `did you mean "${worst.didYouMean}"? ` : ''}if you are sure, run: ${tool} safe trust ${name}`;
  } else how = `accept with --safe-yes (env ${tool === 'safe-npm' ? 'SAFE_NPM_YES' : 'SAFE_PIP_YES'}=1) or: ${tool} safe trust ${name}`;
  return `${p.report.name}: ${worst.severity}: ${worst.message}${more} — ${how}`;
}
