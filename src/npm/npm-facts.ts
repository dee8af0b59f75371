/** Pure: a packument (or its absence) plus the requested spec → PackageFacts. */
import { createRequire } from 'node:module';
import semver from 'semver';
import { timelineOf, type TimedVersion } from '../checks/timeline.js';
import type { PackageFacts, SourceKind } from '../core/types.js';
import type { NpmSpecRequest } from './npm-invocation.js';
import type { PackumentResult, PackumentVersion } from './npm-registry.js';
import { installScriptsOf, previousReleaseOf, releaseFactsOf } from './release-facts.js';

const require = createRequire(import.meta.url);
const pickManifest = require('npm-pick-manifest') as (packument: unknown, wanted: string, opts?: object) => PackumentVersion;

export function sourceKindOf(spec: NpmSpecRequest): SourceKind {
  if (spec.fromRegistry) return 'registry';
  switch (spec.type) {
    case 'git': return 'git';
    case 'remote': return 'remote';
    case 'file': return 'file';
    case 'directory': return 'directory';
    default: return 'unknown';
  }
}

/** Facts for a spec that is not fetched (offline, or not from the registry). */
export function offlineFacts(spec: NpmSpecRequest): PackageFacts {
  return {
    ecosystem: 'npm',
    name: spec.registryName ?? spec.name ?? spec.raw,
    requested: spec.raw,
    source: sourceKindOf(spec),
    version: spec.type === 'version' ? spec.fetchSpec ?? null : null,
  };
}

export function npmFacts(
  spec: NpmSpecRequest,
  result: PackumentResult,
  options: { defaultTag?: string; before?: Date; replacedVersion?: string } = {},
): PackageFacts {
  const base = offlineFacts(spec);
  if (!result.ok) {
    return result.notFound ? { ...base, exists: false } : { ...base, fetchError: result.error };
  }
  const packument = result.packument;
  // A document reduced for vetting (reduce-packument.ts) keeps a few versions and says how many there are.
  const versionCount = typeof packument._versionCount === 'number' ? packument._versionCount : Object.keys(packument.versions ?? {}).length;
  // An abbreviated document (what npm resolves from) has no repository, description or maintainers:
  // those are unknown, not missing.
  const abbreviated = packument._abbreviated === true;
  // A packument with no versions is an unpublished name (or a security placeholder): nothing to install.
  if (versionCount === 0) return { ...base, exists: false };
  const facts: PackageFacts = { ...base, exists: true, versionCount };
  const unknown: string[] = [];

  let manifest: PackumentVersion | undefined;
  try {
    let wanted = spec.fetchSpec && spec.fetchSpec !== '' ? spec.fetchSpec : (options.defaultTag ?? 'latest');
    // No version typed and no such dist-tag (mirrors drop tags): npm then takes the highest version.
    if (wanted === (options.defaultTag ?? 'latest') && !packument['dist-tags']?.[wanted]) wanted = '*';
    try {
      manifest = pickManifest(packument, wanted, { defaultTag: options.defaultTag ?? 'latest', before: options.before });
    } catch (error) {
      // Nothing old enough for the release cooldown: npm's resolver keeps the newest match, so do we.
      if (!options.before) throw error;
      manifest = pickManifest(packument, wanted, { defaultTag: options.defaultTag ?? 'latest' });
      facts.cooldownLifted = true;
    }
  } catch {
    facts.versionNotFound = true;
  }

  const time = packument.time;
  if (time && typeof time === 'object') {
    if (time.created) facts.packageCreatedAt = new Date(time.created);
    else {
      // Some mirrors drop `created`; the oldest version time is the next best thing.
      const stamps = Object.entries(time).filter(([k]) => k !== 'modified').map(([, v]) => Date.parse(v)).filter(Number.isFinite);
      if (stamps.length) facts.packageCreatedAt = new Date(Math.min(...stamps));
    }
    facts.timeline = npmTimeline(time as Record<string, string>);
  } else unknown.push('publish times');
  if (!('maintainers' in packument) && !abbreviated) unknown.push('maintainers');

  if (manifest) {
    facts.version = manifest.version;
    const published = time?.[manifest.version];
    if (published) facts.versionPublishedAt = new Date(published);
    else if (time) unknown.push(`publish time of ${manifest.version}`);
    // npm shows a deprecation only when it is text; anything else in that field is noise.
    if (typeof manifest.deprecated === 'string' && manifest.deprecated !== '') facts.deprecated = manifest.deprecated;
    const repository = manifest.repository ?? packument.repository;
    if (!(abbreviated && repository === undefined)) facts.repository = repositoryUrl(repository);
    const description = manifest.description ?? packument.description;
    if (!(abbreviated && description === undefined)) facts.description = typeof description === 'string' && description.trim() !== '' ? description : null;
    facts.installScripts = installScriptsOf(manifest);
    // What changed since the version it replaces (or the previous release): the takeover signals.
    facts.release = releaseFactsOf(packument, manifest.version);
    const previous = previousReleaseOf(packument, manifest.version, options.replacedVersion);
    if (previous) {
      facts.previousRelease = previous.facts;
      facts.previousReason = previous.reason;
    }
  }
  if (unknown.length) facts.unknownFields = unknown;
  return facts;
}

/** The packument's `time` map as a timeline (see checks/timeline.ts): versions only, semver order, per major. */
export function npmTimeline(time: Record<string, string>): PackageFacts['timeline'] {
  const versions: TimedVersion[] = [];
  // Each version parsed once (a package may have thousands; the sort compares each many times).
  const parsed = new Map<string, semver.SemVer>();
  for (const [version, stamp] of Object.entries(time)) {
    const v = semver.parse(version);
    if (!v || v.prerelease.length) continue;
    const ms = Date.parse(stamp);
    if (!Number.isFinite(ms)) continue;
    parsed.set(version, v);
    versions.push({ version, publishedAt: new Date(ms) });
  }
  return timelineOf(versions, (a, b) => parsed.get(a)!.compare(parsed.get(b)!), (v) => String(parsed.get(v)!.major));
}

function repositoryUrl(repository: unknown): string | null {
  if (typeof repository === 'string' && repository.trim() !== '') return repository;
  if (repository && typeof repository === 'object' && typeof (repository as { url?: unknown }).url === 'string') {
    return (repository as { url: string }).url;
  }
  return null;
}
