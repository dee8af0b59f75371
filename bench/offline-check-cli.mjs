#!/usr/bin/env node
// Whole-command throughput of `safe-npm safe check --offline --json` on 10,000 names (process start,
// index build, parsing, checks and the JSON document included). Goal: >= 20,000 names/s.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(`${root}dist/cli/safe-npm.js`)) {
  console.log('offline-check-cli: skipped (run `npm run build` first)');
  process.exit(0);
}
const rows = (file) => readFileSync(`${root}${file}`, 'utf8').split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('name'));
const popular = rows('data/popular-npm.tsv').map((l) => l.split('\t')[0]);
const ordinary = rows('test/fixtures/eval/legit-npm-sample.tsv');
const names = [];
for (let i = 0; i < 10_000; i++) {
  if (i % 3 === 0) names.push(popular[i % popular.length]);
  else if (i % 3 === 1) names.push(ordinary[i % ordinary.length]);
  else {
    const n = popular[(i * 7) % popular.length];
    names.push(n.length > 4 ? n.slice(0, 2) + n[3] + n[2] + n.slice(4) : `${n}x`); // adjacent swap
  }
}
const runs = Number(process.env.RUNS ?? 7);
const times = [];
let flagged = 0;
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [`${root}bin/safe-npm.js`, 'safe', 'check', '--offline', '--json', ...names], { maxBuffer: 1 << 28, encoding: 'utf8' });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  if (r.status !== 65 && r.status !== 0) throw new Error(`safe check failed: ${r.stderr}`);
  flagged = JSON.parse(r.stdout).packages.filter((p) => p.verdict === 'block').length;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`offline check, 10,000 names: median ${median.toFixed(0)} ms (min ${times[0].toFixed(0)} ms) = ${Math.round(10_000 / (median / 1000))} names/s; ${flagged} flagged`);
