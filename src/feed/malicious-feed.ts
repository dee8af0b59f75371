/**
 * The known-malicious feed (issue 11): OSV records whose id starts with `MAL-` (the OpenSSF
 * malicious-packages data in OSV's per-ecosystem exports), reduced to what a check needs: for each
 * package name, the record ids, a one-line summary, and the affected versions (or "every version").
 * Pure: parsing a zip export and answering look-ups; the cache file and the download live in feed-store.ts.
 */
import { unzipSync } from 'fflate';
import type { Ecosystem, FeedData, MaliciousRecord } from '../core/types.js';
import { normalizePypiName } from '../pypi/normalize-name.js';

export type { FeedData, MaliciousRecord } from '../core/types.js';
export const FEED_FORMAT = 1;


/** OSV's name for each ecosystem (the export folder and `affected[].package.ecosystem`). */
export const OSV_ECOSYSTEM: Record<Ecosystem, string> = { npm: 'npm', pypi: 'PyPI' };

export function feedKey(ecosystem: Ecosystem, name: string): string {
  return ecosystem === 'pypi' ? normalizePypiName(name) : name;
}

interface OsvRecord {
  id?: unknown;
  summary?: unknown;
  details?: unknown;
  withdrawn?: unknown;
  affected?: Array<{
    package?: { ecosystem?: unknown; name?: unknown };
    versions?: unknown;
    ranges?: Array<{ type?: unknown; events?: Array<Record<string, unknown>> }>;
  }>;
}

/**
 * Reads an OSV export zip (one JSON record per entry) and keeps the MAL- records for `ecosystem`.
 * Throws on a corrupt or truncated archive, and when it holds no MAL- record at all (not an export).
 */
export function parseOsvZip(zip: Uint8Array, ecosystem: Ecosystem, meta: { source: string; fetchedAt: Date }): FeedData {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, { filter: (file) => /(^|\/)MAL-[^/]*\.json$/.test(file.name) });
  } catch (error) {
    throw new Error(`not a readable zip archive (${(error as Error).message})`);
  }
  const decoder = new TextDecoder();
  const records: Record<string, MaliciousRecord[]> = {};
  let count = 0;
  for (const bytes of Object.values(files)) {
    let record: OsvRecord;
    try {
      record = JSON.parse(decoder.decode(bytes)) as OsvRecord;
    } catch {
      continue; // one unreadable record does not spoil the rest
    }
    count += addRecord(records, record, ecosystem);
  }
  if (count === 0) throw new Error(`no MAL- records for ${OSV_ECOSYSTEM[ecosystem]} in the archive`);
  return { format: FEED_FORMAT, ecosystem, source: meta.source, fetchedAt: meta.fetchedAt.toISOString(), records };
}

function addRecord(into: Record<string, MaliciousRecord[]>, record: OsvRecord, ecosystem: Ecosystem): number {
  if (typeof record.id !== 'string' || !record.id.startsWith('MAL-') || record.withdrawn) return 0;
  const summary = oneLine(typeof record.summary === 'string' ? record.summary : typeof record.details === 'string' ? record.details : '');
  let added = 0;
  for (const affected of record.affected ?? []) {
    const pkg = affected.package;
    if (pkg?.ecosystem !== OSV_ECOSYSTEM[ecosystem] || typeof pkg.name !== 'string' || pkg.name === '') continue;
    const key = feedKey(ecosystem, pkg.name);
    const list = (into[key] ??= []);
    list.push({ id: record.id, summary, versions: affectedVersions(affected) });
    added++;
  }
  return added;
}

/** Listed versions; null (every version) when a range starts at "0" and nothing fixes it, or nothing is listed. */
function affectedVersions(affected: NonNullable<OsvRecord['affected']>[number]): string[] | null {
  const listed = Array.isArray(affected.versions) ? affected.versions.filter((v): v is string => typeof v === 'string') : [];
  const open = (affected.ranges ?? []).some((r) => {
    const events = r.events ?? [];
    return events.some((e) => e.introduced === '0') && !events.some((e) => 'fixed' in e || 'last_affected' in e);
  });
  if (open || listed.length === 0) return null;
  return listed;
}

function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

export type FeedMatch =
  | { kind: 'version'; records: MaliciousRecord[] }
  | { kind: 'name'; records: MaliciousRecord[]; versions: string[] };

/**
 * What the feed knows about `name` at `version`: records naming this version (or every version), or
 * records for other versions of the name; undefined when the name is not in the feed. Without a
 * version (offline, a range) only a record for every version is an exact match.
 */
export function lookUp(feed: Pick<FeedData, 'ecosystem' | 'records'>, name: string, version: string | null | undefined): FeedMatch | undefined {
  const records = feed.records[feedKey(feed.ecosystem, name)];
  if (!records?.length) return undefined;
  const exact = records.filter((r) => r.versions === null || (version != null && r.versions.includes(version)));
  if (exact.length) return { kind: 'version', records: exact };
  const versions = [...new Set(records.flatMap((r) => r.versions ?? []))];
  return { kind: 'name', records, versions };
}
