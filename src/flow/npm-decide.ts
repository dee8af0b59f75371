/**
 * Report, decide and prompt for safe-npm (the shared stages of decision-stages.ts). A requested
 * package can be skipped or swapped for its did-you-mean (the argv is rewritten); a dependency can
 * only be accepted or the install aborted.
 */
import type { Decision } from '../core/decide.js';
import { Cancelled } from '../core/errors.js';
import type { PackageReport } from '../core/types.js';
import type { NpmSpecRequest } from '../npm/npm-invocation.js';
import type { RegistryClient } from '../npm/npm-registry.js';
import { formatReports } from '../ui/format-report.js';
import { checkNpmSpecs, type CheckedPackage } from './check-packages.js';
import { askEach, decideWithAllowlist, sayEstablishedLookalikes, stopLines, trustFromPrompt, trustTarget } from './decision-stages.js';
import type { NpmSession } from './npm-session.js';

/** How the requested packages were settled: argv rewrites (raw spec → did-you-mean, or null = skip). */
export type Settled =
  | { kind: 'exit'; exitCode: number }
  | { kind: 'go'; replacements: Map<string, string | null>; allSkipped: boolean; substitutes: CheckedPackage[] };

/**
 * Apply policy to the requested packages; in a TTY ask about each flagged one. A substitute is
 * checked like anything else before it installs (up to three rounds).
 */
export async function decideRequested(checked: CheckedPackage[], s: NpmSession, registry: RegistryClient): Promise<Settled> {
  const { deps, store } = s;
  const replacements = new Map<string, string | null>();
  const substituted: CheckedPackage[] = [];
  let pending = checked;
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    const decision = decideWithAllowlist(pending.map((c) => c.report), { tool: 'safe-npm', store, interactive: deps.interactive, yes: s.inv.ownFlags.yes, command: deps.ownCommand });
    if (decision.action === 'proceed') {
      // Nothing asked: the report (which would show it) is not printed.
      sayEstablishedLookalikes(pending.map((c) => c.report), deps, 'safe-npm');
      break;
    }
    if (decision.action === 'stop') return { kind: 'exit', exitCode: sayStopped(decision, s) };
    deps.stderr(`${formatReports(decision.packages.map((p) => p.report), { color: deps.stderrIsTTY, showInfo: true })}\n`);
    const substitutes: NpmSpecRequest[] = [];
    await askEach(decision.packages, deps.prompts, (open, answer, suggestion) => {
      const item = pending.find((c) => c.report === open.report)!;
      if (answer === 'abort') throw new Cancelled('aborted; nothing was changed');
      if (answer === 'skip') replacements.set(item.spec.raw, null);
      if (answer === 'install-and-trust') trustFromPrompt(store, 'safe-npm', trustTarget('safe-npm', open.report), deps.now());
      if (answer === 'substitute' && suggestion) {
        replacements.set(item.spec.raw, suggestion);
        substitutes.push({ raw: suggestion, type: 'tag', name: suggestion, registryName: suggestion, fetchSpec: 'latest', fromRegistry: true });
      }
      return undefined;
    }, { tool: 'safe-npm' });
    if (substitutes.length === 0) break;
    const popular = deps.popular();
    pending = await deps.asBuildUser(s.buildUser, () =>
      checkNpmSpecs({ specs: substitutes, registry, settings: s.settings, popular, now: deps.now(), command: deps.ownCommand }));
    substituted.push(...pending);
  }
  const skipped = [...replacements.values()].filter((v) => v === null).length;
  return { kind: 'go', replacements, allSkipped: skipped > 0 && skipped === checked.length, substitutes: substituted };
}

/** Transitive findings: info is shown, the rest goes through the same policy; no skip/substitute. */
export async function decideTransitive(reports: PackageReport[], s: NpmSession): Promise<number | undefined> {
  const { deps, store } = s;
  // Information alone is not worth interrupting a good install for: it shows when we ask.
  const decision = decideWithAllowlist(reports, { tool: 'safe-npm', store, interactive: deps.interactive, yes: s.inv.ownFlags.yes, command: deps.ownCommand });
  if (decision.action === 'proceed') return undefined;
  if (decision.action === 'stop') return sayStopped(decision, s);
  deps.stderr(`${formatReports(decision.packages.map((p) => p.report), { color: deps.stderrIsTTY, showInfo: true })}\n`);
  return askEach(decision.packages, deps.prompts, (open, answer) => {
    if (answer === 'abort' || answer === 'skip' || answer === 'substitute') throw new Cancelled('aborted; nothing was changed');
    if (answer === 'install-and-trust') trustFromPrompt(store, 'safe-npm', trustTarget('safe-npm', open.report), deps.now());
    return undefined;
  }, { transitive: true, tool: 'safe-npm' });
}

/**
 * No TTY: the report says once what was found (each finding once, with its detail lines), then one
 * line per stopped package with the command that lets it through. Returns the exit code.
 */
function sayStopped(decision: Extract<Decision, { action: 'stop' }>, s: NpmSession): number {
  const text = formatReports(decision.packages.map((p) => p.report), { color: false, showInfo: false });
  if (text) s.deps.stderr(`${text}\n`);
  for (const line of stopLines('safe-npm', decision, s.deps.ownCommand, s.inv.viaNpx === true)) s.deps.stderr(`${line}\n`);
  return decision.exitCode;
}

/** Replace or drop positional spec tokens in npm's argv (first occurrence each). */
export function rewriteArgs(args: string[], replacements: Map<string, string | null>): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  for (const arg of args) {
    if (replacements.has(arg) && !done.has(arg)) {
      done.add(arg);
      const to = replacements.get(arg);
      if (to) out.push(to);
      continue;
    }
    out.push(arg);
  }
  return out;
}

export type { PackageReport };
