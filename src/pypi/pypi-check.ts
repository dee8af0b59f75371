/**
 * `safe-pip safe check [--offline] [--json] <requirement>...`: facts and reports for requirements
 * without installing. Offline: name-only checks (typosquat). Online: the index's JSON API / PEP 691
 * (index from `indexUrl`, else PIP_INDEX_URL, else pip config is NOT consulted: pass it).
 */
import type { Settings } from '../config/settings.js';
import type { CheckContext, PackageFacts, PackageReport } from '../core/types.js';
import { UsageError } from '../core/errors.js';
import { runChecks, toReport } from '../checks/run-checks.js';
import { normalizePypiName } from './normalize-name.js';
import { fetchProject, type Fetcher } from './pypi-index.js';
import { factsFromAnswer } from './pypi-facts.js';

export const DEFAULT_INDEX = 'https://pypi.org/simple';

export interface PypiCheckOptions {
  offline: boolean;
  indexUrl?: string;
  fetcher?: Fetcher;
}

const NAME = String.raw`[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`;
const EXTRAS = String.raw`\[\s*(?:${NAME}(?:\s*,\s*${NAME})*)?\s*\]`;
const CLAUSE = String.raw`(?:~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+`;
const SPECIFIERS = String.raw`${CLAUSE}(?:\s*,\s*${CLAUSE})*`;
const requirementRe = new RegExp(String.raw`^\s*(${NAME})\s*(${EXTRAS})?\s*(?:(@)\s*\S+|\(\s*(${SPECIFIERS})\s*\)|(${SPECIFIERS}))?\s*(?:;\s*(\S.*))?$`);

/**
 * A PEP 508 requirement (`name[extras] specifiers ; marker`, or `name @ URL`) → its name and the
 * exact version when pinned with `==`/`===`. Anything else is a UsageError (one line); `command`:
 * safe-pip as the user typed it, for the advice.
 */
export function parseRequirementName(spec: string, command = 'safe-pip'): { name: string; version?: string } {
  const m = spec.match(requirementRe);
  if (!m) throw new UsageError(`not a valid requirement: "${spec}"`);
  if (m[3]) throw new UsageError(`"${spec}": a direct reference (name @ URL) is fetched from outside any index and cannot be checked without fetching it; use ${command} install --dry-run`);
  const specifiers = (m[4] ?? m[5] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  const pin = specifiers.length === 1 ? specifiers[0]!.match(/^===?\s*([^\s*]+)$/) : null;
  return { name: m[1]!, version: pin?.[1] };
}

/** Facts for each requirement (offline: only the name). */
export async function pypiFactsForCheck(specs: readonly string[], options: PypiCheckOptions): Promise<PackageFacts[]> {
  const index = options.indexUrl ?? DEFAULT_INDEX;
  return Promise.all(specs.map(async (spec) => {
    const { name, version } = parseRequirementName(spec);
    const base: PackageFacts = { ecosystem: 'pypi', name: normalizePypiName(name), requested: spec, source: 'registry', version: version ?? null };
    if (options.offline) return base;
    const answer = await fetchProject(index, name, { fetcher: options.fetcher });
    const facts = factsFromAnswer(answer, { name: normalizePypiName(name), requested: spec, version: version ?? null });
    return facts;
  }));
}

/** Reports in the shared JSON shape (`reportsToJson`). */
export async function pypiReportsForCheck(specs: readonly string[], options: PypiCheckOptions & { ctx: CheckContext; severity: Settings['severity'] }): Promise<PackageReport[]> {
  const facts = await pypiFactsForCheck(specs, options);
  return facts.map((f) => toReport(f, runChecks(f, options.ctx, { offline: options.offline, severity: options.severity })));
}
