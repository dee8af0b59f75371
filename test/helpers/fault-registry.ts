/**
 * An npm registry on 127.0.0.1 that misbehaves on purpose, one fault per package name: the tests
 * see what safe-npm does when the registry answers 404, 500, 429, nothing at all, half a body,
 * garbage, a huge document, fields of the wrong types, a short or different tarball, or a redirect.
 *
 * Every other name is a healthy, established package (three versions published long ago, a
 * description and a repository) with a real tarball, so a run that is not hit by a fault goes
 * through. `requests` records each path asked for; `waitFor(pathPart)` resolves when one arrives
 * (tests wait on events, not on sleeps).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { listenOnLoopback, requestLog, type HttpFault } from './test-server.js';

export type RegistryFault =
  | 'ok'
  | HttpFault
  /** A valid packument padded to `hugeBytes` (default 50 MB) with versions. */
  | 'huge'
  /** `versions` an array, `time` a string, `dist-tags` a number, `description` an object... */
  | 'wrong-types'
  /** The packument is fine; the tarball stops after half its bytes (Content-Length promised more). */
  | 'truncated-tarball'
  /** The packument is fine; the tarball is another one than its `dist.integrity` says. */
  | 'integrity-mismatch'
  /** The packument lists the version; its tarball answers 404. */
  | 'tarball-404';

export interface FaultPackage {
  name: string;
  fault: RegistryFault;
  /** package.json fields of every version (scripts, dependencies, deprecated...). */
  packageJson?: Record<string, unknown>;
  /** Extra tarball entries, by path as written in the tar header (`package/...`, or anything hostile). */
  files?: Record<string, string>;
  /** The body of an error answer (http-404/500/429), e.g. text with escape sequences. */
  errorBody?: string;
}

export interface FaultRegistry {
  /** `http://127.0.0.1:PORT/` */
  url: string;
  server: Server;
  requests: string[];
  /** Resolves with the first request path containing `part` (already seen or still to come). */
  waitFor(part: string): Promise<string>;
  close(): Promise<void>;
}

const DAY = 86_400_000;
const VERSIONS = ['1.0.0', '1.1.0', '1.2.0'];

