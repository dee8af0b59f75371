/**
 * Pure: an index answer (JSON API, PEP 691 JSON or PEP 503 HTML) + the chosen version → PackageFacts.
 * Upload times come only from JSON (JSON API `upload_time_iso_8601`, PEP 700 `upload-time`); HTML
 * has none, so age facts stay unknown (reported once through `unknownFields`).
 */
import type { PackageFacts, ReleaseFacts, SourceKind } from '../core/types.js';
import type { IndexAnswer } from './pypi-index.js';
import { normalizePypiName } from './normalize-name.js';
import { compareVersions, parseVersion } from './pep440.js';
import { timelineOf, type TimedVersion } from '../checks/timeline.js';

/** What installing a release without wheels means, as the release-change checks see it ("install scripts added"). */
export const SDIST_ONLY_BUILD = 'only a source distribution: installing it runs its build code (setup.py / build backend)';

export interface FactsRequest {
  name: string;
  requested: string;
  version?: string | null;
  source?: SourceKind;
}

interface FileInfo {
  filename: string;
  version?: string;
  uploaded?: Date;
  sdist: boolean;
  yanked?: string | boolean;
  size?: number;
}

export function factsFromAnswer(answer: IndexAnswer, req: FactsRequest): PackageFacts {
  const base: PackageFacts = { ecosystem: 'pypi', name: req.name, requested: req.requested, source: req.source ?? 'registry', version: req.version ?? null };
  if (answer.kind === 'not-found') return { ...base, exists: false };
  if (answer.kind === 'error') return { ...base, fetchError: `${answer.url}: ${answer.message}` };
  if (answer.kind === 'json-api') return fromJsonApi(answer.body as JsonApi, base);
  const files = answer.kind === 'pep691' ? filesFromPep691(answer.body as Pep691, req.name) : filesFromHtml(answer.body, req.name);
  return fromFiles(files, base, answer.kind === 'html');
}

interface JsonApi {
  info?: { name?: string; version?: string; requires_dist?: string[] | null; summary?: string | null; home_page?: string | null; project_urls?: Record<string, string> | null; yanked?: boolean; yanked_reason?: string | null };
  releases?: Record<string, Array<{ packagetype?: string; upload_time_iso_8601?: string; upload_time?: string; yanked?: boolean; yanked_reason?: string | null; filename?: string; size?: number }>>;
  urls?: Array<{ packagetype?: string; upload_time_iso_8601?: string; yanked?: boolean; yanked_reason?: string | null }>;
}

function fromJsonApi(body: JsonApi, base: PackageFacts): PackageFacts {
  const facts: PackageFacts = { ...base, exists: true };
  const unknown: string[] = [];
  const info = body.info ?? {};
  const releases = body.releases;
  const version = base.version ?? info.version ?? null;
  facts.version = version;
  if (releases && typeof releases === 'object') {
    const withFiles = Object.entries(releases).filter(([, files]) => Array.isArray(files) && files.length > 0);
    facts.versionCount = withFiles.length;
    let oldest: Date | undefined;
    for (const [, files] of withFiles) for (const f of files) {
      const t = parseTime(f.upload_time_iso_8601 ?? f.upload_time);
      if (t && (!oldest || t < oldest)) oldest = t;
    }
    facts.packageCreatedAt = oldest;
    if (version) {
      const files = releases[version];
      if (!files) facts.versionNotFound = true;
      else if (files.length) {
        facts.versionPublishedAt = minTime(files.map((f) => parseTime(f.upload_time_iso_8601 ?? f.upload_time)));
        facts.sdistOnly = files.every((f) => f.packagetype === 'sdist');
        const yanked = files.find((f) => f.yanked);
        if (yanked && files.every((f) => f.yanked)) facts.yanked = yanked.yanked_reason || true;
      }
    }
    if (!oldest) unknown.push('upload times');
    if (version && releases[version]?.length) {
      const files = (v: string): FileInfo[] => (releases[v] ?? []).map((f) => ({
        filename: f.filename ?? '', version: v, uploaded: parseTime(f.upload_time_iso_8601 ?? f.upload_time), sdist: f.packagetype === 'sdist', yanked: f.yanked || undefined, size: f.size,
      }));
      const byVersion = new Map(withFiles.map(([v]) => [v, files(v)]));
      const pair = releasePairFrom(byVersion, version);
      if (pair.release) {
        // info.requires_dist describes info.version only (and comes from its first upload).
        if (info.version === version) {
          const deps = dependencyNamesOf(info.requires_dist, pair.release);
          if (deps) pair.release.dependencies = deps;
        }
        facts.release = pair.release;
      }
      if (pair.previous) {
        facts.previousRelease = pair.previous;
        facts.previousReason = 'previous-release';
      }
    }
  } else {
    unknown.push('releases');
    const urls = body.urls ?? [];
    if (urls.length && (!version || version === info.version)) {
      facts.versionPublishedAt = minTime(urls.map((f) => parseTime(f.upload_time_iso_8601)));
      facts.sdistOnly = urls.every((f) => f.packagetype === 'sdist');
    }
  }
  if (!facts.yanked && info.yanked && (!base.version || base.version === info.version)) facts.yanked = info.yanked_reason || true;
  const urls = info.project_urls && typeof info.project_urls === 'object' ? Object.values(info.project_urls).filter(Boolean) : [];
  const home = info.home_page && info.home_page !== 'UNKNOWN' ? info.home_page : undefined;
  if ('project_urls' in info || 'home_page' in info) facts.repository = urls[0] ?? home ?? null;
  else unknown.push('project URLs');
  if ('summary' in info) facts.description = info.summary && info.summary !== 'UNKNOWN' ? info.summary : null;
  if (unknown.length) facts.unknownFields = unknown;
  return facts;
}

