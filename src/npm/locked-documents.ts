/**
 * The registry documents `npm ci` vets, reduced to what the checks read — and kept between runs.
 *
 * npm ci vets the same lockfile run after run, and each run would read and parse the same documents
 * again from npm's cache (megabytes for typescript or rollup, and the full documents of recent
 * releases). What vetting keeps of them is a few kilobytes. So each reduction is stored in npm's cache
 * with the content hashes of the documents it was made from, and read back while the newest document
 * npm's cache holds for that URL is still one of them (npm has fetched nothing new for the name since):
 * same documents, same reduction. A document that changed (a new version, a deprecation) is a new hash:
 * the reduction is made again from it.
 *
 * Documents are read as pacote reads them (same URL, Accept header and cache mode), through npm's
 * registry client, so that the content hash is known. Look-ups of kept reductions are read-only (npm's
 * HTTP cache rewrites an index entry on every read).
 *
 * Runs in the arborist worker (as the build user, on its documents thread; bundled into it): from
 * node_modules it uses only what the real npm ships (via `req`).
 */
import { holdsEveryVersion, needsFullDocument, reduceForVetting, reductionHolds, type Doc, type ReducedDoc, type SemverLike } from './reduce-packument.js';

type Response = { headers: { get(name: string): string | null }; buffer(): Promise<Buffer> };
type RegistryFetch = ((url: string, opts: object) => Promise<Response>) & { pickRegistry(spec: unknown, opts: object): string };
type ContentCache = {
  get: ((cache: string, key: string) => Promise<{ data: Buffer; metadata?: unknown }>) & { info(cache: string, key: string): Promise<{ integrity?: string } | null> };
  put(cache: string, key: string, data: string, opts: { metadata: unknown }): Promise<unknown>;
};
type Ssri = { fromData(data: Buffer, opts: { algorithms: string[] }): { toString(): string } };

/** The Accept headers pacote sends (npm's HTTP cache keeps one answer per Accept). */
const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const FULL = 'application/json';

export interface LockedEntry {
  name: string;
  version: string;
  location: string;
}

/** name → the entries' versions (checked) and those plus what the lockfiles have there (kept). */
export function wantedVersions(entries: readonly LockedEntry[], locked: ReadonlyMap<string, readonly string[]>): Map<string, { checked: Set<string>; kept: Set<string> }> {
  const wanted = new Map<string, { checked: Set<string>; kept: Set<string> }>();
  for (const entry of entries) {
    const w = wanted.get(entry.name) ?? { checked: new Set<string>(), kept: new Set<string>() };
    w.checked.add(entry.version);
    for (const v of [entry.version, ...(locked.get(entry.location) ?? [])]) w.kept.add(v);
    wanted.set(entry.name, w);
  }
  return wanted;
}

export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export function lockedDocuments(req: NodeRequire, options: Record<string, unknown>, recentSince: Date, semver: SemverLike) {
  const registryFetch = req('npm-registry-fetch') as RegistryFetch;
  const npa = req('npm-package-arg') as (spec: string) => { escapedName: string };
  const contentCache = req('cacache') as ContentCache;
  const ssri = req('ssri') as Ssri;
  const cachePath = typeof options.cache === 'string' ? options.cache : undefined;
  const userAgent = typeof options.userAgent === 'string' ? options.userAgent : undefined;
  let fullFetched = 0;

  const urlOf = (name: string) => {
    const spec = npa(name);
    return `${registryFetch.pickRegistry(spec, options).replace(/\/+$/, '')}/${spec.escapedName}`;
  };

  /** A document and the content hash npm's cache keeps it under (computed when it came from the network). */
  const read = async (name: string, url: string, full: boolean, offline: boolean): Promise<{ doc: Doc; hash: string } | undefined> => {
    try {
      const headers = { ...(userAgent ? { 'user-agent': userAgent } : {}), 'pacote-req-type': 'packument', 'pacote-pkg-id': `registry:${name}`, accept: full ? FULL : ABBREVIATED };
      const res = await registryFetch(url, { ...options, headers, spec: name, integrity: null, ...(offline ? { preferOffline: true } : { preferOnline: true }) });
      const body = await res.buffer();
      const cached = res.headers.get('x-local-cache-hash');
      const hash = cached ? decodeURIComponent(cached) : ssri.fromData(body, { algorithms: ['sha512'] }).toString();
      return { doc: JSON.parse(body.toString('utf8')) as Doc, hash };
    } catch {
      return undefined; // no document: vetting says the package could not be looked up
    }
  };

  const newestHash = async (url: string) => {
    if (!cachePath) return undefined;
    const entry = await contentCache.get.info(cachePath, `make-fetch-happen:request-cache:${url}`).catch(() => null);
    return entry?.integrity;
  };

  const kept = async (key: string) => {
    if (!cachePath) return undefined;
    const hit = await contentCache.get(cachePath, key).catch(() => undefined);
    if (!hit) return undefined;
    try {
      return { reduced: JSON.parse(String(hit.data)) as ReducedDoc, sources: ((hit.metadata as { sources?: unknown } | undefined)?.sources ?? []) as unknown[] };
    } catch {
      return undefined;
    }
  };

  /** The reduction of `name`'s documents for these versions: kept from an earlier run, or made now (and kept). */
  const reduction = async (name: string, checked: ReadonlySet<string>, keptVersions: ReadonlySet<string>): Promise<ReducedDoc | undefined> => {
    const url = urlOf(name);
    const key = `safe-npm:vetting-reduction:1:${url}:${[...keptVersions].sort().join(',')}`;
    const [newest, before] = await Promise.all([newestHash(url), kept(key)]);
    if (newest && before?.sources.includes(newest) && reductionHolds(before.reduced, checked, recentSince)) return before.reduced;

    const abbreviated = await read(name, url, false, true);
    if (!abbreviated) return undefined;
    let doc = abbreviated.doc;
    const sources = [abbreviated.hash];
    if ([...checked].some((v) => needsFullDocument(doc, v, recentSince))) {
      fullFetched += 1;
      // npm's cached copy stands for the registry's when it has every version the abbreviated one has.
      let full = await read(name, url, true, true);
      if (full && !holdsEveryVersion(full.doc, doc)) full = await read(name, url, true, false);
      if (full) {
        doc = full.doc;
        sources.push(full.hash);
      }
    }
    const reduced = reduceForVetting(doc, [...keptVersions], semver);
    if (cachePath) await contentCache.put(cachePath, key, JSON.stringify(reduced), { metadata: { sources } }).catch(() => undefined);
    return reduced;
  };

  return { reduction, fullCount: () => fullFetched };
}
