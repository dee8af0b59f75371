/**
 * data/SOURCES.md tells the truth about the bundled popular-names lists (public origin, date, hash,
 * count), and scripts/update-popular-names.mjs rebuilds them from the public sources — here
 * stood in for by a server on 127.0.0.1 — or keeps the bundled copies when those are unreachable.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePopularNames } from '../../../src/checks/popular-names.js';

const root = new URL('../../../', import.meta.url);
const dataFile = (name: string) => new URL(`data/${name}`, root);
const script = new URL('scripts/update-popular-names.mjs', root).pathname;
const run = promisify(execFile);

function sourceEntry(sources: string, file: string): Record<string, string> {
  const part = sources.split(`## data/${file}\n`)[1]!.split('\n## ')[0]!;
  return Object.fromEntries([...part.matchAll(/^- (\w+): (.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

describe('data/SOURCES.md', () => {
  const sources = readFileSync(dataFile('SOURCES.md'), 'utf8');
  it.each(['popular-npm.tsv', 'popular-pypi.tsv'])('%s: hash, count and the snapshot line match the file; the origin is public', (file) => {
    const bytes = readFileSync(dataFile(file));
    const entry = sourceEntry(sources, file);
    expect(entry.sha256).toBe(`\`${createHash('sha256').update(bytes).digest('hex')}\``);
    expect(Number(entry.names)).toBe(parsePopularNames(bytes.toString('utf8')).length);
    expect(`# ${entry.snapshot}`).toBe(bytes.toString('utf8').split('\n')[0]);
    expect(entry.origin).toMatch(/https:\/\//);
    expect(entry.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Where a machine once kept its copy is nobody's business (and no origin).
    expect(sources).not.toMatch(/\/work\/|\/home\/|\/root\//);
  });
});

describe('scripts/update-popular-names.mjs', () => {
  let server: Server;
  let base = '';
  const bulkAsked: string[] = [];
  beforeAll(async () => {
    const downloads: Record<string, number> = { 'left-pad': 10, lodash: 900, '@scope/pkg': 500, tiny: 1 };
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/top-pypi.json') {
        const rows = [{ project: 'boto3' }, { project: 'Zope.Interface' }, { project: 'zope_interface' }, { project: 'requests' }];
        return res.end(JSON.stringify({ last_update: '2026-11-01 07:00:00', rows }));
      }
      const m = url.pathname.match(/^\/downloads\/point\/last-month\/(.+)$/);
      if (!m) return res.writeHead(404).end('{}');
      const names = decodeURIComponent(m[1]!).split(',');
      bulkAsked.push(names.join(','));
      const one = (n: string) => (n in downloads ? { downloads: downloads[n], start: '2026-10-01', end: '2026-10-31', package: n } : null);
      res.end(JSON.stringify(names.length === 1 ? one(names[0]!) ?? { error: 'not found' } : Object.fromEntries(names.map((n) => [n, one(n)]))));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('rebuilds both lists from the (stand-in) public sources, ranked, and records origin, date and hash', async () => {
    const out = mkdtempSync(join(tmpdir(), 'popular-'));
    const candidates = join(out, 'candidates.txt');
    writeFileSync(candidates, 'left-pad\nlodash\n@scope/pkg\ntiny\nnever-published\n');
    const { stderr } = await run(process.execPath, [script, '--out', out, '--npm-candidates', candidates], {
      env: { ...process.env, SAFE_POPULAR_PYPI_URL: `${base}/top-pypi.json`, SAFE_POPULAR_NPM_DOWNLOADS_API: `${base}/downloads` },
    });
    expect(stderr).toContain('npm: 4 names written');
    expect(readFileSync(join(out, 'popular-npm.tsv'), 'utf8')).toBe(
      '# npm package names by monthly downloads, top 4, 2026-10-01..2026-10-31\nname\tdownloads_a_month\nlodash\t900\n@scope/pkg\t500\nleft-pad\t10\ntiny\t1\n',
    );
    // Scoped names are not allowed in bulk queries: asked one by one.
    expect(bulkAsked).toContain('@scope/pkg');
    expect(bulkAsked).toContain('left-pad,lodash,tiny,never-published');
    const pypi = readFileSync(join(out, 'popular-pypi.tsv'), 'utf8');
    expect(pypi).toBe('# PyPI project names by download rank among the 15000 most downloaded, 30 days to 2026-11-01\nname\trank\nboto3\t1\nzope-interface\t2\nrequests\t4\n');
    const sources = readFileSync(join(out, 'SOURCES.md'), 'utf8');
    const entry = sourceEntry(sources, 'popular-pypi.tsv');
    expect(entry.sha256).toBe(`\`${createHash('sha256').update(pypi).digest('hex')}\``);
    expect(entry.origin).toContain(`${base}/top-pypi.json`);
    expect(entry.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sourceEntry(sources, 'popular-npm.tsv').origin).toContain('5 candidate names (a candidates file)');
  });

  it('fails soft: an unreachable source keeps the bundled copy and its entry, says so, and exits 0', async () => {
    const out = mkdtempSync(join(tmpdir(), 'popular-'));
    const { stderr } = await run(process.execPath, [script, '--out', out, '--only', 'pypi'], {
      env: { ...process.env, SAFE_POPULAR_PYPI_URL: 'http://127.0.0.1:1/top.json' },
    });
    expect(stderr).toMatch(/pypi: the public source is not reachable \(.+\); keeping the bundled data\/popular-pypi\.tsv/);
    expect(readFileSync(join(out, 'popular-pypi.tsv'))).toEqual(readFileSync(dataFile('popular-pypi.tsv')));
    expect(sourceEntry(readFileSync(join(out, 'SOURCES.md'), 'utf8'), 'popular-pypi.tsv')).toEqual(sourceEntry(readFileSync(dataFile('SOURCES.md'), 'utf8'), 'popular-pypi.tsv'));
  });
});
