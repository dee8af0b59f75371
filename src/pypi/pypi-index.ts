/**
 * The one home of HTTP to Python package indexes. Thin I/O: the JSON API (`/pypi/<name>/json`,
 * any content type), PEP 691 JSON (Accept negotiation) and PEP 503 HTML as fallback; file:// indexes
 * read from disk. Pure interpretation lives in pypi-facts.ts.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { normalizePypiName } from './normalize-name.js';

export type IndexAnswer =
  | { kind: 'json-api'; body: unknown; url: string }
  | { kind: 'pep691'; body: unknown; url: string }
  | { kind: 'html'; body: string; url: string }
  | { kind: 'not-found'; url: string }
  | { kind: 'error'; message: string; url: string };

export type Fetcher = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

const PEP691 = 'application/vnd.pypi.simple.v1+json';

/** The JSON API base for an index URL: `https://pypi.org/simple` → `https://pypi.org`. */
export function jsonApiBase(indexUrl: string): string | undefined {
  const m = indexUrl.replace(/\/+$/, '').match(/^(.*)\/simple$/);
  return m ? m[1] : undefined;
}

export function projectPageUrl(indexUrl: string, name: string): string {
  return `${indexUrl.replace(/\/+$/, '')}/${normalizePypiName(name)}/`;
}

/**
 * An index page pip itself read (kept by the guard) as an answer: PEP 691 JSON or PEP 503 HTML.
 * Such a page is the very one pip chose files from.
 */
export function answerFromPage(page: { url: string; contentType: string; body: string }): IndexAnswer | undefined {
  if (page.contentType.includes(PEP691) || page.contentType.includes('json')) {
    try {
      return { kind: 'pep691', body: JSON.parse(page.body), url: page.url };
    } catch {
      return undefined;
    }
  }
  return { kind: 'html', body: page.body, url: page.url };
}

/** A page with upload times (PEP 691 + PEP 700) says all the index can say about files: no JSON API needed. */
export function answersWithTimes(answer: IndexAnswer): boolean {
  const files = answer.kind === 'pep691' ? (answer.body as { files?: Array<Record<string, unknown>> }).files : undefined;
  return Array.isArray(files) && files.some((f) => typeof f?.['upload-time'] === 'string');
}

/**
 * What the index says about a project. `simplePage`: the project page pip already read — used in
 * place of asking for it again (the JSON API, when the index has one, is still asked for what the
 * page lacks: upload times, project URLs).
 */
export async function fetchProject(indexUrl: string, name: string, options: { fetcher?: Fetcher; timeoutMs?: number; simplePage?: IndexAnswer; signal?: AbortSignal } = {}): Promise<IndexAnswer> {
  const fetcher: Fetcher = options.fetcher ?? ((url, init) => fetch(url, init));
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (indexUrl.startsWith('file:')) return options.simplePage ?? readFileIndex(indexUrl, name);

  const get = async (url: string, accept: string) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await fetcher(url, { headers: { Accept: accept }, signal: withRunSignal(controller.signal, options.signal) });
      return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
    } finally {
      clearTimeout(timer);
    }
  };

  const api = jsonApiBase(indexUrl);
  if (api) {
    const url = `${api}/pypi/${encodeURIComponent(normalizePypiName(name))}/json`;
    try {
      const r = await get(url, 'application/json');
      if (r.status === 200) {
        try {
          return { kind: 'json-api', body: JSON.parse(r.text), url };
        } catch {
          /* not JSON: fall through to the simple API */
        }
      }
    } catch {
      /* fall through to the simple API */
    }
  }
  if (options.simplePage) return options.simplePage;
  const page = projectPageUrl(indexUrl, name);
  try {
    const r = await get(page, `${PEP691}, text/html;q=0.1`);
    if (r.status === 404) return { kind: 'not-found', url: page };
    if (r.status !== 200) return { kind: 'error', message: `HTTP ${r.status}`, url: page };
    if (r.type.includes(PEP691) || r.type.includes('json')) return { kind: 'pep691', body: JSON.parse(r.text), url: page };
    return { kind: 'html', body: r.text, url: page };
  } catch (error) {
    return { kind: 'error', message: (error as Error).message, url: page };
  }
}

/**
 * `/pypi/<name>/<version>/json` → that release's `info.requires_dist` (null: the index says none
 * or does not know), or undefined when there is no JSON API or it did not answer.
 */