interface Pep691 {
  name?: string;
  files?: Array<{ filename: string; 'upload-time'?: string; yanked?: boolean | string; size?: number }>;
  versions?: string[];
}

function filesFromPep691(body: Pep691, name: string): FileInfo[] {
  return (body.files ?? []).map((f) => ({
    filename: f.filename,
    version: versionFromFilename(f.filename, name),
    uploaded: parseTime(f['upload-time']),
    sdist: !f.filename.endsWith('.whl'),
    yanked: f.yanked || undefined,
    size: typeof f.size === 'number' ? f.size : undefined,
  }));
}

function filesFromHtml(html: string, name: string): FileInfo[] {
  const out: FileInfo[] = [];
  for (const m of html.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/gi)) {
    const attrs = m[1]!;
    const filename = m[2]!.trim();
    const yanked = attrs.match(/data-yanked(?:="([^"]*)")?/);
    out.push({ filename, version: versionFromFilename(filename, name), sdist: !filename.endsWith('.whl'), yanked: yanked ? decodeHtml(yanked[1] ?? '') || true : undefined });
  }
  return out;
}

function fromFiles(files: FileInfo[], base: PackageFacts, html: boolean): PackageFacts {
  const facts: PackageFacts = { ...base, exists: files.length > 0 };
  if (files.length === 0) return facts;
  const versions = new Set(files.map((f) => f.version).filter(Boolean));
  facts.versionCount = versions.size;
  const times = files.map((f) => f.uploaded);
  facts.packageCreatedAt = minTime(times);
  const version = base.version;
  if (version) {
    const mine = files.filter((f) => f.version === version);
    if (mine.length === 0) facts.versionNotFound = true;
    else {
      facts.versionPublishedAt = minTime(mine.map((f) => f.uploaded));
      facts.sdistOnly = mine.every((f) => f.sdist);
      if (mine.every((f) => f.yanked)) facts.yanked = mine.find((f) => typeof f.yanked === 'string')?.yanked ?? true;
      const byVersion = new Map<string, FileInfo[]>();
      for (const f of files) if (f.version) byVersion.set(f.version, [...(byVersion.get(f.version) ?? []), f]);
      const pair = releasePairFrom(byVersion, version, !html);
      if (!html) facts.timeline = pypiTimeline(byVersion);
      if (pair.release) facts.release = pair.release;
      if (pair.previous) {
        facts.previousRelease = pair.previous;
        facts.previousReason = 'previous-release';
      }
    }
  }
  const unknown: string[] = ['project URLs', 'description'];
  if (html || !facts.packageCreatedAt) unknown.unshift('upload times');
  facts.unknownFields = unknown;
  return facts;
}

/**
 * ReleaseFacts of `version` and of the release before it (the highest lower version with files that
 * are not all yanked; pre-releases only when `version` is one). What PyPI can say: upload time, the
 * largest file's size, and "install scripts" = a build runs because the release has no wheel.
 * Dependencies are filled in separately (report metadata, per-version JSON). `times`: whether the
 * listing carries upload times at all (HTML does not: then publishedAt stays unknown).
 */
