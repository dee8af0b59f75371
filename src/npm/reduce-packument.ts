/**
 * What the resolver hands over for vetting, and how the release cooldown is applied to the documents
 * npm resolves from. Pure; no imports (the arborist worker copies this file next to itself), semver is
 * passed in (the real npm's own).
 *
 * npm resolves from abbreviated documents ("corgis": versions with dependencies and dist, and on the
 * public registry no publish times, only `modified`); full documents are 10x bigger. safe-npm's
 * resolver asks for exactly what npm asks for, and fetches a full document only for a package whose
 * checks need one (a recent release, install scripts whose text the corgi lacks, no usable times).
 */

export interface SemverLike {
  valid(v: string): string | null;
  lt(a: string, b: string): boolean;
  gt(a: string, b: string): boolean;
  lte(a: string, b: string): boolean;
  prerelease(v: string): ReadonlyArray<string | number> | null;
}

export type Doc = {
  name?: string;
  versions?: Record<string, Record<string, unknown>>;
  time?: Record<string, string>;
  modified?: string;
  'dist-tags'?: Record<string, string>;
  maintainers?: unknown;
  repository?: unknown;
  description?: unknown;
  [key: string]: unknown;
};

/** A packument cut down to what the checks read, for the versions they look at. */
export interface ReducedDoc {
  name: string;
  'dist-tags'?: Record<string, string>;
  time?: Record<string, string>;
  versions: Record<string, Record<string, unknown>>;
  maintainers?: unknown;
  repository?: unknown;
  description?: unknown;
  /** How many versions the full document has (the reduced one keeps only a few). */
  _versionCount: number;
  /** From an abbreviated document: repository, description, publisher and script text are unknown. */
  _abbreviated?: true;
  /** No publish times were available: `time` holds `modified` as an upper bound for the versions kept. */
  _timeUpperBound?: true;
}

/** Manifest fields the checks read. */
const MANIFEST_FIELDS = ['name', 'version', 'scripts', 'gypfile', 'deprecated', 'repository', 'description', 'dependencies', 'optionalDependencies', 'dist', '_npmUser', 'hasInstallScript'];

/** One version's manifest, cut down to the fields the checks read. */
export function trimManifest(manifest: Record<string, unknown>): Record<string, unknown> {
  const trimmed: Record<string, unknown> = {};
  for (const field of MANIFEST_FIELDS) if (manifest[field] !== undefined) trimmed[field] = manifest[field];
  return trimmed;
}

/** A full document has `repository`/`_npmUser`/`scripts` somewhere; a corgi never does. */
export function isAbbreviated(doc: Doc): boolean {
  if ('readme' in doc || 'maintainers' in doc || 'repository' in doc || 'users' in doc) return false;
  for (const manifest of Object.values(doc.versions ?? {})) {
    if ('scripts' in manifest || '_npmUser' in manifest || 'repository' in manifest || 'maintainers' in manifest) return false;
  }
  return true;
}

/** The publish time of `version`: the document's own, or `modified` as an upper bound, or undefined. */
export function publishedAt(doc: Doc, version: string): { at: Date; upperBound: boolean } | undefined {
  const stamp = doc.time?.[version];
  if (typeof stamp === 'string' && Number.isFinite(Date.parse(stamp))) return { at: new Date(stamp), upperBound: false };
  const modified = doc.time?.modified ?? doc.modified;
  if (typeof modified === 'string' && Number.isFinite(Date.parse(modified))) return { at: new Date(modified), upperBound: true };
  return undefined;
}

/** The highest version below `version` (no prereleases unless `version` is one): what a release is compared with. */
export function previousVersionOf(versions: readonly string[], version: string, semver: SemverLike): string | undefined {
  const current = semver.valid(version);
  if (!current) return undefined;
  const allowPrerelease = semver.prerelease(current) !== null;
  let best: string | undefined;
  for (const candidate of versions) {
    const v = semver.valid(candidate);
    if (!v || !semver.lt(v, current)) continue;
    if (!allowPrerelease && semver.prerelease(v) !== null) continue;
    if (!best || semver.gt(v, best)) best = candidate;
  }
  return best;
}

