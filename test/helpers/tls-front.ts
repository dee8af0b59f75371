/**
 * An HTTPS front for a registry on 127.0.0.1, with a certificate of its own (made by openssl for
 * 127.0.0.1, trusted by nothing until a test says so): the registry's answers pass through unchanged,
 * its tarball addresses pointing at the front (Host and X-Forwarded-Proto are the front's).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import { listenOnLoopback } from './test-server.js';
import { makeTempDir } from './projects.js';

export interface TlsFront {
  /** https://127.0.0.1:PORT/ */
  url: string;
  /** The certificate's PEM file, readable by everyone (for NODE_EXTRA_CA_CERTS or npm's cafile). */
  certFile: string;
  close(): Promise<void>;
}

export async function startTlsFront(upstream: string): Promise<TlsFront> {
  const dir = await makeTempDir('safe-npm-tls-');
  const key = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const server: Server = createServer({ key: readFileSync(key), cert: readFileSync(certFile) }, (req, res) => {
    const out = request(new URL(req.url ?? '/', upstream), {
      method: req.method,
      headers: { ...req.headers, 'x-forwarded-proto': 'https' },
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  const { origin, close } = await listenOnLoopback(server as unknown as HttpServer);
  return { url: `${origin.replace(/^http:/, 'https:')}/`, certFile, close };
}
