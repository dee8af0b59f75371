import type { Settings } from '../config/settings.js';
import type { Check, CheckContext, Finding, PackageFacts, PackageReport, Severity, Verdict } from '../core/types.js';
import { allChecks } from './all-checks.js';

export interface RunChecksOptions {
  /** Only name-based checks: no facts were fetched. */
  offline: boolean;
  severity: Settings['severity'];
  checks?: readonly Check[];
}

/**
 * Run every applicable check on one package. A check that throws becomes a visible
 * "could not verify" finding, never a silent pass. Severity overrides (`off` drops) apply here.
 */
export function runChecks(facts: PackageFacts, ctx: CheckContext, options: RunChecksOptions): Finding[] {
  const findings: Finding[] = [];
  // Facts for a package we could not fetch are meaningless: report only the fetch failure and name checks.
  const fetchFailed = Boolean(facts.fetchError) || facts.exists === false;
  for (const check of options.checks ?? allChecks) {
    if (check.ecosystems && !check.ecosystems.includes(facts.ecosystem)) continue;
    if (options.offline && check.needsNetwork) continue;
    if (fetchFailed && check.needsNetwork && check.id !== 'could-not-verify' && check.id !== 'not-found') continue;
    let produced: Finding[];
    try {
      produced = check.run(facts, ctx);
    } catch (error) {
      produced = [{ check: check.id, severity: 'block', message: `could not verify "${facts.name}": check ${check.id} failed: ${(error as Error).message}` }];
    }
    for (const finding of produced) {
      const override = options.severity[finding.check];
      if (override === 'off') continue;
      findings.push(override ? { ...finding, severity: override } : finding);
    }
  }
  return findings;
}

const rank: Record<Severity, number> = { info: 0, warn: 1, block: 2 };

export function verdictOf(findings: readonly Finding[]): Verdict {
  let worst = 0;
  for (const f of findings) worst = Math.max(worst, rank[f.severity]);
  return worst === 2 ? 'block' : worst === 1 ? 'warn' : 'ok';
}

export function toReport(facts: PackageFacts, findings: Finding[]): PackageReport {
  return { name: facts.requested, packageName: facts.name, version: facts.version ?? null, verdict: verdictOf(findings), findings };
}
