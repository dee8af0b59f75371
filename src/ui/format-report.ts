import type { Finding, PackageReport, Severity } from '../core/types.js';
import { neutralize, terminalSafeJson } from './neutralize.js';

const marks: Record<Severity, string> = { block: '✖', warn: '!', info: 'i' };
const colors: Record<Severity, [string, string]> = {
  block: ['\x1b[31m', '\x1b[39m'],
  warn: ['\x1b[33m', '\x1b[39m'],
  info: ['\x1b[2m', '\x1b[22m'],
};

export interface FormatOptions {
  color: boolean;
  /** Show info findings too (interactive reports do; the quiet no-TTY path does not). */
  showInfo: boolean;
}

/**
 * Pure: reports → compact text, one block per package that has something to say. Names, versions and
 * messages carry outside text (specs, registry fields, error bodies): neutralized before colouring.
 */
export function formatReports(reports: readonly PackageReport[], options: FormatOptions): string {
  const lines: string[] = [];
  for (const report of reports) {
    const shown = report.findings.filter((f) => options.showInfo || f.severity !== 'info');
    if (shown.length === 0) continue;
    lines.push(paint(report.verdict === 'ok' ? 'info' : report.verdict, neutralize(reportHead(report)), options.color));
    for (const f of shown) lines.push(...formatFinding(f, options));
  }
  return lines.join('\n');
}

/** A package as its report names it, with the version once: "x@1.0.0 (via a > b)" already names it, "x" gets "(1.0.0)". */
export function reportHead(report: Pick<PackageReport, 'name' | 'version'>): string {
  const named = report.version && (report.name.endsWith(report.version) || report.name.includes(`@${report.version} `) || report.name.includes(`==${report.version} `));
  return `${report.name}${report.version && !named ? ` (${report.version})` : ''}`;
}

export function formatFinding(f: Finding, options: Pick<FormatOptions, 'color'>): string[] {
  const out = [`  ${paint(f.severity, `${marks[f.severity]} ${f.severity}`, options.color)} ${neutralize(f.message)}`];
  if (f.didYouMean) out.push(`      did you mean "${neutralize(f.didYouMean)}"?`);
  for (const d of f.details ?? []) out.push(`      ${neutralize(d)}`);
  return out;
}

function paint(severity: Severity, text: string, color: boolean): string {
  if (!color) return text;
  const [on, off] = colors[severity];
  return `${on}${text}${off}`;
}

/** The `--json` document of `safe check`: exactly these fields, in this order (terminal-safe escapes). */
export function reportsToJson(reports: readonly PackageReport[]): string {
  return terminalSafeJson(JSON.stringify({
    packages: reports.map((r) => ({
      name: r.name,
      version: r.version,
      verdict: r.verdict,
      findings: r.findings.map((f) => ({
        check: f.check,
        severity: f.severity,
        message: f.message,
        ...(f.didYouMean ? { didYouMean: f.didYouMean } : {}),
      })),
    })),
  }));
}
