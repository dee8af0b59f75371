/**
 * Pure: what one published version of a packument looked like (ReleaseFacts), and which version
 * it should be compared with to spot a compromised release (the "what changed" checks).
 */
import semver from 'semver';
import type { ReleaseFacts } from '../core/types.js';
import type { Packument, PackumentVersion } from './npm-registry.js';

const installEvents = ['preinstall', 'install', 'postinstall'] as const;

export type PreviousReason = 'replaced' | 'previous-release';

/** The release facts of `version`, or undefined when the packument does not have that version. */
export function releaseFactsOf(packument: Packument, version: string): ReleaseFacts | undefined {
  const manifest = packument.versions?.[version];
  if (!manifest || typeof manifest !== 'object') return undefined;
  const facts: ReleaseFacts = { version };
  const stamp = packument.time?.[version];
  if (typeof stamp === 'string') {
    const ms = Date.parse(stamp);
    if (Number.isFinite(ms)) facts.publishedAt = new Date(ms);
  }
  facts.installScripts = installScriptsOf(manifest);
  // A published manifest without `dependencies` has none: npm omits empty objects.
  facts.dependencies = dependencyNames(manifest);
  const publisher = publisherOf(manifest._npmUser);
  if (publisher !== undefined) facts.publisher = publisher;
  const dist = manifest.dist;
  if (dist && typeof dist.unpackedSize === 'number' && Number.isFinite(dist.unpackedSize)) facts.unpackedSize = dist.unpackedSize;
  if (dist && typeof dist.fileCount === 'number' && Number.isFinite(dist.fileCount)) facts.fileCount = dist.fileCount;
  // Mirrors strip `dist.attestations`: then every version reads "without", and nothing is said.
  const attestations = (dist as { attestations?: unknown } | undefined)?.attestations;
  facts.provenance = Boolean(attestations && typeof attestations === 'object');
  return facts;
}

/**
 * The version `version` is compared with: `replacedVersion` (what the lockfile has now) when given,
 * different from `version` and present in the packument; otherwise the highest version below
 * `version` that is not a prerelease (prereleases count only when `version` is one).
 */
export function previousReleaseOf(
  packument: Packument,
  version: string,
  replacedVersion?: string,
): { facts: ReleaseFacts; reason: PreviousReason } | undefined {
  if (replacedVersion && replacedVersion !== version) {
    const facts = releaseFactsOf(packument, replacedVersion);
    if (facts) return { facts, reason: 'replaced' };
  }
  const current = semver.valid(version);
  if (!current) return undefined;
  const allowPrerelease = semver.prerelease(current) !== null;
  let best: string | undefined;
  for (const candidate of Object.keys(packument.versions ?? {})) {
    const v = semver.valid(candidate);
    if (!v || !semver.lt(v, current)) continue;
    if (!allowPrerelease && semver.prerelease(v) !== null) continue;
    if (!best || semver.gt(v, best)) best = candidate;
  }
  if (!best) return undefined;
  const facts = releaseFactsOf(packument, best);
  return facts ? { facts, reason: 'previous-release' } : undefined;
}

function dependencyNames(manifest: PackumentVersion): string[] {
  const names = new Set<string>();
  for (const field of ['dependencies', 'optionalDependencies'] as const) {
    const deps = manifest[field];
    if (deps && typeof deps === 'object' && !Array.isArray(deps)) for (const name of Object.keys(deps)) names.add(name);
  }
  return [...names].sort();
}

/** `_npmUser` is `{ name, email }`; some very old packuments have `"name <email>"`. */
function publisherOf(npmUser: unknown): string | undefined {
  if (typeof npmUser === 'string') {
    const name = npmUser.replace(/<[^>]*>/, '').trim();
    return name === '' ? undefined : name;
  }
  if (npmUser && typeof npmUser === 'object') {
    const name = (npmUser as { name?: unknown }).name;
    if (typeof name === 'string' && name.trim() !== '') return name.trim();
  }
  return undefined;
}

/** preinstall/install/postinstall, plus npm's implicit `node-gyp rebuild` (published manifests record `gypfile`). */
export function installScriptsOf(manifest: PackumentVersion): Record<string, string> {
  const scripts: Record<string, string> = {};
  for (const event of installEvents) {
    const text = manifest.scripts?.[event];
    if (typeof text === 'string' && text.trim() !== '') scripts[event] = text;
  }
  if (manifest.gypfile === true && !scripts.install && !scripts.preinstall) scripts.install = 'node-gyp rebuild';
  return scripts;
}