export function reduceForVetting(doc: Doc, keep: readonly string[], semver: SemverLike): ReducedDoc {
  const all = Object.keys(doc.versions ?? {});
  const wanted = new Set<string>();
  for (const v of keep) {
    if (doc.versions?.[v]) wanted.add(v);
    const previous = previousVersionOf(all, v, semver);
    if (previous) wanted.add(previous);
  }
  const versions: Record<string, Record<string, unknown>> = {};
  for (const v of wanted) versions[v] = trimManifest(doc.versions![v]!);
  const reduced: ReducedDoc = { name: String(doc.name), versions, _versionCount: all.length };
  if (doc['dist-tags']) reduced['dist-tags'] = doc['dist-tags'];
  if ('maintainers' in doc) reduced.maintainers = doc.maintainers;
  if (doc.repository !== undefined) reduced.repository = doc.repository;
  if (doc.description !== undefined) reduced.description = doc.description;
  if (doc.time && typeof doc.time === 'object') reduced.time = doc.time;
  else {
    const modified = typeof doc.modified === 'string' ? doc.modified : undefined;
    if (modified) {
      reduced.time = Object.fromEntries([...wanted].map((v) => [v, modified]));
      reduced.time.modified = modified;
      reduced._timeUpperBound = true;
    }
  }
  if (isAbbreviated(doc)) reduced._abbreviated = true;
  return reduced;
}

/**
 * A full document from npm's cache stands for the registry's when it has every version of the
 * document the resolver used (`current`): publish times and scripts of a version never change.
 */
export function holdsEveryVersion(full: Doc, current: Doc | undefined): boolean {
  const have = full.versions ?? {};
  return current !== undefined && Object.keys(current.versions ?? {}).every((v) => v in have);
}

/**
 * Whether the checks need the full document for `version`: the abbreviated one has no publish time
 * recent enough to rule the recent-release checks out, or the release has install scripts whose text
 * it lacks.
 */
export function needsFullDocument(doc: Doc, version: string, recentSince: Date): boolean {
  return isAbbreviated(doc) && abbreviatedFallsShort(doc, version, recentSince);
}

/**
 * A reduction kept from an earlier run still answers for `versions`: it came from a full document,
 * or the abbreviated one it came from still needed no full one (the recent-release window moves on;
 * a longer one set in the config may now ask for it).
 */
export function reductionHolds(reduced: ReducedDoc, versions: Iterable<string>, recentSince: Date): boolean {
  if (!reduced._abbreviated) return true;
  for (const v of versions) if (abbreviatedFallsShort(reduced as unknown as Doc, v, recentSince)) return false;
  return true;
}

function abbreviatedFallsShort(doc: Doc, version: string, recentSince: Date): boolean {
  const when = publishedAt(doc, version);
  if (!when || when.at > recentSince) return true;
  const manifest = doc.versions?.[version];
  return Boolean(manifest?.hasInstallScript && !manifest.scripts);
}

/**
 * The document without the versions published after `before` (the release cooldown), dist-tags moved
 * to the newest remaining version at or below them; undefined when nothing is younger.
 */
export function withoutYoungVersions(doc: Doc, before: Date, semver: SemverLike): Doc | undefined {
  const young = Object.keys(doc.versions ?? {}).filter((v) => {
    const when = publishedAt(doc, v);
    return when !== undefined && !when.upperBound && when.at > before;
  });
  if (!young.length) return undefined;
  const versions = { ...doc.versions };
  for (const v of young) delete versions[v];
  const remaining = Object.keys(versions).filter((v) => semver.valid(v));
  const tags: Record<string, string> = {};
  for (const [tag, target] of Object.entries(doc['dist-tags'] ?? {})) {
    if (versions[target]) tags[tag] = target;
    else {
      const below = remaining.filter((v) => semver.valid(target) && semver.lte(v, target) && !semver.prerelease(v));
      const best = below.reduce<string | undefined>((a, v) => (!a || semver.gt(v, a) ? v : a), undefined);
      if (best) tags[tag] = best;
    }
  }
  return { ...doc, versions, 'dist-tags': tags };
}
