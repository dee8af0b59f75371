/**
 * A local Python package index on 127.0.0.1 (node:http): PEP 503 HTML and PEP 691 JSON on
 * /simple/ (Accept negotiation), the JSON API on /pypi/<name>/json, files on /files/<filename>.
 * Upload times are whatever the test says.
 */
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { BuiltDist } from './python-dists.js';

export interface IndexFile {
  dist: BuiltDist;
  uploaded: Date;
  yanked?: string | true;
  /** Requires-Dist of this release, served by /pypi/<name>/<version>/json (absent: null there). */
  requires?: string[];
}

export interface IndexProject {
  name: string;
  files: IndexFile[];
  projectUrls?: Record<string, string>;
  summary?: string;
  /** Serve PEP 658/714 core metadata (`<wheel>.metadata`, read from the wheel) for this project's wheels. */
  coreMetadata?: boolean;
}

export interface SimpleIndex {
  url: string; // …/simple
  base: string;
  server: Server;
  add(project: IndexProject): void;
  requests: string[];
  /** Serve `dist` in place of the file named `filename` from now on (same URL, new bytes and hash). */
  swap(filename: string, dist: BuiltDist): void;
  /** Called with each request path before it is answered (tests hook swaps here). */
  onRequest?: (path: string) => void;
  close(): Promise<void>;
}

const norm = (n: string) => n.replace(/[-_.]+/g, '-').toLowerCase();
const PEP691 = 'application/vnd.pypi.simple.v1+json';

function versionOf(filename: string): string {
  if (filename.endsWith('.whl')) return filename.split('-')[1]!;
  const stem = filename.replace(/\.(tar\.gz|zip)$/, '');
  return stem.slice(stem.lastIndexOf('-') + 1);
}

