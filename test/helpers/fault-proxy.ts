/**
 * A misbehaving front for a healthy server on 127.0.0.1 (the local Python index): requests whose
 * path matches a rule get that rule's fault, everything else is passed through unchanged. The pip
 * side of the registry-fault tests: 500, 429, a stall, a reset mid-body, broken links, garbage JSON,
 * a truncated or swapped file, a redirect — per project, on one port.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback, requestLog, type HttpFault } from './test-server.js';

export type ProxyFault =
  | HttpFault
  /** HTML links (and PEP 691 urls) rewritten to files that do not exist. */
  | 'broken-links'
  /** The upstream answer cut to half its bytes, then the connection closed. */
  | 'truncated'
  /** The upstream bytes with one byte changed (the hash in the index no longer matches). */
  | 'corrupted'
  /** Served as PEP 503 HTML whatever was asked (no upload times: the JSON API is what says them). */
  | 'html-only';

export interface ProxyRule {
  /** Applies when the request path contains this. */
  pathIncludes: string;
  fault: ProxyFault;
}

export interface FaultProxy {
  url: string;
  requests: string[];
  /** Resolves with the first request path containing `part` (already seen or still to come). */
  waitFor(part: string): Promise<string>;
  close(): Promise<void>;
}

function fetchUpstream(upstream: string, req: IncomingMessage, accept = req.headers.accept ?? '*/*'): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = request(new URL(req.url ?? '/', upstream), { method: req.method, headers: { accept } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string' && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') headers[k] = v;
        resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
      });
    });
    out.on('error', reject);
    out.end();
  });
}

export async function startFaultProxy(upstream: string, rules: ProxyRule[], options: { redirectTo?: string } = {}): Promise<FaultProxy> {
  const log = requestLog();
  let base = '';
  const upstreamOrigin = new URL(upstream).origin;

  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    log.record(path);
    const fault = rules.find((r) => path.includes(r.pathIncludes))?.fault;
    const plain = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };
    switch (fault) {
      case 'http-404': return plain(404, 'not found');
      case 'http-500': return plain(500, 'internal server error');
      case 'http-429': return plain(429, 'slow down', { 'retry-after': '1' });
      case 'stall': return; // never answered
      case 'redirect':
        res.writeHead(302, { location: `${options.redirectTo ?? 'http://127.0.0.2:9'}${req.url ?? '/'}` });
        return void res.end();
      case 'malformed-json': return plain(200, '{"info": {"name": ', { 'content-type': 'application/json' });
      default: break;
    }
    let up;
    try {
      up = await fetchUpstream(upstream, req, fault === 'html-only' ? 'text/html' : undefined);
    } catch {
      return plain(502, 'upstream failed');
    }
    let body = up.body;
    // Absolute links of the upstream index point back through this proxy (so file faults apply too).
    if (/html|json|text/.test(up.headers['content-type'] ?? '')) body = Buffer.from(body.toString('utf8').split(upstreamOrigin).join(base));
    if (fault === 'broken-links') {
      body = Buffer.from(body.toString('utf8').replace(/\/files\/([^"#\s<]+)/g, '/missing/files/$1'));
    }
    if (fault === 'corrupted' && body.length > 0) {
      body = Buffer.from(body);
      body[body.length >> 1] = body[body.length >> 1]! ^ 0xff;
    }
    res.writeHead(up.status, { ...up.headers, 'content-length': String(body.length) });
    if (fault === 'truncated' || fault === 'reset-mid-body') {
      res.write(body.subarray(0, body.length >> 1));
      setImmediate(() => res.socket?.destroy());
      return;
    }
    res.end(body);
  };

  const server: Server = createServer((req, res) => void answer(req, res));
  const listening = await listenOnLoopback(server);
  base = listening.origin;
  return { url: base, requests: log.requests, waitFor: log.waitFor, close: listening.close };
}
