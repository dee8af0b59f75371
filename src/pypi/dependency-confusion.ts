/**
 * Dependency confusion, from what pip itself saw: with more than one source configured (index URLs,
 * find-links), pip merges every source and takes the best version — there is no index priority.
 * A name offered by several sources is `block` when a source other than the primary index could win:
 * a higher version, the same file name with other bytes, or a version the primary index does not
 * offer chosen from elsewhere. The same bytes from two sources, or different platform wheels of the
 * same version, are `info`. Sources pip could not reach offered nothing and are left out; when the
 * primary index is one of them, the first index that answered takes its place. Pure.
 */
import type { Finding } from '../core/types.js';
import type { GuardCandidate } from './pip-guard.js';
import { compareVersions, maxVersion } from './pep440.js';

export const CHECK_ID = 'dependency-confusion';

export interface SourceConfig {
  indexUrls: string[];
  findLinks: string[];
  /** Index pages pip could not fetch (page URL → reason), from the guard. */
  unreachable?: Record<string, string>;
}

/** Credentials out of a URL, for display. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^/@]*@/i, '$1****@');
}

function withSlash(u: string): string {
  return u.endsWith('/') ? u : `${u}/`;
}

function findLinkUrl(f: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(f)) return f;
  return `file://${f.startsWith('/') ? '' : '/'}${f}`;
}

/** One spelling per source (trailing slashes, a find-links folder and its file:// URL are the same source). */
export function distinctSources(sources: SourceConfig): SourceConfig {
  const seen = new Set<string>();
  const keep = (key: string) => (seen.has(key) ? false : (seen.add(key), true));
  const indexUrls = sources.indexUrls.filter((u) => keep(withSlash(u)));
  const findLinks = sources.findLinks.filter((f) => keep(withSlash(findLinkUrl(f))));
  return { ...sources, indexUrls, findLinks };
}

/** Index URLs pip could not reach: a page under it failed and none of its pages answered with files. */
export function unreachableIndexes(sources: SourceConfig, candidates: Readonly<Record<string, readonly GuardCandidate[]>> = {}): Map<string, string> {
  const out = new Map<string, string>();
  const answered = new Set<string>();
  for (const cands of Object.values(candidates)) for (const c of cands) if (c.comesFrom) answered.add(withSlash(c.comesFrom));
  for (const idx of sources.indexUrls) {
    const failed = Object.entries(sources.unreachable ?? {}).find(([page]) => withSlash(page).startsWith(withSlash(idx)));
    if (!failed) continue;
    if ([...answered].some((page) => page.startsWith(withSlash(idx)))) continue;
    out.set(idx, failed[1]);
  }
  return out;
}

/** The index that stands for "the primary": the first one pip could reach. */
export function primaryIndex(sources: SourceConfig, unreachable: ReadonlyMap<string, string>): string | undefined {
  return sources.indexUrls.find((u) => !unreachable.has(u));
}

/** Which configured source a candidate came from. */
export function sourceOf(c: GuardCandidate, sources: SourceConfig): string {
  const from = c.comesFrom ?? '';
  for (const idx of sources.indexUrls) if (from && withSlash(from).startsWith(withSlash(idx))) return idx;
  for (const fl of sources.findLinks) {
    const u = findLinkUrl(fl);
    if (from && (from === u || withSlash(from).startsWith(withSlash(u)))) return fl;
    if (c.url.startsWith(withSlash(u)) || c.url === u) return fl;
  }
  return from || c.url.replace(/\/[^/]*$/, '/');
}

/** How many distinct sources pip reads (each index and find-links location once). */
export function sourceCount(sources: SourceConfig): number {
  const d = distinctSources(sources);
  return d.indexUrls.length + d.findLinks.length;
}

const hashOf = (c: GuardCandidate) => c.hash?.replace(/^sha256=/, '');

/** Findings for one project name. `chosenUrl` is the file pip resolved to, when known. */
export function confusionFindings(name: string, candidates: readonly GuardCandidate[], config: SourceConfig, chosenUrl?: string): Finding[] {
  const sources = distinctSources(config);
  if (sourceCount(sources) < 2 || candidates.length === 0) return [];
  const bySource = new Map<string, GuardCandidate[]>();
  for (const c of candidates) {
    const s = sourceOf(c, sources);
    bySource.set(s, [...(bySource.get(s) ?? []), c]);
  }
  if (bySource.size < 2) return [];
  const primary = primaryIndex(sources, unreachableIndexes(sources, { [name]: candidates }));
  const primaryFiles = primary ? bySource.get(primary) : undefined;
  const describe = [...bySource.entries()]
    .map(([s, cs]) => `${redactUrl(s)} offers ${[...new Set(cs.map((c) => c.version))].sort(compareVersions).join(', ')}`)
    .join('; ');

  const reasons: string[] = [];
  const entries = [...bySource.entries()];
  // With the primary index offering the name, every other source is compared with it; without, each with the first.
  const [refSource, refFiles] = primaryFiles ? [primary!, primaryFiles] as const : entries[0]!;
  const refMax = maxVersion(refFiles.map((c) => c.version))!;
  for (const [s, files] of entries) {
    if (s === refSource) continue;
    const sMax = maxVersion(files.map((c) => c.version))!;
    if (compareVersions(sMax, refMax) > 0) reasons.push(`${redactUrl(s)} has a higher version (${sMax} > ${refMax})`);
    else if (!primaryFiles && compareVersions(sMax, refMax) < 0) reasons.push(`${redactUrl(refSource)} has a higher version (${refMax} > ${sMax})`);
    // The same file name with other bytes: one of them is not what it claims to be.
    for (const f of files) {
      const twin = refFiles.find((r) => r.filename === f.filename);
      if (twin && hashOf(twin) && hashOf(f) && hashOf(twin) !== hashOf(f)) reasons.push(`${redactUrl(s)} has other bytes under the same file name ${f.filename}`);
    }
  }
  const chosen = chosenUrl ? candidates.find((c) => c.url === chosenUrl) : undefined;
  if (chosen && primaryFiles && sourceOf(chosen, sources) !== primary && !primaryFiles.some((c) => c.version === chosen.version)) {
    reasons.push(`pip chose ${chosen.filename} from ${redactUrl(sourceOf(chosen, sources))}, a version the primary index does not offer`);
  }
  if (reasons.length) {
    return [{
      check: CHECK_ID,
      severity: 'block',
      message: `"${name}" is offered by more than one source and one other than the primary index could win: ${[...new Set(reasons)].join('; ')} (${describe})`,
      details: ['pip merges all sources and takes the best version; pin hashes or use a single index'],
    }];
  }
  const same = entries.every(([s, files]) => s === refSource || files.every((f) => refFiles.some((r) => r.filename === f.filename && hashOf(r) && hashOf(r) === hashOf(f))));
  const why = same ? 'with identical files' : 'none of which can win over the primary index (no higher version, no other bytes under the same file name)';
  return [{ check: CHECK_ID, severity: 'info', message: `"${name}" is offered by several sources ${why} (${describe})` }];
}
