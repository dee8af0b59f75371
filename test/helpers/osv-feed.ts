/** A small OSV export (zip of MAL-/GHSA- records) for the known-malicious feed tests, and a loopback server for it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { strToU8, zipSync } from 'fflate';

export interface OsvFixture {
  id: string;
  ecosystem: 'npm' | 'PyPI';
  name: string;
  /** Listed versions; omit for "every version" (a range introduced at 0, never fixed). */
  versions?: string[];
  summary?: string;
}

export function osvZip(records: readonly OsvFixture[]): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const r of records) {
    const affected = {
      package: { ecosystem: r.ecosystem, name: r.name },
      ...(r.versions ? { versions: r.versions } : { ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] }),
    };
    files[`${r.id}.json`] = strToU8(JSON.stringify({ schema_version: '1.5.0', id: r.id, summary: r.summary ?? `Malicious code in ${r.name} (${r.ecosystem})`, affected: [affected] }));
  }
  // An advisory that is not a MAL- record: never part of the feed.
  files['GHSA-xxxx-yyyy-zzzz.json'] = strToU8(JSON.stringify({ id: 'GHSA-xxxx-yyyy-zzzz', summary: 'a vulnerability', affected: [{ package: { ecosystem: 'npm', name: 'lodash' }, versions: ['4.17.20'] }] }));
  return zipSync(files);
}

export interface FeedServer {
  url: string;
  /** What the next requests get: the whole zip, a cut-short body (Content-Length promises more), or bytes that are not a zip. */
  serve(mode: 'whole' | 'partial' | 'corrupt', body: Uint8Array): void;
  requests: string[];
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  let mode: 'whole' | 'partial' | 'corrupt' = 'whole';
  let body: Uint8Array = new Uint8Array();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (mode === 'corrupt') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(body.length) });
      res.end(Buffer.from(body.map((b) => b ^ 0x5a)));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(body.length) });
    if (mode === 'whole') res.end(Buffer.from(body));
    else res.write(Buffer.from(body.subarray(0, Math.floor(body.length / 2))), () => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve(m, b) {
      mode = m;
      body = b;
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
