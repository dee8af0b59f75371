#!/usr/bin/env node
// Rebuilds the popular-names lists (data/popular-npm.tsv, data/popular-pypi.tsv) from their public
// sources and records origin, date and hash of each in data/SOURCES.md.
//
//   node scripts/update-popular-names.mjs [--only npm|pypi] [--out DIR]
//
// - PyPI: the top-pypi-packages dataset (30-day downloads from PyPI's public BigQuery download
//   statistics, top 15,000 projects), names PEP 503 normalised, most downloaded first.
// - npm: npm's public downloads API (last-month counts). npm has no "most downloaded" endpoint, so
//   the candidates are the bundled names (or `--npm-candidates FILE`, one name a line); they are
//   re-counted and re-ranked, and the top 20,000 kept.
//
// Fails soft: a source that cannot be reached (this project's CI and sandboxes reach only the npm
// registry) keeps its bundled list and its SOURCES.md entry, says so on stderr, and exits 0.
// The source URLs can be pointed elsewhere (a mirror, or a test server) with
// SAFE_POPULAR_PYPI_URL and SAFE_POPULAR_NPM_DOWNLOADS_API.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const PYPI_URL = process.env.SAFE_POPULAR_PYPI_URL ?? 'https://hugovk.github.io/top-pypi-packages/top-pypi-packages-30-days.min.json';
const NPM_API = process.env.SAFE_POPULAR_NPM_DOWNLOADS_API ?? 'https://api.npmjs.org/downloads';
const TIMEOUT_MS = 20_000;
const TOP = { npm: 20_000, pypi: 15_000 };

const say = (text) => process.stderr.write(`update-popular-names: ${text}\n`);

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

const normalizePypi = (name) => name.toLowerCase().replace(/[-_.]+/g, '-');

/** PyPI: the dataset's rows (most downloaded first) → unique normalised names. */
async function fetchPypi() {
  const doc = await getJson(PYPI_URL);
  if (!Array.isArray(doc?.rows)) throw new Error(`${PYPI_URL}: no "rows" list`);
  // Ranks as in the dataset (the first TOP rows); a name that normalises to an earlier one is dropped.
  const seen = new Map();
  doc.rows.slice(0, TOP.pypi).forEach((row, i) => {
    const name = typeof row?.project === 'string' ? normalizePypi(row.project) : '';
    if (name !== '' && !seen.has(name)) seen.set(name, i + 1);
  });
  if (seen.size === 0) throw new Error(`${PYPI_URL}: no projects`);
  const through = String(doc.last_update ?? '').slice(0, 10) || 'unknown date';
  return {
    origin: `top-pypi-packages dataset (${PYPI_URL}): 30-day downloads from PyPI's public download statistics (BigQuery \`bigquery-public-data.pypi.file_downloads\`)`,
    snapshot: `PyPI project names by download rank among the ${TOP.pypi} most downloaded, 30 days to ${through}`,
    header: 'name\trank',
    rows: [...seen].map(([name, rank]) => `${name}\t${rank}`),
  };
}

/** npm: last-month downloads of every candidate (bulk queries of 128 unscoped names; scoped ones alone). */
async function fetchNpm(candidates) {
  const counts = new Map();
  let range;
  const unscoped = candidates.filter((n) => !n.startsWith('@'));
  const scoped = candidates.filter((n) => n.startsWith('@'));
  for (let i = 0; i < unscoped.length; i += 128) {
    const batch = unscoped.slice(i, i + 128);
    const doc = await getJson(`${NPM_API}/point/last-month/${batch.map(encodeURIComponent).join(',')}`);
    for (const name of batch) {
      const entry = batch.length === 1 ? doc : doc?.[name];
      if (typeof entry?.downloads === 'number') counts.set(name, entry.downloads);
      range ??= entry?.start && entry?.end ? `${entry.start}..${entry.end}` : undefined;
    }
  }
  for (let i = 0; i < scoped.length; i += 8) {
    await Promise.all(scoped.slice(i, i + 8).map(async (name) => {
      const doc = await getJson(`${NPM_API}/point/last-month/${name.replace('/', '%2F')}`).catch(() => undefined);
      if (typeof doc?.downloads === 'number') counts.set(name, doc.downloads);
    }));
  }
  if (counts.size === 0) throw new Error(`${NPM_API}: no download counts`);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP.npm);
  return {
    origin: `npm's public downloads API (${NPM_API}/point/last-month/<names>): last-month download counts of ${candidates.length} candidate names (${candidates.from}), ranked`,
    snapshot: `npm package names by monthly downloads, top ${ranked.length}, ${range ?? 'last month'}`,
    header: 'name\tdownloads_a_month',
    rows: ranked.map(([name, n]) => `${name}\t${n}`),
  };
}

