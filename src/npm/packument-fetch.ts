/**
 * A packument as pacote fetches one (RegistryFetcher.packument, lib/registry.js: the registry npm
 * picks for the name's scope, the same headers, cache and in-memory packument cache key), with
 * npm-registry-fetch alone. Loading pacote itself also loads sigstore, tuf, git and tar support that
 * a packument never uses: ~180 ms of CPU before the first document could be asked for, on every
 * `npm i <name>`.
 */
import { createRequire } from 'node:module';

type RegistryFetch = ((url: string, opts: object) => Promise<Response & { json(): Promise<unknown> }>) & { pickRegistry(spec: unknown, opts: object): string };
type Npa = (spec: string) => { name: string | null; escapedName: string | null };

/** What the registry client asks of its fetcher (pacote has the same method). */
export interface PackumentFetcher {
  packument(name: string, opts: Record<string, unknown>): Promise<unknown>;
}

const FULL = 'application/json';
const CORGI = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

export async function loadPackumentFetcher(): Promise<PackumentFetcher> {
  const req = createRequire(import.meta.url);
  const fetch = req('npm-registry-fetch') as RegistryFetch;
  const npa = req('npm-package-arg') as Npa;
  return {
    async packument(name, opts) {
      const spec = npa(name);
      const url = `${fetch.pickRegistry(spec, opts).replace(/\/+$/, '')}/${spec.escapedName}`;
      const full = opts.fullMetadata === true;
      const key = `${full ? 'full' : 'corgi'}:${url}`;
      const cache = opts.packumentCache instanceof Map ? (opts.packumentCache as Map<string, unknown>) : undefined;
      if (cache?.has(key)) return cache.get(key);
      try {
        const res = await fetch(url, {
          ...opts,
          headers: {
            'user-agent': typeof opts.userAgent === 'string' ? opts.userAgent : `safe-npm node/${process.version}`,
            ...((opts.headers as object | undefined) ?? {}),
            'pacote-req-type': 'packument',
            'pacote-pkg-id': `registry:${spec.name}`,
            accept: full ? FULL : CORGI,
          },
          spec,
          integrity: null,
        });
        const doc = (await res.json()) as Record<string, unknown>;
        const length = res.headers.get('content-length');
        if (length && doc && typeof doc === 'object') doc._contentLength = Number(length);
        cache?.set(key, doc);
        return doc;
      } catch (error) {
        cache?.delete(key);
        throw error;
      }
    },
  };
}
