/** Facts → checks → reports, for a list of requested npm specs (shared by install and `safe check`). */
import type { Settings } from '../config/settings.js';
import type { CheckContext, PackageFacts, PackageReport, PopularNameIndex } from '../core/types.js';
import { runChecks, toReport } from '../checks/run-checks.js';
import { npmFacts, offlineFacts } from '../npm/npm-facts.js';
import type { NpmSpecRequest } from '../npm/npm-invocation.js';
import { mapConcurrent, type RegistryClient } from '../npm/npm-registry.js';

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
}): Promise<CheckedPackage[]> {
  const ctx: CheckContext = { now: input.now, thresholds: input.settings.thresholds, popular: input.popular };
  const offline = !input.registry;
  return mapConcurrent(input.specs, input.concurrency ?? 16, async (spec) => {
    let facts: PackageFacts;
    if (offline || !spec.fromRegistry || !spec.registryName) facts = offlineFacts(spec);
    else facts = npmFacts(spec, await input.registry!.packument(spec.registryName), { defaultTag: input.defaultTag });
    const findings = runChecks(facts, ctx, { offline, severity: input.settings.severity });
    return { spec, facts, report: toReport(facts, findings) };
  });
}
