/**
 * Stage "checks" of safe-npm: the requested packages (while npm's engine resolves), then every new or
 * changed package of the resolved tree, each turned into a report with its dependency path.
 */
import { runChecks, toReport } from '../checks/run-checks.js';
import type { Finding, PackageReport } from '../core/types.js';
import { npmFacts, offlineFacts } from '../npm/npm-facts.js';
import { mapConcurrent, type RegistryClient } from '../npm/npm-registry.js';
import type { ResolvedNode } from '../npm/tree-nodes.js';
import { checkNpmSpecs, type CheckedPackage } from './check-packages.js';
import { requestedSpecsOf } from './offline-name-stops.js';
import { applySeverity } from './decision-stages.js';
import { treeDirOf, type CooldownWindow, type ResolvedTree, type TreeMode } from './npm-resolve.js';
import type { NpmSession } from './npm-session.js';
import { cooldownNotes, displayName, replacedVersion, tooYoungFinding } from './whole-tree.js';

/** The packages named on the command line (exec: its packages), checked as the build user. */
export async function checkRequested(s: NpmSession, registry: RegistryClient, cooldown: CooldownWindow): Promise<CheckedPackage[]> {
  const { deps } = s;
  const requested = requestedSpecs(s);
  const popular = deps.popular();
  const spinner = await deps.spinner(`checking ${requested.length === 1 ? requested[0]!.raw : `${requested.length} packages`}`);
  try {
    // Cache entries written during the check must belong to the user who installs next.
    return await deps.asBuildUser(s.buildUser, () => checkNpmSpecs({
      specs: requested, registry, settings: s.settings, popular, now: deps.now(),
      defaultTag: String(s.config.get('tag') ?? 'latest'),
      command: deps.ownCommand,
      ...cooldown,
    }));
  } finally {
    spinner.stop();
    deps.mark?.('requested packages checked');
  }
}

/**
 * exec/npx/init name and install what was vetted, as npm names it ("cowsay@1.6.0", not "cowsay"):
 * each registry package's report is named `name@version`, and the session keeps that as its spec.
 */
export function nameVetted(checked: readonly CheckedPackage[], s: Pick<NpmSession, 'vetted'>): void {
  for (const { spec, report } of checked) {
    if (!spec.fromRegistry || !spec.registryName || !report.version) continue;
    const vetted = `${spec.registryName}@${report.version}`;
    report.name = vetted;
    (s.vetted ??= new Map()).set(spec.raw, { spec: vetted, name: spec.registryName });
  }
}

/** What the command line asks for: install specs, or the packages exec/init runs. */
export function requestedSpecs(s: Pick<NpmSession, 'inv'>) {
  return requestedSpecsOf(s.inv);
}

/**
 * Every package of the tree that is new or changed against what is installed, checked (requested ones
 * were already reported: only the integrity and what the cooldown did are added for them).
 */
