#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark in bench/, one after another (they time wall clock: never in
 * parallel). A bench whose prerequisites are missing is skipped with a one-line reason. Build first:
 * `npx tsc -p tsconfig.json` (passthrough also needs `npm run build` for dist/shim-tables.sh).
 *
 *   node bench/run-all.js [--only name,name]
 *
 * Not run here: bench/real-world-scripts.mjs (opt-in, needs the public registry and a compiler).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (p) => join(root, p);
const isRoot = process.geteuid?.() === 0;
const built = existsSync(at('dist/cli/safe-npm.js'));

/** Each bench: its file and the first missing prerequisite (undefined = ready). */
const benches = [
  {
    name: 'passthrough',
    file: 'bench/passthrough.mjs',
    missing: () => (!built || !existsSync(at('dist/shim-tables.sh')) ? 'needs `npm run build` (dist/ and dist/shim-tables.sh)' : undefined),
  },
  {
    name: 'offline-check-throughput',
    file: 'bench/offline-check-throughput.mjs',
    missing: () =>
      !built ? 'needs `npx tsc -p tsconfig.json`'
        : !existsSync(at('data/popular-npm.tsv')) ? 'data/popular-npm.tsv is missing'
          : !existsSync(at('test/fixtures/eval/legit-npm-sample.tsv')) ? 'test/fixtures/eval/legit-npm-sample.tsv is missing'
            : undefined,
  },
  {
    name: 'npm-install-ratio',
    file: 'bench/npm-install-ratio.mjs',
    missing: () =>
      !built ? 'needs `npx tsc -p tsconfig.json`'
        : !existsSync(at('node_modules/verdaccio/bin/verdaccio')) ? 'Verdaccio is not installed (devDependency)'
          : undefined,
    note: () => (isRoot ? undefined : 'not root: only the `self` mode runs'),
  },
  {
    name: 'pip-install-ratio',
    file: 'bench/pip-install-ratio.mjs',
    missing: () =>
      !built ? 'needs `npx tsc -p tsconfig.json`'
        : !isRoot ? 'needs root (venvs are owned by nobody)'
          : !existsSync('/usr/bin/python3') ? '/usr/bin/python3 is missing'
            : !existsSync('/opt/pypi') ? 'no local wheel index at /opt/pypi (pass --index-dir to the bench itself)'
              : undefined,
  },
];

const onlyIdx = process.argv.indexOf('--only');
const only = onlyIdx > -1 ? new Set(String(process.argv[onlyIdx + 1] ?? '').split(',')) : undefined;

const summary = [];
for (const bench of benches) {
  if (only && !only.has(bench.name)) continue;
  if (!existsSync(at(bench.file))) {
    summary.push(`${bench.name}: skipped (${bench.file} does not exist)`);
    console.log(`\n== ${bench.name}: skipped: ${bench.file} does not exist`);
    continue;
  }
  const reason = bench.missing();
  if (reason) {
    summary.push(`${bench.name}: skipped (${reason})`);
    console.log(`\n== ${bench.name}: skipped: ${reason}`);
    continue;
  }
  const note = bench.note?.();
  console.log(`\n== ${bench.name}${note ? ` (${note})` : ''}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [at(bench.file)], { cwd: root, stdio: 'inherit' });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const status = r.status === 0 ? 'ok' : r.status === 2 ? 'skipped (see above)' : `FAILED or missed its goal (exit ${r.status ?? r.signal})`;
  summary.push(`${bench.name}: ${status}, ${secs} s`);
}

console.log('\n== summary');
for (const line of summary) console.log(`  ${line}`);
if (summary.some((l) => l.includes('FAILED'))) process.exitCode = 1;