export async function fetchReleaseRequires(indexUrl: string, name: string, version: string, options: { fetcher?: Fetcher; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string[] | null | undefined> {
  const api = jsonApiBase(indexUrl);
  if (!api || indexUrl.startsWith('file:')) return undefined;
  const fetcher: Fetcher = options.fetcher ?? ((url, init) => fetch(url, init));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 15_000);
  try {
    const url = `${api}/pypi/${encodeURIComponent(normalizePypiName(name))}/${encodeURIComponent(version)}/json`;
    const res = await fetcher(url, { headers: { Accept: 'application/json' }, signal: withRunSignal(controller.signal, options.signal) });
    if (res.status !== 200) return undefined;
    const body = JSON.parse(await res.text()) as { info?: { version?: string; requires_dist?: unknown } };
    if (body.info?.version !== undefined && body.info.version !== version) return undefined;
    const rd = body.info?.requires_dist;
    if (rd === null) return null;
    return Array.isArray(rd) && rd.every((x) => typeof x === 'string') ? rd : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Index look-ups for one run: at most `limit` in flight, each URL asked once (the same project
 * wanted by facts, the cooldown and confusion checks shares one answer).
 */
export class IndexLookups {
  private active = 0;
  private waiting: Array<() => void> = [];
  private projects = new Map<string, Promise<IndexAnswer>>();
  private releases = new Map<string, Promise<string[] | null | undefined>>();
  private pages = new Map<string, IndexAnswer>();
  /** Indexes whose JSON API did not answer for a project pip found there: they have none; not asked again. */
  private noJsonApi = new Set<string>();

  /** Aborted by close(): look-ups still in flight when the run ends must not keep the process alive. */
  private readonly run = new AbortController();

  constructor(private readonly options: { fetcher?: Fetcher; timeoutMs?: number; limit?: number } = {}) {}

  /**
   * The project page pip read: a page with upload times is the whole answer (nothing is fetched);
   * otherwise it stands in for the simple page when the JSON API has nothing better.
   */
  known(indexUrl: string, name: string, page: IndexAnswer): void {
    const key = `${indexUrl}\n${normalizePypiName(name)}`;
    if (this.projects.has(key) || this.pages.has(key)) return;
    if (answersWithTimes(page)) this.projects.set(key, Promise.resolve(page));
    else this.pages.set(key, page);
  }

  /** Abandon every look-up still in flight (the run is over: a stalled index does not hold the exit). */
  close(): void {
    this.run.abort();
  }

  project(indexUrl: string, name: string): Promise<IndexAnswer> {
    const key = `${indexUrl}\n${normalizePypiName(name)}`;
    let p = this.projects.get(key);
    if (!p) {
      const simplePage = this.pages.get(key);
      p = this.pooled(async () => {
        if (simplePage && this.noJsonApi.has(indexUrl)) return simplePage;
        const answer = await fetchProject(indexUrl, name, { ...this.options, simplePage, signal: this.run.signal });
        if (simplePage && answer === simplePage) this.noJsonApi.add(indexUrl);
        return answer;
      });
      this.projects.set(key, p);
    }
    return p;
  }

  releaseRequires(indexUrl: string, name: string, version: string): Promise<string[] | null | undefined> {
    const key = `${indexUrl}\n${normalizePypiName(name)}\n${version}`;
    let p = this.releases.get(key);
    if (!p) {
      p = this.pooled(() => fetchReleaseRequires(indexUrl, name, version, { ...this.options, signal: this.run.signal }));
      this.releases.set(key, p);
    }
    return p;
  }

  private async pooled<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= (this.options.limit ?? 8)) await new Promise<void>((r) => this.waiting.push(r));
    this.active += 1;
    try {
      return await fn();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

function withRunSignal(own: AbortSignal, run: AbortSignal | undefined): AbortSignal {
  return run ? AbortSignal.any([own, run]) : own;
}

/** pip's own --timeout as the environment sets it (PIP_TIMEOUT / PIP_DEFAULT_TIMEOUT), in ms. */
export function pipTimeoutMs(env: Record<string, string | undefined>): number | undefined {
  const seconds = Number(env.PIP_TIMEOUT ?? env.PIP_DEFAULT_TIMEOUT);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

async function readFileIndex(indexUrl: string, name: string): Promise<IndexAnswer> {
  const page = projectPageUrl(indexUrl, name);
  try {
    const text = await readFile(`${fileURLToPath(page)}index.html`, 'utf8');
    return { kind: 'html', body: text, url: page };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'not-found', url: page };
    return { kind: 'error', message: (error as Error).message, url: page };
  }
}
