#!/usr/bin/env node
// Copies the popular-names snapshots into data/ and records where they came from in data/SOURCES.md.
//
//   node scripts/update-popular-names.mjs [popular-npm.tsv] [popular-pypi.tsv]
//
// Defaults: /work/shared/data/popular-npm.tsv and /work/shared/data/popular-pypi.tsv.
// Each source must be a TSV whose first line is a `# ...` comment (the snapshot line), then a
// header row whose first column is `name`, then one name per line, most popular first.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dataDir = fileURLToPath(new URL('../data/', import.meta.url));
const defaults = ['/work/shared/data/popular-npm.tsv', '/work/shared/data/popular-pypi.tsv'];
const targets = ['popular-npm.tsv', 'popular-pypi.tsv'];

function fail(message) {
  process.stderr.write(`update-popular-names: ${message}\n`);
  process.exitCode = 1;
}

function load(path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${error.code ?? error.message}`);
  }
  const text = bytes.toString('utf8');
  const lines = text.split(/\r?\n/);
  const snapshot = lines[0] ?? '';
  if (!snapshot.startsWith('#')) throw new Error(`${path}: first line is not a "# ..." snapshot comment`);
  if (!/^name(\t|$)/.test(lines[1] ?? '')) throw new Error(`${path}: second line is not a header starting with "name"`);
  const names = lines.slice(2).filter((line) => line.trim() !== '' && !line.startsWith('#')).length;
  if (names === 0) throw new Error(`${path}: no names`);
  return {
    bytes,
    snapshot: snapshot.replace(/^#\s*/, ''),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    names,
  };
}

function main(argv) {
  if (argv.length > 2) return fail('usage: update-popular-names.mjs [popular-npm.tsv] [popular-pypi.tsv]');
  const sources = defaults.map((fallback, i) => resolve(argv[i] ?? fallback));
  let loaded;
  try {
    loaded = sources.map(load);
  } catch (error) {
    return fail(error.message);
  }
  mkdirSync(dataDir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const rows = loaded.map((src, i) => {
    writeFileSync(new URL(targets[i], new URL('../data/', import.meta.url)), src.bytes);
    return [
      `## data/${targets[i]}`,
      '',
      `- source: \`${sources[i]}\``,
      `- snapshot: ${src.snapshot}`,
      `- names: ${src.names}`,
      `- sha256: \`${src.sha256}\``,
      `- copied: ${date}`,
      '',
    ].join('\n');
  });
  const doc = [
    '# Sources of the bundled data',
    '',
    'Written by `node scripts/update-popular-names.mjs`; do not edit by hand. The files are copied byte for byte,',
    'so `sha256sum data/popular-*.tsv` must match the hashes below. Names are ordered by popularity (most popular first);',
    'the typosquat check (src/checks/popular-names.ts) reads them at run time.',
    '',
    ...rows,
  ].join('\n');
  writeFileSync(new URL('SOURCES.md', new URL('../data/', import.meta.url)), doc);
  loaded.forEach((src, i) => process.stdout.write(`data/${targets[i]}: ${src.names} names from ${sources[i]}\n`));
}

main(process.argv.slice(2));
