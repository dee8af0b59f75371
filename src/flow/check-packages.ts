/** Facts → checks → reports, for a list of requested npm specs (shared by install and `safe check`). */
import type { Settings } from '../config/settings.js';
import type { CheckContext, PackageFacts, PackageReport, PopularNameIndex } from '../core/types.js';
import { runChecks, toReport } from '../checks/run-checks.js';
import { npmFacts, offlineFacts } from '../npm/npm-facts.js';
import type { NpmSpecRequest } from '../npm/npm-invocation.js';
import { mapConcurrent, type PackumentResult, type RegistryClient } from '../npm/npm-registry.js';
import { cooldownNotes, tooYoungFinding } from './whole-tree.js';

export interface CheckedPackage {
  spec: NpmSpecRequest;
  facts: PackageFacts;
  report: PackageReport;
}

export async function checkNpmSpecs(input: {
  specs: readonly NpmSpecRequest[];
  registry: RegistryClient | undefined; // undefined = offline
  settings: Settings;
  popular: PopularNameIndex;
  now: Date;
  defaultTag?: string;
  concurrency?: number;
  /** Release cooldown: versions published after this are not chosen (unless nothing else matches). */
  before?: Date;
  cooldownHours?: number;
  cooldownExclude?: readonly string[];
  /** safe-npm as the user typed it (`npm` through the shim), for the commands findings suggest. */
  command?: string;
}): Promise<CheckedPackage[]> {
  const ctx: CheckContext = { now: input.now, thresholds: input.settings.thresholds, popular: input.popular, ...(input.command ? { command: input.command } : {}) };
  const offline = !input.registry;
  if (offline) {
    // Name checks only: synchronous, no promise per name (`safe check --offline` takes thousands).
    return input.specs.map((spec) => {
      const facts = offlineFacts(spec);
      return { spec, facts, report: toReport(facts, runChecks(facts, ctx, { offline, severity: input.settings.severity })) };
    });
  }
  return mapConcurrent(input.specs, input.concurrency ?? 16, async (spec) => {
    let facts: PackageFacts;
    let packument: PackumentResult | undefined;
    const before = input.before && !isExcluded(spec.registryName, input.cooldownExclude) ? input.before : undefined;
    if (offline || !spec.fromRegistry || !spec.registryName) facts = offlineFacts(spec);
    else {
      packument = await input.registry!.packument(spec.registryName);
      facts = npmFacts(spec, packument, { defaultTag: input.defaultTag, before });
    }
    const findings = runChecks(facts, ctx, { offline, severity: input.settings.severity });
    if (before && packument?.ok && facts.version) {
      if (facts.cooldownLifted) findings.push(tooYoungFinding(facts, input.cooldownHours ?? 0, input.now));
      else {
        const node = { name: facts.name, version: facts.version, location: '', registry: true, source: 'registry' as const, path: [facts.name], dev: false, optional: false };
        const ranges = spec.type === 'range' && spec.fetchSpec !== (input.defaultTag ?? 'latest') ? [spec.fetchSpec!] : [];
        findings.push(...cooldownNotes(node, packument.packument, ranges, before, input.now));
      }
    }
    return { spec, facts, report: toReport(facts, findings) };
  });
}

/** `min-release-age-exclude` style: exact names or globs like @myorg/*. */
export function isExcluded(name: string | undefined, patterns: readonly string[] | undefined): boolean {
  if (!name || !patterns?.length) return false;
  return patterns.some((p) => p === name || (p.endsWith('/*') && name.startsWith(p.slice(0, -1))) || (p.endsWith('*') && name.startsWith(p.slice(0, -1))));
}
