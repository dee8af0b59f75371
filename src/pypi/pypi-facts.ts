/**
 * Pure: an index answer (JSON API, PEP 691 JSON or PEP 503 HTML) + the chosen version → PackageFacts.
 * Upload times come only from JSON (JSON API `upload_time_iso_8601`, PEP 700 `upload-time`); HTML
 * has none, so age facts stay unknown (reported once through `unknownFields`).
 */
import type { PackageFacts, SourceKind } from '../core/types.js';
import type { IndexAnswer } from './pypi-index.js';
import { normalizePypiName } from './normalize-name.js';

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
  info?: { name?: string; version?: string; summary?: string | null; home_page?: string | null; project_urls?: Record<string, string> | null; yanked?: boolean; yanked_reason?: string | null };
  releases?: Record<string, Array<{ packagetype?: string; upload_time_iso_8601?: string; upload_time?: string; yanked?: boolean; yanked_reason?: string | null; filename?: string }>>;
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
  files?: Array<{ filename: string; 'upload-time'?: string; yanked?: boolean | string }>;
  versions?: string[];
}

function filesFromPep691(body: Pep691, name: string): FileInfo[] {
  return (body.files ?? []).map((f) => ({
    filename: f.filename,
    version: versionFromFilename(f.filename, name),
    uploaded: parseTime(f['upload-time']),
    sdist: !f.filename.endsWith('.whl'),
    yanked: f.yanked || undefined,
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
    }
  }
  const unknown: string[] = ['project URLs', 'description'];
  if (html || !facts.packageCreatedAt) unknown.unshift('upload times');
  facts.unknownFields = unknown;
  return facts;
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