export function releasePairFrom(byVersion: ReadonlyMap<string, FileInfo[]>, version: string, times = true): { release?: ReleaseFacts; previous?: ReleaseFacts } {
  const one = (v: string): ReleaseFacts | undefined => {
    const files = byVersion.get(v);
    if (!files?.length) return undefined;
    const r: ReleaseFacts = { version: v };
    const published = times ? minTime(files.map((f) => f.uploaded)) : undefined;
    if (published) r.publishedAt = published;
    const sizes = files.map((f) => f.size);
    if (sizes.every((n): n is number => typeof n === 'number' && Number.isFinite(n))) r.archiveSize = Math.max(...sizes);
    r.installScripts = files.every((f) => f.sdist) ? { build: SDIST_ONLY_BUILD } : {};
    return r;
  };
  const release = one(version);
  const pre = (v: string) => {
    const p = parseVersion(v);
    return Boolean(p && (p.pre || p.dev !== undefined));
  };
  const candidates = [...byVersion.keys()]
    .filter((v) => parseVersion(v) && compareVersions(v, version) < 0)
    .filter((v) => pre(version) || !pre(v))
    .filter((v) => !(byVersion.get(v) ?? []).every((f) => f.yanked))
    .sort(compareVersions);
  const prev = candidates.at(-1);
  return { release, previous: prev ? one(prev) : undefined };
}

/**
 * Runtime dependency names (PEP 503-normalised, sorted) from Requires-Dist lines, leaving out those
 * only wanted by an extra. `null`/missing means "none" only for a release with a wheel (its
 * metadata is complete); for a source-only release it stays unknown (undefined).
 */
export function dependencyNamesOf(requiresDist: readonly string[] | null | undefined, release?: Pick<ReleaseFacts, 'installScripts'>): string[] | undefined {
  if (!Array.isArray(requiresDist)) {
    const hasWheel = release?.installScripts !== undefined && Object.keys(release.installScripts).length === 0;
    return hasWheel ? [] : undefined;
  }
  const names = new Set<string>();
  for (const line of requiresDist) {
    const m = String(line).match(/^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/);
    if (!m) continue;
    const marker = String(line).split(';').slice(1).join(';');
    if (/\bextra\s*==/.test(marker)) continue;
    names.add(normalizePypiName(m[1]!));
  }
  return [...names].sort();
}

/** Upload times (earliest file of each final release) as a timeline, PEP 440 order, per major (see checks/timeline.ts). */
function pypiTimeline(byVersion: ReadonlyMap<string, FileInfo[]>): PackageFacts['timeline'] {
  const versions: TimedVersion[] = [];
  for (const [version, files] of byVersion) {
    const parsed = parseVersion(version);
    const publishedAt = minTime(files.map((f) => f.uploaded));
    if (parsed && parsed.pre === undefined && parsed.dev === undefined && publishedAt) versions.push({ version, publishedAt });
  }
  return timelineOf(versions, compareVersions, (v) => String(parseVersion(v)?.release[0] ?? ''));
}

/** Upload time of each version (earliest file), from a JSON API or PEP 691 answer; HTML has none. */
export function versionTimes(answer: IndexAnswer, name: string): Map<string, Date> {
  const out = new Map<string, Date>();
  const add = (v: string | undefined, t: Date | undefined) => {
    if (!v || !t) return;
    const had = out.get(v);
    if (!had || t < had) out.set(v, t);
  };
  if (answer.kind === 'json-api') {
    const releases = (answer.body as JsonApi).releases ?? {};
    for (const [v, files] of Object.entries(releases)) for (const f of files ?? []) add(v, parseTime(f.upload_time_iso_8601 ?? f.upload_time));
  } else if (answer.kind === 'pep691') {
    for (const f of filesFromPep691(answer.body as Pep691, name)) add(f.version, f.uploaded);
  }
  return out;
}

/** The version part of a wheel or sdist filename for project `name`. */
export function versionFromFilename(filename: string, name: string): string | undefined {
  const canonical = normalizePypiName(name);
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if (parts.length >= 5 && normalizePypiName(parts[0]!) === canonical) return parts[1];
    return undefined;
  }
  const stem = filename.replace(/\.(tar\.gz|tar\.bz2|tgz|zip|tar)$/i, '');
  if (stem === filename) return undefined;
  const i = stem.lastIndexOf('-');
  if (i <= 0) return undefined;
  return normalizePypiName(stem.slice(0, i)) === canonical ? stem.slice(i + 1) : undefined;
}

function parseTime(s: string | undefined | null): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function minTime(times: Array<Date | undefined>): Date | undefined {
  let min: Date | undefined;
  for (const t of times) if (t && (!min || t < min)) min = t;
  return min;
}

function decodeHtml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
