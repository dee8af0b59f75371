/**
 * The stages both install flows share once the findings are known: severity overrides, the
 * cooldown line, decide (policy + allowlist), the stop message and the prompt loop. One function
 * each; what differs between safe-npm and safe-pip is a parameter, not a copy.
 */
import type { SafeStore } from '../config/store.js';
import type { Settings } from '../config/settings.js';
import { decide, type Decision, type OpenPackage } from '../core/decide.js';
import type { Ecosystem, Finding, PackageReport } from '../core/types.js';
import { normalizePypiName } from '../pypi/normalize-name.js';
import { neutralize } from '../ui/neutralize.js';
import type { PackageAnswer, Prompts } from '../ui/prompts.js';

export type Tool = 'safe-npm' | 'safe-pip';

const ecosystemOf: Record<Tool, Ecosystem> = { 'safe-npm': 'npm', 'safe-pip': 'pypi' };

/** `severity.<check>` from the settings: `off` drops a finding, any other value replaces its severity. */
export function applySeverity(findings: Finding[], settings: Pick<Settings, 'severity'>): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    const o = settings.severity[f.check];
    if (o === 'off') continue;
    out.push(o ? { ...f, severity: o } : f);
  }
  return out;
}

/** What the cooldown changed is said even when all is well: it installs something other than the plain tool would. */
export function sayCooldown(reports: readonly PackageReport[], out: { stderr(text: string): void }, tool: Tool): void {
  for (const r of reports) {
    for (const f of r.findings) if (f.check === 'release-cooldown' && f.severity === 'info') out.stderr(`${tool}: ${neutralize(f.message)}\n`);
  }
}

/** The name the allowlist keys a package by (PyPI: PEP 503 normalised). */
export function allowlistName(tool: Tool, name: string): string {
  return tool === 'safe-pip' ? normalizePypiName(name) : name;
}

/** Decide: the pure policy of core/decide.ts with the per-user allowlist of the store. */
export function decideWithAllowlist(
  reports: PackageReport[],
  ctx: { tool: Tool; store: SafeStore; interactive: boolean; yes: boolean },
): Decision {
  return decide({
    tool: ctx.tool,
    reports,
    isTrusted: (name) => ctx.store.isTrusted(ecosystemOf[ctx.tool], allowlistName(ctx.tool, name)),
    interactive: ctx.interactive,
    yes: ctx.yes,
  });
}

/** "Always trust" at the prompt: the name goes to the per-user allowlist. */
export function trustFromPrompt(store: SafeStore, tool: Tool, name: string, now?: Date): void {
  store.trust(ecosystemOf[tool], allowlistName(tool, name), now);
}

/**
 * The lines that end a stopped run (no TTY): safe-npm names the exit code and indents one reason per
 * package; safe-pip prints one prefixed reason per package and then that nothing was installed.
 */
export function stopLines(tool: Tool, decision: Extract<Decision, { action: 'stop' }>): string[] {
  if (tool === 'safe-npm') {
    return [`safe-npm: install stopped (exit ${decision.exitCode}); nothing was changed:`, ...decision.reasons.map((r) => `  ${neutralize(r)}`)];
  }
  return [...decision.reasons.map((r) => `safe-pip: ${neutralize(r)}`), 'safe-pip: nothing was installed'];
}

/**
 * The prompt stage: asks about each open package in turn (with its did-you-mean unless
 * `transitive`). `onAnswer` turns an answer into a result that ends the round, or undefined to go
 * on with the next package; undefined when every package was answered without one.
 */
export async function askEach<T>(
  packages: readonly OpenPackage[],
  prompts: Prompts,
  onAnswer: (p: OpenPackage, answer: PackageAnswer, suggestion: string | undefined) => T | undefined,
  options: { transitive?: boolean } = {},
): Promise<T | undefined> {
  for (const p of packages) {
    const suggestion = options.transitive ? undefined : p.open.find((f) => f.didYouMean)?.didYouMean;
    const answer = await prompts.askAboutPackage(p.report, p.open, suggestion, options.transitive ? { transitive: true } : undefined);
    const result = onAnswer(p, answer, suggestion);
    if (result !== undefined) return result;
  }
  return undefined;
}
