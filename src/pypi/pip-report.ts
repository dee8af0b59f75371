/**
 * pip's installation report (`--report`, format "1", pip >= 23.0) → the items safe-pip vets and
 * pins. Pure.
 */
import { normalizePypiName } from './normalize-name.js';

export type ItemKind = 'index' | 'archive' | 'dir' | 'vcs';

export interface ReportItem {
  name: string;
  canonical: string;
  version: string;
  /** PEP 610 url (file or direct reference). */
  url: string;
  kind: ItemKind;
  /** sha256 hex, for archives. */
  sha256?: string;
  isDirect: boolean;
  requested: boolean;
  editable: boolean;
  isWheel: boolean;
  isYanked?: boolean;
  vcs?: { vcs: string; commitId: string };
  requiresDist: string[];
}

interface RawItem {
  metadata?: { name?: string; version?: string; requires_dist?: string[] };
  download_info?: {
    url?: string;
    archive_info?: { hash?: string; hashes?: Record<string, string> };
    dir_info?: { editable?: boolean };
    vcs_info?: { vcs?: string; commit_id?: string };
  };
  is_direct?: boolean;
  requested?: boolean;
  is_yanked?: boolean;
}

export function parseInstallReport(text: string): ReportItem[] {
  const doc = JSON.parse(text) as { version?: string; install?: RawItem[] };
  if (!doc || !Array.isArray(doc.install)) throw new Error('pip report has no "install" list');
  return doc.install.map((raw) => {
    const name = raw.metadata?.name;
    const version = raw.metadata?.version;
    const info = raw.download_info ?? {};
    if (!name || !version || !info.url) throw new Error('pip report item without name, version or url');
    let sha256 = info.archive_info?.hashes?.sha256;
    if (!sha256 && info.archive_info?.hash?.startsWith('sha256=')) sha256 = info.archive_info.hash.slice(7);
    const kind: ItemKind = info.vcs_info ? 'vcs' : info.dir_info ? 'dir' : raw.is_direct ? 'archive' : 'index';
    const path = info.url.split(/[?#]/)[0]!;
    return {
      name,
      canonical: normalizePypiName(name),
      version,
      url: info.url,
      kind,
      sha256,
      isDirect: Boolean(raw.is_direct),
      requested: Boolean(raw.requested),
      editable: Boolean(info.dir_info?.editable),
      isWheel: path.endsWith('.whl'),
      isYanked: raw.is_yanked,
      vcs: info.vcs_info?.commit_id ? { vcs: info.vcs_info.vcs ?? 'git', commitId: info.vcs_info.commit_id } : undefined,
      requiresDist: raw.metadata?.requires_dist ?? [],
    };
  });
}

/** The requirement line that fetches exactly this item (direct URL, pinned commit, hash). */
export function pinnedLine(item: ReportItem): { line: string; hashed: boolean } {
  if (item.kind === 'vcs' && item.vcs) {
    // The #egg= form: pip's PEP 508 parser refuses `name @ git+file:///…` (a URL without a host);
    // pip's report writes file URLs without their "//" (git+file:/path), put back here.
    const base = (item.url.startsWith(`${item.vcs.vcs}+`) ? item.url : `${item.vcs.vcs}+${item.url}`).replace(/^([a-z]+\+file):(?!\/\/)/, '$1://');
    return { line: `${base}@${item.vcs.commitId}#egg=${item.name}`, hashed: false };
  }
  if (item.kind === 'dir') return { line: `${item.name} @ ${item.url}`, hashed: false };
  if (!item.sha256) return { line: `${item.name} @ ${item.url}`, hashed: false };
  return { line: `${item.name} @ ${item.url} --hash=sha256:${item.sha256}`, hashed: true };
}

/** `name[extras] @ URL ; marker` from a Requires-Dist line, or undefined for a plain requirement. */
export function directUrlOf(requirement: string): { canonical: string; url: string } | undefined {
  const m = requirement.match(/^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@\s*(\S+)/);
  return m ? { canonical: normalizePypiName(m[1]!), url: m[2]!.replace(/;$/, '') } : undefined;
}

/**
 * Items pip fetches from a URL because another distribution's metadata says `name @ URL` (PyPI
 * refuses such uploads; other indexes do not): neither the user nor a constraint asked for that URL.
 */
export function declaredUrlDependencies(items: readonly ReportItem[]): Array<{ item: ReportItem; parent: ReportItem; url: string }> {
  const out: Array<{ item: ReportItem; parent: ReportItem; url: string }> = [];
  for (const item of items) {
    if (!item.isDirect || item.requested) continue;
    for (const parent of items) {
      if (parent === item) continue;
      const hit = parent.requiresDist.map(directUrlOf).find((d) => d && d.canonical === item.canonical);
      if (hit) {
        out.push({ item, parent, url: hit.url });
        break;
      }
    }
  }
  return out;
}
