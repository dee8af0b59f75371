/**
 * Pure helpers for vetting the whole resolved tree: which packages are new or changed against what
 * is installed, how they are named in the report (with their dependency path), and what the release
 * cooldown did.
 */
import semver from 'semver';
import type { Finding, PackageFacts, PackageReport } from '../core/types.js';
import { describeAge } from '../checks/age.js';
import type { Packument } from '../npm/npm-registry.js';
import type { InstalledEntries, ResolvedNode } from '../npm/tree-nodes.js';

// Shared with npm's engine process (arborist-worker.ts), which reads only tree-nodes.ts of ours.
export { newOrChanged, type InstalledEntries } from '../npm/tree-nodes.js';
import { sameContent } from '../npm/tree-nodes.js';

/** Locations whose entry is new or different in `after` (what an install wrote; removals are not). */
export function changedEntries(before: InstalledEntries, after: InstalledEntries): Set<string> {
  const out = new Set<string>();
  for (const [location, entry] of after) {
    const was = before.get(location);
    if (!was || !sameContent(was, entry)) out.add(location);
  }
  return out;
}

/** The version at the same location in the current lockfile, when it differs (the one being replaced). */
export function replacedVersion(node: ResolvedNode, locked: InstalledEntries): string | undefined {
  const before = locked.get(node.location);
  return before && before.version !== node.version ? before.version : undefined;
}

/** "a > b > c" — how a transitive package got into the tree. */
export function displayName(node: ResolvedNode): string {
  return node.path.length > 1 ? `${node.name}@${node.version} (via ${node.path.slice(0, -1).join(' > ')})` : `${node.name}@${node.version}`;
}

/**
 * Cooldown notes: for each resolved package, newer versions the cooldown skipped that its dependents
 * would otherwise have taken ("x@2.0.1 is 5 hours old; installing 2.0.0").
 */
export function cooldownNotes(
  node: ResolvedNode,
  packument: Packument | undefined,
  wantedRanges: readonly string[],
  before: Date,
  now: Date,
): Finding[] {
  if (!packument?.time) return [];
  // From the publish times: a document reduced for vetting keeps only the versions the checks read.
  const skipped = Object.keys(packument.time)
    .filter((v) => semver.valid(v) && semver.gt(v, node.version) && !semver.prerelease(v))
    .filter((v) => {
      const t = packument.time?.[v];
      return t !== undefined && new Date(t) > before;
    })
    .filter((v) => wantedRanges.length === 0 || wantedRanges.some((r) => safeSatisfies(v, r)))
    .sort(semver.rcompare);
  const newest = skipped[0];
  if (!newest) return [];
  const age = describeAge(new Date(packument.time[newest]!), now);
  return [{ check: 'release-cooldown', severity: 'info', message: `${node.name}@${newest} is ${age} old; installing ${node.version}` }];
}

/** A package for which no version is older than the cooldown: the newest matching one is kept. */
export function tooYoungFinding(facts: PackageFacts, hours: number, now: Date): Finding {
  const age = facts.versionPublishedAt ? `${describeAge(facts.versionPublishedAt, now)} old` : 'of unknown age';
  return {
    check: 'release-cooldown',
    severity: 'warn',
    message: `no version of ${facts.name} matching the request is older than the ${hours}-hour cooldown; ${facts.name}${facts.ecosystem === 'pypi' ? '==' : '@'}${facts.version ?? '?'} is ${age}`,
  };
}

function safeSatisfies(version: string, range: string): boolean {
  try {
    return semver.satisfies(version, range, { includePrerelease: false });
  } catch {
    return false;
  }
}

/** Group transitive reports under the requested package they came through, for display. */
export function groupByRequested(reports: ReadonlyArray<{ report: PackageReport; via?: string }>): Map<string, PackageReport[]> {
  const groups = new Map<string, PackageReport[]>();
  for (const { report, via } of reports) {
    const key = via ?? report.name;
    groups.set(key, [...(groups.get(key) ?? []), report]);
  }
  return groups;
}
