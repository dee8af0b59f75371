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
    findings.push(...produced);
  }
  return applySeverityOverrides(weighTakeoverSignals(findings, facts), options.severity);
}

/** Per-check severity overrides from the settings (`off` drops the finding). */
export function applySeverityOverrides(findings: readonly Finding[], severity: Settings['severity']): Finding[] {
  const out: Finding[] = [];
  for (const finding of findings) {
    const override = severity[finding.check];
    if (override === 'off') continue;
    out.push(override ? { ...finding, severity: override } : finding);
  }
  return out;
}

/**
 * Signals that, on their own, say someone else may now control the package (issue 9): a new
 * publisher, install scripts added or changed, provenance dropped, something found in the code.
 */
export const TAKEOVER_SIGNALS: ReadonlySet<string> = new Set(['new-publisher', 'install-scripts-changed', 'provenance-dropped', 'install-script-content']);
/** Common and harmless alone (a long pause, a new dependency); a takeover's accomplices together with a signal. */
export const TAKEOVER_CONTEXT: ReadonlySet<string> = new Set(['dormant-release', 'new-dependencies']);

/**
 * A dormant release or a new dependency is information alone; it warns together with a takeover
 * signal that warns, and only when the registry's timeline reads as one (a mirror's copy dates do
 * not: then the dormancy itself is unknown).
 */
export function weighTakeoverSignals(findings: readonly Finding[], facts: Pick<PackageFacts, 'timeline'>): Finding[] {
  const signals = findings.filter((f) => f.severity === 'warn' && TAKEOVER_SIGNALS.has(f.check)).map((f) => f.check);
  if (signals.length === 0 || facts.timeline !== 'consistent') return [...findings];
  return findings.map((f) => (TAKEOVER_CONTEXT.has(f.check) && f.severity === 'info'
    ? { ...f, severity: 'warn' as const, message: `${f.message}, together with: ${[...new Set(signals)].join(', ')}` }
    : f));
}

/**
 * One finding per fact (issue 9): a brand-new package is new, its only version is new, it has one
 * version and nothing is old enough for the cooldown: one warning, the rest as its detail lines.
 * Without a new package, a new version and the cooldown's "nothing old enough" are one fact too.
 */
export function oneFindingPerFact(findings: readonly Finding[]): Finding[] {
  const warnOf = (check: string) => findings.find((f) => f.check === check && f.severity === 'warn');
  const head = warnOf('new-package') ?? warnOf('new-version');
  if (!head) return [...findings];
  const folded = new Set(head.check === 'new-package' ? ['new-version', 'release-cooldown', 'few-versions'] : ['release-cooldown']);
  const absorbed = findings.filter((f) => f !== head && folded.has(f.check) && f.severity !== 'block');
  if (absorbed.length === 0) return [...findings];
  const merged: Finding = { ...head, details: [...(head.details ?? []), ...absorbed.map((f) => f.message)] };
  return findings.filter((f) => !absorbed.includes(f)).map((f) => (f === head ? merged : f));
}

/**
 * A name the registry does not know, one typo from a popular name, is one fact: "does not exist: one
 * typo from X" (with its did-you-mean) is what the user needs, and "was not found" says it again. The
 * typo's words are kept under not-found's id, so what no trust can lift stays so (trusting a name
 * that does not exist would install nothing) and the advice is to check the name.
 */
export function oneFindingForAFreeName(findings: readonly Finding[], facts: Pick<PackageFacts, 'exists'>): Finding[] {
  if (facts.exists !== false) return [...findings];
  const missing = findings.find((f) => f.check === 'not-found' && f.severity === 'block');
  const typo = findings.find((f) => f.check === 'typosquat' && f.severity === 'block' && f.didYouMean);
  if (!missing || !typo) return [...findings];
  return findings.filter((f) => f !== missing).map((f) => (f === typo ? { ...typo, check: missing.check } : f));
}

const rank: Record<Severity, number> = { info: 0, warn: 1, block: 2 };

export function verdictOf(findings: readonly Finding[]): Verdict {
  let worst = 0;
  for (const f of findings) worst = Math.max(worst, rank[f.severity]);
  return worst === 2 ? 'block' : worst === 1 ? 'warn' : 'ok';
}

/** The report of one package; facts the findings share are merged here (oneFindingForAFreeName, oneFindingPerFact), whoever added them. */
export function toReport(facts: PackageFacts, findings: Finding[]): PackageReport {
  const merged = oneFindingPerFact(oneFindingForAFreeName(findings, facts));
  return { name: facts.requested, packageName: facts.name, version: facts.version ?? null, verdict: verdictOf(merged), findings: merged };
}
