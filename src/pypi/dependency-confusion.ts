/**
 * Dependency confusion, from what pip itself saw: with more than one source configured (index URLs,
 * find-links), pip merges every source and takes the best version — there is no index priority.
 * A name offered by several sources is `block` when a source other than the primary index could win
 * (a higher version, or different files for the same version); identical files everywhere are `info`.
 * Pure.
 */
import type { Finding } from '../core/types.js';
import type { GuardCandidate } from './pip-guard.js';
import { compareVersions, maxVersion } from './pep440.js';

export const CHECK_ID = 'dependency-confusion';

export interface SourceConfig {
  indexUrls: string[];
  findLinks: string[];
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

export function sourceCount(sources: SourceConfig): number {
  return sources.indexUrls.length + sources.findLinks.length;
}

/** Findings for one project name. `chosenUrl` is the file pip resolved to, when known. */
export function confusionFindings(name: string, candidates: readonly GuardCandidate[], sources: SourceConfig, chosenUrl?: string): Finding[] {
  if (sourceCount(sources) < 2 || candidates.length === 0) return [];
  const bySource = new Map<string, GuardCandidate[]>();
  for (const c of candidates) {
    const s = sourceOf(c, sources);
    bySource.set(s, [...(bySource.get(s) ?? []), c]);
  }
  if (bySource.size < 2) return [];
  const primary = sources.indexUrls[0];
  const primaryFiles = primary ? bySource.get(primary) : undefined;
  const describe = [...bySource.entries()]
    .map(([s, cs]) => `${redactUrl(s)} offers ${[...new Set(cs.map((c) => c.version))].sort(compareVersions).join(', ')}`)
    .join('; ');

  const reasons: string[] = [];
  const fileKey = (c: GuardCandidate) => `${c.filename}|${c.hash ?? '?'}`;
  const entries = [...bySource.entries()];
  const reference = primaryFiles ? ([primary!, primaryFiles] as const) : undefined;
  const others = entries.filter(([s]) => s !== primary);
  const compareTo = reference ? [reference] : entries.slice(0, 1);
  for (const [refSource, refFiles] of compareTo) {
    const refMax = maxVersion(refFiles.map((c) => c.version))!;
    for (const [s, files] of (reference ? others : entries.slice(1))) {
      if (s === refSource) continue;
      const sMax = maxVersion(files.map((c) => c.version))!;
      if (compareVersions(sMax, refMax) > 0) reasons.push(`${redactUrl(s)} has a higher version (${sMax} > ${refMax})`);
      else if (!reference && compareVersions(sMax, refMax) < 0) reasons.push(`${redactUrl(refSource)} has a higher version (${refMax} > ${sMax})`);
      for (const v of new Set(files.map((c) => c.version))) {
        const mine = files.filter((c) => c.version === v).map(fileKey).sort();
        const theirs = refFiles.filter((c) => c.version === v).map(fileKey).sort();
        if (theirs.length && (mine.join() !== theirs.join() || mine.some((k) => k.endsWith('|?')))) {
          reasons.push(`${redactUrl(s)} has different files for ${v}`);
        }
      }
    }
  }
  if (chosenUrl && primary && primaryFiles && !primaryFiles.some((c) => c.url === chosenUrl)) {
    const chosen = candidates.find((c) => c.url === chosenUrl);
    if (chosen) reasons.push(`pip chose ${chosen.filename} from ${redactUrl(sourceOf(chosen, sources))}, not the primary index`);
  }
  if (reasons.length) {
    return [{
      check: CHECK_ID,
      severity: 'block',
      message: `"${name}" is offered by more than one source and one other than the primary index could win: ${[...new Set(reasons)].join('; ')} (${describe})`,
      details: ['pip merges all sources and takes the best version; pin hashes or use a single index'],
    }];
  }
  return [{ check: CHECK_ID, severity: 'info', message: `"${name}" is offered by several sources with identical files (${describe})` }];
}