/** A tiny .tgz holding package/package.json (+ index.js), built with node's zlib and a hand-made ustar. */
export function packageTarball(pkg: Record<string, unknown>, extraFiles: Record<string, string> = {}): Buffer {
  const files: Record<string, string> = { 'package/package.json': `${JSON.stringify(pkg, null, 2)}\n`, 'package/index.js': 'module.exports = 1;\n', ...extraFiles };
  const blocks: Buffer[] = [];
  for (const [path, content] of Object.entries(files)) {
    const body = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(path, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write(`${(499162500).toString(8).padStart(11, '0')}\0`, 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

const integrityOf = (data: Buffer) => `sha512-${createHash('sha512').update(data).digest('base64')}`;

export async function startFaultRegistry(options: { packages: FaultPackage[]; hugeBytes?: number; redirectTo?: string; healthyByDefault?: boolean }): Promise<FaultRegistry> {
  const byName = new Map(options.packages.map((p) => [p.name, p]));
  const log = requestLog();
  let base = '';
  let hugeBody: Buffer | undefined;

  const tarballs = new Map<string, Buffer>();
  const tarballOf = (pkg: FaultPackage, version: string, variant = ''): Buffer => {
    const key = `${pkg.name}@${version}${variant}`;
    let data = tarballs.get(key);
    if (!data) {
      data = packageTarball({ name: pkg.name, version, description: `${pkg.name} fixture${variant}`, ...pkg.packageJson }, pkg.files);
      tarballs.set(key, data);
    }
    return data;
  };
  const tarballPath = (name: string, version: string) => `/${name}/-/${name.split('/').pop()}-${version}.tgz`;

  const packument = (pkg: FaultPackage): Record<string, unknown> => {
    const now = Date.now();
    const time: Record<string, string> = { created: new Date(now - 800 * DAY).toISOString(), modified: new Date(now - 400 * DAY).toISOString() };
    const versions: Record<string, unknown> = {};
    VERSIONS.forEach((version, i) => {
      time[version] = new Date(now - (800 - i * 200) * DAY).toISOString();
      versions[version] = {
        name: pkg.name,
        version,
        description: `${pkg.name} fixture`,
        repository: { type: 'git', url: `https://example.invalid/${pkg.name}.git` },
        ...pkg.packageJson,
        dist: { tarball: `${base}${tarballPath(pkg.name, version).slice(1)}`, integrity: integrityOf(tarballOf(pkg, version)) },
      };
    });
    return {
      name: pkg.name,
      description: `${pkg.name} fixture`,
      repository: { type: 'git', url: `https://example.invalid/${pkg.name}.git` },
      'dist-tags': { latest: VERSIONS.at(-1)! },
      time,
      versions,
    };
  };

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    log.record(path);
    const tarball = /^\/(.+)\/-\/[^/]+-(\d+\.\d+\.\d+)\.tgz$/.exec(path);
    // Names the registry was not given do not exist (404), as on a real registry.
    const pkg = byName.get(tarball ? tarball[1]! : path.slice(1)) ?? (options.healthyByDefault && path.length > 1 ? { name: path.slice(1).split('/-/')[0]!, fault: 'ok' as const } : undefined);
    if (!pkg) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}');
    const json = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };

    if (tarball) {
      const data = tarballOf(pkg, tarball[2]!);
      if (pkg.fault === 'truncated-tarball') {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) });
        res.write(data.subarray(0, data.length >> 1));
        // The rest never comes: the connection ends short of Content-Length.
        setImmediate(() => res.socket?.destroy());
        return;
      }
      if (pkg.fault === 'tarball-404') return json(404, JSON.stringify({ error: 'Not found' }));
      const served = pkg.fault === 'integrity-mismatch' ? tarballOf(pkg, tarball[2]!, ' (swapped)') : data;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(served.length) });
      return void res.end(served);
    }

    switch (pkg.fault) {
      case 'http-404':
        return json(404, pkg.errorBody ?? JSON.stringify({ error: 'Not found' }));
      case 'http-500':
        return json(500, pkg.errorBody ?? JSON.stringify({ error: 'internal server error' }));
      case 'http-429':
        return json(429, pkg.errorBody ?? JSON.stringify({ error: 'rate limited' }), { 'retry-after': '1' });
      case 'stall':
        return; // never answered; the socket is destroyed at close()
      case 'reset-mid-body': {
        const body = Buffer.from(JSON.stringify(packument(pkg)));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
        res.write(body.subarray(0, body.length >> 1));
        setImmediate(() => res.socket?.resetAndDestroy?.() ?? res.socket?.destroy());
        return;
      }
      case 'malformed-json':
        return json(200, '{"name": "' + pkg.name + '", "versions": {"1.0.0": {"name": ');
      case 'huge': {
        if (!hugeBody) {
          const doc = packument(pkg);
          const versions = doc.versions as Record<string, unknown>;
          const filler = 'x'.repeat(1000);
          const target = options.hugeBytes ?? 50 * 1024 * 1024;
          for (let i = 0, size = 0; size < target; i++, size += 1100) versions[`0.0.${i}`] = { name: pkg.name, version: `0.0.${i}`, description: filler };
          hugeBody = Buffer.from(JSON.stringify(doc));
        }
        return json(200, hugeBody);
      }
      case 'wrong-types':
        return json(200, JSON.stringify({
          name: pkg.name, description: { evil: true }, 'dist-tags': 7, time: 'yesterday', maintainers: 'nobody',
          versions: [{ name: pkg.name, version: '1.0.0', dist: 'here', scripts: ['postinstall'], dependencies: 'all of them' }],
        }));
      case 'redirect':
        res.writeHead(302, { location: `${options.redirectTo ?? 'http://127.0.0.2:9/'}${pkg.name}` });
        return void res.end();
      default:
        return json(200, JSON.stringify(packument(pkg)));
    }
  };

  const server = createServer(answer);
  const listening = await listenOnLoopback(server);
  base = `${listening.origin}/`;
  return { url: base, server, requests: log.requests, waitFor: log.waitFor, close: listening.close };
}
