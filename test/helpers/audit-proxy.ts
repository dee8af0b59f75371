/**
 * npm's audit endpoint in front of a registry (Verdaccio here has none; the npm registry mirror of
 * this machine neither): `POST /-/npm/v1/security/advisories/bulk` answers with the advisories given,
 * everything else goes to the registry as it came (the Host header too, so that the tarball URLs the
 * registry writes lead back through here).
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Advisory {
  id: number;
  title: string;
  severity: 'low' | 'moderate' | 'high' | 'critical';
  vulnerable_versions: string;
  url: string;
  cwe?: string[];
  cvss?: { score: number; vectorString: string | null };
}

export interface AuditProxy {
  url: string;
  /** How often npm asked for advisories. */
  bulkRequests(): number;
  stop(): Promise<void>;
}

/** `advisories: null`: the endpoint refuses (405, as a registry without one answers). */
export async function startAuditProxy(upstream: string, advisories: Record<string, Advisory[]> | null, refusal = '{"error":"Method Not Allowed"}'): Promise<AuditProxy> {
  const target = new URL(upstream);
  let asked = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url?.startsWith('/-/npm/v1/security/advisories/bulk')) {
      asked++;
      req.resume();
      req.on('end', () => {
        res.writeHead(advisories ? 200 : 405, { 'content-type': 'application/json' });
        res.end(advisories ? JSON.stringify(advisories) : refusal);
      });
      return;
    }
    const forward = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    bulkRequests: () => asked,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