/** Names of a bundled TSV (first column, after the `#` line and the header). */
function namesOf(text) {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).slice(1).map((l) => l.split('\t')[0]);
}

/** SOURCES.md sections by file name (`## data/x.tsv` up to the next heading). */
function sectionsOf(text) {
  const out = new Map();
  for (const part of text.split(/^(?=## data\/)/m).slice(1)) out.set(part.match(/^## data\/(\S+)/)[1], part.trimEnd());
  return out;
}

function section(file, built, bytes, date) {
  return [
    `## data/${file}`,
    '',
    `- origin: ${built.origin}`,
    `- snapshot: ${built.snapshot}`,
    `- names: ${built.rows.length}`,
    `- sha256: \`${createHash('sha256').update(bytes).digest('hex')}\``,
    `- retrieved: ${date}`,
  ].join('\n');
}

const intro = [
  '# Sources of the bundled data',
  '',
  'Written by `node scripts/update-popular-names.mjs`, which rebuilds each list from its public source',
  'where that is reachable and keeps the bundled copy (and its entry here) where it is not. Do not edit by',
  'hand: `sha256sum data/popular-*.tsv` must match the hashes below (a unit test checks it). Names are ordered',
  'by popularity (most popular first); the typosquat check (src/checks/popular-names.ts) reads them at run time.',
  '',
].join('\n');

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' }, 'npm-candidates': { type: 'string' } } });
  const bundled = fileURLToPath(new URL('../data/', import.meta.url));
  const out = values.out ? resolve(values.out) : bundled;
  mkdirSync(out, { recursive: true });
  const sourcesPath = join(out, 'SOURCES.md');
  const sections = sectionsOf(existsSync(sourcesPath) ? readFileSync(sourcesPath, 'utf8') : readFileSync(join(bundled, 'SOURCES.md'), 'utf8'));
  const date = new Date().toISOString().slice(0, 10);
  const jobs = {
    pypi: () => fetchPypi(),
    npm: () => {
      const file = values['npm-candidates'];
      const names = file ? readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')) : namesOf(readFileSync(join(bundled, 'popular-npm.tsv'), 'utf8'));
      return fetchNpm(Object.assign([...new Set(names)], { from: file ? 'a candidates file' : 'the previously bundled list' }));
    },
  };
  for (const ecosystem of ['npm', 'pypi']) {
    if (values.only && values.only !== ecosystem) continue;
    const file = `popular-${ecosystem}.tsv`;
    let built;
    try {
      built = await jobs[ecosystem]();
    } catch (error) {
      say(`${ecosystem}: the public source is not reachable (${error.cause?.code ?? error.message}); keeping the bundled data/${file}`);
      if (out !== bundled) copyFileSync(join(bundled, file), join(out, file));
      continue;
    }
    const bytes = Buffer.from(`# ${built.snapshot}\n${built.header}\n${built.rows.join('\n')}\n`);
    writeFileSync(join(out, file), bytes);
    sections.set(file, section(file, built, bytes, date));
    say(`${ecosystem}: ${built.rows.length} names written to ${join(out, file)}`);
  }
  const ordered = ['popular-npm.tsv', 'popular-pypi.tsv'].filter((f) => sections.has(f)).map((f) => sections.get(f));
  writeFileSync(sourcesPath, `${intro}\n${ordered.join('\n\n')}\n`);
}

main().catch((error) => {
  say(error.message);
  process.exitCode = 1;
});
