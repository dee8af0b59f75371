/**
 * Full packuments from the registry npm will use, concurrently, each fetched once per run, as pacote
 * fetches them (packument-fetch.ts). Fetching is separate from normalizing (npm-facts.ts).
 */
import { join } from 'node:path';
import type { NpmConfig } from './npm-config.js';
import { loadPackumentFetcher, type PackumentFetcher } from './packument-fetch.js';

export interface Packument {
  name: string;
  versions: Record<string, PackumentVersion>;
  time?: Record<string, string>;
  'dist-tags'?: Record<string, string>;
  maintainers?: unknown;
  repository?: unknown;
  description?: string;
  [key: string]: unknown;
}

export interface PackumentVersion {
  name: string;
  version: string;
  scripts?: Record<string, string>;
  deprecated?: string;
  repository?: unknown;
  description?: string;
  gypfile?: boolean;
  dist?: { integrity?: string; shasum?: string; tarball?: string; fileCount?: number; unpackedSize?: number };
  dependencies?: Record<string, string>;
  _npmUser?: unknown;
  [key: string]: unknown;
}

export type PackumentResult = { ok: true; packument: Packument } | { ok: false; notFound: boolean; error: string };

export interface RegistryClient {
  packument(name: string): Promise<PackumentResult>;
  /** The fetch options in use (npm's flat config, the cache, the shared in-memory packument cache), for arborist. */
  readonly options: Record<string, unknown>;
  /** Use a document already fetched (by npm's resolver) instead of fetching it again. */
  prime(name: string, packument: Packument): void;
}


/**
 * When the fetcher is loaded: `now` when this run fetches documents itself (packages named on the
 * command line), `when-needed` when npm's engine hands them over (npm ci, a bare install): the parent
 * then never loads it. Loaded late, it is loaded as whoever runs the check: a checkout the build user
 * cannot read makes that fetch fail, and the check says it could not verify.
 */
export type FetcherLoading = 'now' | 'when-needed';

/** A client with npm's flat options; `cache` is the cache the install will use too. */
export async function createRegistryClient(
  config: NpmConfig,
  cache: string | undefined,
  loading: FetcherLoading = 'now',
  loadFetcher: () => Promise<PackumentFetcher> = loadPackumentFetcher,
): Promise<RegistryClient> {
  let loaded: Promise<PackumentFetcher> | undefined;
  const fetcher = () => (loaded ??= loadFetcher());
  if (loading === 'now') await fetcher();
  const memo = new Map<string, Promise<PackumentResult>>();
  const packumentCache = new Map();
  // npm's flat `cache` is <cache dir>/_cacache: the same store the install reads.
  const opts = { ...config.flat, ...(cache ? { cache: join(cache, '_cacache') } : {}), fullMetadata: true, packumentCache };
  return {
    options: opts,
    prime(name, packument) {
      if (!memo.has(name)) memo.set(name, Promise.resolve({ ok: true as const, packument }));
    },
    packument(name) {
      let pending = memo.get(name);
      if (!pending) {
        pending = fetcher().then((f) => f.packument(name, opts)).then(
          (packument) => {
            // A document whose versions are not a map is the registry's fault, not a missing package (68).
            const malformed = packumentShapeError(packument);
            if (malformed) return { ok: false as const, notFound: false, error: `the registry ${registryFor(name, opts)} answered a malformed document: ${malformed}` };
            return { ok: true as const, packument: packument as unknown as Packument };
          },
          (error: { code?: string; statusCode?: number; message: string }) => {
            const notFound = error.code === 'E404' || error.statusCode === 404;
            return { ok: false as const, notFound, error: oneLine(error.message) };
          },
        );
        memo.set(name, pending);
      }
      return pending;
    },
  };
}

/** Why a fetched packument cannot be read at all (the fields every check needs have the wrong type), or undefined. */
export function packumentShapeError(doc: unknown): string | undefined {
  const isMap = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isMap(doc)) return 'not a JSON object';
  const versions = (doc as { versions?: unknown }).versions;
  if (versions === undefined) return undefined; // an unpublished name: "not found" downstream
  if (!isMap(versions)) return `"versions" is ${Array.isArray(versions) ? 'an array' : typeof versions}, not an object`;
  for (const [version, manifest] of Object.entries(versions as object)) {
    if (!isMap(manifest)) return `versions["${version.slice(0, 40)}"] is not an object`;
  }
  return undefined;
}

/** The registry npm uses for `name` (a scope's own registry, else the default). */
function registryFor(name: string, opts: Record<string, unknown>): string {
  const scope = name.startsWith('@') ? name.split('/')[0] : undefined;
  return String((scope && opts[`${scope}:registry`]) || opts.registry || 'https://registry.npmjs.org/');
}

function oneLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 300);
}

/** Run `fn` over items with at most `limit` in flight; results in input order. */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}
