/**
 * The stages both install flows share once the findings are known: severity overrides, the
 * cooldown line, decide (policy + allowlist), the stop message and the prompt loop. One function
 * each; what differs between safe-npm and safe-pip is a parameter, not a copy.
 */
import type { SafeStore } from '../config/store.js';
import type { Settings } from '../config/settings.js';
import { canBeAccepted, decide, stopAdvice, type Decision, type OpenPackage } from '../core/decide.js';
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

/**
 * A requested name that looks like a popular one but is an established package of its own (info):
 * installed as asked, and said in one line even when all is well — `npm i expres` is most often a
 * slip for express, and the user should see which one they got.
 */
export function sayEstablishedLookalikes(reports: readonly PackageReport[], out: { stderr(text: string): void }, tool: Tool): void {
  for (const r of reports) {
    for (const f of r.findings) if (f.check === 'typosquat' && f.severity === 'info') out.stderr(`${tool}: ${neutralize(f.message)}; installing it as asked\n`);
  }
}

/** The name the allowlist keys a package by (PyPI: PEP 503 normalised). */
export function allowlistName(tool: Tool, name: string): string {
  return tool === 'safe-pip' ? normalizePypiName(name) : name;
}

/**
 * What "trust" records for a report: safe-npm trusts exactly what the user saw (name@version; a bare
 * name, from `safe trust <name>`, trusts every version); safe-pip the project name.
 */
export function trustTarget(tool: Tool, report: Pick<PackageReport, 'name' | 'packageName' | 'version'>): string {
  const name = allowlistName(tool, report.packageName ?? report.name);
  return tool === 'safe-npm' && report.version ? `${name}@${report.version}` : name;
}

/** Decide: the pure policy of core/decide.ts with the per-user allowlist of the store. */
export function decideWithAllowlist(
  reports: PackageReport[],
  ctx: { tool: Tool; store: SafeStore; interactive: boolean; yes: boolean; command?: string },
): Decision {
  const eco = ecosystemOf[ctx.tool];
  return decide({
    tool: ctx.tool,
    command: ctx.command,
    reports,
    isTrusted: (name, version) => ctx.store.isTrusted(eco, allowlistName(ctx.tool, name))
      || (ctx.tool === 'safe-npm' && version !== undefined && ctx.store.isTrusted(eco, `${name}@${version}`)),
    interactive: ctx.interactive,
    yes: ctx.yes,
    trustTarget: (report) => trustTarget(ctx.tool, report),
  });
}

/** "Always trust" at the prompt: what the user saw (see trustTarget) goes to the per-user allowlist. */
export function trustFromPrompt(store: SafeStore, tool: Tool, target: string, now?: Date): void {
  store.trust(ecosystemOf[tool], allowlistName(tool, target), now);
}

/**
 * The lines that end a stopped run (no TTY): safe-npm names the exit code and, under the report that
 * said what was found, one line per package with the command that lets it through (`command`: the
 * tool as the user typed it; `viaNpx`: through npx, where our flag goes before the package name);
 * safe-pip prints one prefixed reason per package and then that nothing
 * was installed.
 */
export function stopLines(tool: Tool, decision: Extract<Decision, { action: 'stop' }>, command: string = tool, viaNpx = false): string[] {
  if (tool === 'safe-npm') {
    const advice = decision.packages.map((p) => `  ${neutralize(stopAdvice(p, { tool, command, viaNpx, trustTarget: (r) => trustTarget(tool, r) }))}`);
    return [`safe-npm: install stopped (exit ${decision.exitCode}); nothing was changed:`, ...advice];
  }
  return [...decision.reasons.map((r) => `safe-pip: ${neutralize(r)}`), 'safe-pip: nothing was installed'];
}

/**
 * The prompt stage: asks about each open package in turn (with its did-you-mean unless
 * `transitive`). `onAnswer` turns an answer into a result that ends the round, or undefined to go
 * on with the next package; undefined when every package was answered without one. "Install all"
 * (offered when every package after this one is a warning) answers "install" for the rest.
 */
export async function askEach<T>(
  packages: readonly OpenPackage[],
  prompts: Prompts,
  onAnswer: (p: OpenPackage, answer: PackageAnswer, suggestion: string | undefined) => T | undefined,
  options: { transitive?: boolean; tool?: Tool } = {},
): Promise<T | undefined> {
  let acceptRest = false;
  for (const [i, p] of packages.entries()) {
    const suggestion = options.transitive ? undefined : p.open.find((f) => f.didYouMean)?.didYouMean;
    const rest = packages.slice(i + 1);
    const others = rest.every((q) => q.open.every((f) => f.severity === 'warn')) ? rest.length : 0;
    let answer = acceptRest ? 'install' : await prompts.askAboutPackage(p.report, p.open, suggestion, {
      ...(options.transitive ? { transitive: true } : {}),
      ...(options.tool ? { trust: trustTarget(options.tool, p.report) } : {}),
      ...(others > 0 ? { others } : {}),
      ...(p.open.every(canBeAccepted) ? {} : { installable: false }),
    });
    if (answer === 'install-all') {
      acceptRest = true;
      answer = 'install';
    }
    const result = onAnswer(p, answer, suggestion);
    if (result !== undefined) return result;
  }
  return undefined;
}
