#!/usr/bin/env node
// How many names a second the typosquat look-alike index handles, build included.
//
//   npx tsc -p tsconfig.json && node bench/offline-check-throughput.mjs [--runs N] [--names N]
//
// Each run is a fresh `node` process (so JIT warm-up and the data file read count, as they do for
// `safe-npm safe check --offline`): it imports dist/checks/popular-names.js, reads and parses
// data/popular-npm.tsv, builds the index on the first lookAlike, and looks up 10,000 names:
// 40% real popular names, 30% ordinary names (test/fixtures/eval/legit-npm-sample.tsv) and 30% typos
// of popular names (one swap, drop, double or change, from a fixed seed). Goal: build + 10k lookups
// well under 300 ms (the whole offline check must reach >= 20,000 names/s).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const moduleUrl = new URL('dist/checks/popular-names.js', root);
const BUDGET_MS = 300;

function arg(flag, fallback) {
  const i = process.argv.indexOf(flag);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

/** Names to look up: deterministic (a small LCG), so every run and every machine sees the same mix. */
function makeNames(count) {
  const rows = (path) =>
    readFileSync(new URL(path, root), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .slice(1)
      .map((l) => l.split('\t')[0]);
  const popular = rows('data/popular-npm.tsv');
  const legit = rows('test/fixtures/eval/legit-npm-sample.tsv');
  let seed = 20261125;
  const rand = (n) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const typo = (name) => {
    const i = 1 + rand(Math.max(1, name.length - 2));
    switch (rand(4)) {
      case 0: return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
      case 1: return name.slice(0, i) + name.slice(i + 1);
      case 2: return name.slice(0, i) + name[i] + name.slice(i);
      default: return name.slice(0, i) + 'qxzk'[rand(4)] + name.slice(i + 1);
    }
  };
  const out = [];
  for (let k = 0; k < count; k++) {
    const r = k % 10;
    if (r < 4) out.push(popular[rand(popular.length)]);
    else if (r < 7) out.push(legit[rand(legit.length)]);
    else out.push(typo(popular[rand(popular.length)]));
  }
  return out;
}

/** One measurement, in this process (run as a child with --child). */
async function child(count) {
  const names = makeNames(count);
  const t0 = performance.now();
  const { popularNames } = await import(moduleUrl.href);
  const t1 = performance.now();
  const index = popularNames('npm');
  index.lookAlike('warm-up-builds-the-index'); // reads the file, builds the tables
  const t2 = performance.now();
  let flagged = 0;
  for (const name of names) if (index.lookAlike(name)) flagged++;
  const t3 = performance.now();
  process.stdout.write(JSON.stringify({ importMs: t1 - t0, buildMs: t2 - t1, lookupMs: t3 - t2, flagged }) + '\n');
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const count = arg('--names', 10_000);
  if (process.argv.includes('--child')) return child(count);
  if (!existsSync(moduleUrl)) {
    process.stderr.write('offline-check-throughput: dist/ is missing; run `npx tsc -p tsconfig.json` first\n');
    process.exitCode = 1;
    return;
  }
  const runs = arg('--runs', 7);
  const results = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', '--names', String(count)], { encoding: 'utf8' });
    results.push(JSON.parse(out));
  }
  const build = median(results.map((r) => r.buildMs));
  const lookup = median(results.map((r) => r.lookupMs));
  const total = median(results.map((r) => r.buildMs + r.lookupMs));
  const f = (ms) => `${ms.toFixed(1)} ms`;
  console.log(`typosquat index, npm list, ${count} names (40% popular, 30% ordinary, 30% typos), median of ${runs} fresh processes:`);
  console.log(`  import module        ${f(median(results.map((r) => r.importMs)))}`);
  console.log(`  read + parse + build ${f(build)}`);
  console.log(`  ${count} lookups        ${f(lookup)}  (${Math.round(count / (lookup / 1000)).toLocaleString('en')} names/s, ${((1000 * lookup) / count).toFixed(1)} µs each)`);
  console.log(`  build + lookups      ${f(total)}  (${Math.round(count / (total / 1000)).toLocaleString('en')} names/s; budget ${BUDGET_MS} ms)`);
  console.log(`  flagged              ${results[0].flagged} of ${count}`);
  console.log(`  runs (build+lookups) ${results.map((r) => (r.buildMs + r.lookupMs).toFixed(0)).join(', ')} ms`);
  if (total > BUDGET_MS) {
    console.log(`  OVER BUDGET: ${f(total)} > ${BUDGET_MS} ms`);
    process.exitCode = 1;
  }
}

await main();