export async function checkTree(
  tree: ResolvedTree,
  changed: readonly ResolvedNode[],
  mode: Exclude<TreeMode, 'none'>,
  s: NpmSession,
  registry: RegistryClient,
  before: Date | undefined,
): Promise<PackageReport[]> {
  const { deps, settings } = s;
  // Nothing new (an up-to-date project): not even the name index is loaded.
  if (changed.length === 0) return [];
  const now = deps.now();
  const locked = deps.lockedEntries(treeDirOf(s));
  const youngNames = new Set(tree.tooYoung.map((t) => t.name));
  const requested = requestedSpecs(s).map((r) => r.registryName ?? r.name ?? r.raw);
  const ctxChecks = { now, thresholds: settings.thresholds, popular: deps.popular(), command: deps.ownCommand };
  return deps.asBuildUser(s.buildUser, () =>
    mapConcurrent(changed, 16, async (node) => {
      const spec = { raw: `${node.name}@${node.version}`, type: node.registry ? 'version' : node.source, name: node.name, registryName: node.name, fetchSpec: node.version, fromRegistry: node.registry };
      const packumentResult = node.registry ? await registry.packument(node.name) : undefined;
      const facts = packumentResult
        ? npmFacts(spec, packumentResult, { replacedVersion: replacedVersion(node, locked) })
        : offlineFacts(spec);
      facts.requested = displayName(node);
      facts.dependencyPath = node.path;
      const alreadyChecked = node.path.length === 1 && requested.includes(node.name);
      const findings: Finding[] = alreadyChecked
        ? []
        : runChecks(facts, ctxChecks, { offline: false, severity: settings.severity }).filter((f) => !(mode === 'resolve' && f.check === 'new-version' && before));
      if (node.registry && integrityChanged(node, packumentResult)) {
        findings.push({ check: 'integrity-mismatch', severity: 'block', message: `${node.name}@${node.version}: the registry now serves a different tarball than the lockfile records (${node.integrity})` });
      }
      if (node.registry && otherTarball(node, packumentResult)) {
        findings.push({ check: 'integrity-mismatch', severity: 'block', message: `${node.name}@${node.version}: the lockfile fetches it from another tarball than the registry's for that version (${node.resolved})` });
      }
      if (before && packumentResult?.ok && !alreadyChecked) {
        if (youngNames.has(node.name)) findings.push(tooYoungFinding(facts, settings.minReleaseAgeHours, now));
        else findings.push(...cooldownNotes(node, packumentResult.packument, [], before, now));
      }
      return toReport(facts, applySeverity(findings, settings));
    }),
  );
}

/**
 * A lockfile entry whose `resolved` names another tarball than the registry's for that name and
 * version (another package's, under this name): what npm fetches is not what was vetted. Compared by
 * the tarball's path in the registry (`name/-/file.tgz`), so a mirror's host does not count.
 */
function otherTarball(node: ResolvedNode, result: Awaited<ReturnType<RegistryClient['packument']>> | undefined): boolean {
  if (!result?.ok || !node.resolved) return false;
  const published = result.packument.versions?.[node.version]?.dist?.tarball;
  if (!published) return false;
  let path: string;
  let file: string;
  try {
    path = decodeURIComponent(new URL(node.resolved).pathname);
    file = decodeURIComponent(new URL(published).pathname).split('/').pop()!;
  } catch {
    return true;
  }
  // The registry's own path for this name (scope included) and file, below whatever base path the
  // registry has — which is no scope: `/@them/left-pad/-/left-pad-1.3.0.tgz` is another package.
  const own = `/${node.name}/-/${file}`;
  if (!path.endsWith(own)) return true;
  const base = path.slice(0, -own.length);
  return /(^|\/)@[^/]*$/.test(base);
}

function integrityChanged(node: ResolvedNode, result: Awaited<ReturnType<RegistryClient['packument']>> | undefined): boolean {
  if (!result?.ok || !node.integrity) return false;
  const dist = result.packument.versions?.[node.version]?.dist;
  if (!dist) return false;
  // As ssri compares: a hash of an algorithm both sides have (an old lockfile's sha1 is the registry's
  // shasum, in base64); none in common is no evidence either way.
  const published = new Map<string, Set<string>>();
  const add = (algo: string, digest: string) => published.set(algo, (published.get(algo) ?? new Set()).add(digest));
  for (const part of String(dist.integrity ?? '').split(/\s+/)) if (part.includes('-')) add(part.slice(0, part.indexOf('-')), part.slice(part.indexOf('-') + 1).split('?')[0]!);
  if (typeof dist.shasum === 'string' && /^[0-9a-f]{40}$/i.test(dist.shasum)) add('sha1', Buffer.from(dist.shasum, 'hex').toString('base64'));
  let compared = false;
  for (const part of node.integrity.split(/\s+/)) {
    const dash = part.indexOf('-');
    const digests = dash > 0 ? published.get(part.slice(0, dash)) : undefined;
    if (!digests) continue;
    if (digests.has(part.slice(dash + 1).split('?')[0]!)) return false;
    compared = true;
  }
  return compared;
}