export async function startSimpleIndex(projects: IndexProject[] = []): Promise<SimpleIndex> {
  const byName = new Map<string, IndexProject>();
  const files = new Map<string, IndexFile>();
  const add = (p: IndexProject) => {
    const existing = byName.get(norm(p.name));
    if (existing) existing.files.push(...p.files);
    else byName.set(norm(p.name), { ...p, files: [...p.files] });
    for (const f of p.files) files.set(f.dist.filename, f);
  };
  projects.forEach(add);
  const requests: string[] = [];
  const metadataCache = new Map<string, string>();
  const coreMetadata = (f: IndexFile): string => {
    let text = metadataCache.get(f.dist.path);
    if (text === undefined) {
      text = execFileSync('/usr/bin/python3', ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nsys.stdout.write(z.read([n for n in z.namelist() if n.endswith(".dist-info/METADATA")][0]).decode())', f.dist.path]).toString();
      metadataCache.set(f.dist.path, text);
    }
    return text;
  };
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const wantsMetadata = (p: IndexProject, f: IndexFile) => Boolean(p.coreMetadata) && f.dist.filename.endsWith('.whl');
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    handle.onRequest?.(url.pathname);
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let m: RegExpMatchArray | null;
    if (url.pathname === '/simple/') {
      const names = [...byName.values()].map((p) => p.name);
      if ((req.headers.accept ?? '').includes(PEP691)) return send(200, PEP691, JSON.stringify({ meta: { 'api-version': '1.1' }, projects: names.map((name) => ({ name })) }));
      return send(200, 'text/html', `<!DOCTYPE html><html><body>${names.map((n) => `<a href="/simple/${norm(n)}/">${n}</a>`).join('\n')}</body></html>`);
    }
    if ((m = url.pathname.match(/^\/simple\/([^/]+)\/?$/))) {
      const p = byName.get(norm(decodeURIComponent(m[1]!)));
      if (!p) return send(404, 'text/plain', 'not found');
      if ((req.headers.accept ?? '').includes(PEP691)) {
        return send(200, PEP691, JSON.stringify({
          meta: { 'api-version': '1.1' },
          name: norm(p.name),
          versions: [...new Set(p.files.map((f) => versionOf(f.dist.filename)))],
          files: p.files.map((f) => ({
            filename: f.dist.filename,
            url: `${base}/files/${f.dist.filename}`,
            hashes: { sha256: f.dist.sha256 },
            'upload-time': f.uploaded.toISOString(),
            size: statSync(f.dist.path).size,
            ...(wantsMetadata(p, f) ? { 'core-metadata': { sha256: sha(coreMetadata(f)) }, 'dist-info-metadata': { sha256: sha(coreMetadata(f)) } } : {}),
            ...(f.yanked ? { yanked: f.yanked } : {}),
          })),
        }));
      }
      const links = p.files.map((f) => `<a href="${base}/files/${f.dist.filename}#sha256=${f.dist.sha256}"${f.yanked ? ` data-yanked="${f.yanked === true ? '' : f.yanked}"` : ''}${wantsMetadata(p, f) ? ` data-core-metadata="sha256=${sha(coreMetadata(f))}" data-dist-info-metadata="sha256=${sha(coreMetadata(f))}"` : ''}>${f.dist.filename}</a>`);
      return send(200, 'text/html', `<!DOCTYPE html><html><body>\n${links.join('<br/>\n')}\n</body></html>`);
    }
    if ((m = url.pathname.match(/^\/pypi\/([^/]+)\/([^/]+)\/json$/))) {
      const p = byName.get(norm(decodeURIComponent(m[1]!)));
      const version = decodeURIComponent(m[2]!);
      const mine = p?.files.filter((f) => versionOf(f.dist.filename) === version) ?? [];
      if (!p || mine.length === 0) return send(404, 'application/json', JSON.stringify({ message: 'Not Found' }));
      return send(200, 'application/json', JSON.stringify({
        info: { name: p.name, version, requires_dist: mine.find((f) => f.requires)?.requires ?? null, summary: p.summary ?? `test package ${p.name}` },
        urls: mine.map((f) => ({ filename: f.dist.filename, packagetype: f.dist.filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist', upload_time_iso_8601: f.uploaded.toISOString(), size: statSync(f.dist.path).size })),
      }));
    }
    if ((m = url.pathname.match(/^\/pypi\/([^/]+)\/json$/))) {
      const p = byName.get(norm(decodeURIComponent(m[1]!)));
      if (!p) return send(404, 'application/json', JSON.stringify({ message: 'Not Found' }));
      const releases: Record<string, unknown[]> = {};
      for (const f of p.files) {
        const v = versionOf(f.dist.filename);
        (releases[v] ??= []).push({
          filename: f.dist.filename,
          packagetype: f.dist.filename.endsWith('.whl') ? 'bdist_wheel' : 'sdist',
          upload_time_iso_8601: f.uploaded.toISOString(),
          digests: { sha256: f.dist.sha256 },
          size: statSync(f.dist.path).size,
          yanked: Boolean(f.yanked),
          yanked_reason: typeof f.yanked === 'string' ? f.yanked : null,
          url: `${base}/files/${f.dist.filename}`,
        });
      }
      const latest = Object.keys(releases).sort().at(-1);
      // PyPI serves this as application/json; some mirrors send text/plain: facts must not care.
      return send(200, 'text/plain', JSON.stringify({
        info: { name: p.name, version: latest, summary: p.summary ?? `test package ${p.name}`, home_page: null, project_urls: p.projectUrls ?? null, yanked: false },
        releases,
        urls: releases[latest!] ?? [],
      }));
    }
    if ((m = url.pathname.match(/^\/files\/([^/]+)\.metadata$/))) {
      const f = files.get(decodeURIComponent(m[1]!));
      const p = f && [...byName.values()].find((x) => x.files.includes(f));
      if (!f || !p || !wantsMetadata(p, f)) return send(404, 'text/plain', 'not found');
      return send(200, 'application/octet-stream', coreMetadata(f));
    }
    if ((m = url.pathname.match(/^\/files\/([^/]+)$/))) {
      const f = files.get(decodeURIComponent(m[1]!));
      if (!f) return send(404, 'text/plain', 'not found');
      return send(200, 'application/octet-stream', readFileSync(f.dist.path));
    }
    send(404, 'text/plain', 'not found');
  });
  const swap = (filename: string, dist: BuiltDist) => {
    const f = files.get(filename);
    if (!f) throw new Error(`no file ${filename} on this index`);
    // Same name and URL, other bytes: every listing of the project now points at them.
    f.dist = { ...dist, filename };
    metadataCache.delete(dist.path);
  };
  const handle: SimpleIndex = {
    url: '',
    base: '',
    server,
    add,
    requests,
    swap,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handle.base = base;
  handle.url = `${base}/simple`;
  return handle;
}

export const daysAgo = (n: number, now = Date.now()) => new Date(now - n * 86_400_000);
