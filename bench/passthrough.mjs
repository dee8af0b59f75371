#!/usr/bin/env node
/**
 * Passthrough overhead: `npm --version` bare, through `node bin/safe-npm.js`, and through
 * `shims/npm`, plus a bare `node -e 0`, interleaved in one run (N rounds, each round runs every
 * variant once in turn, after a warm-up). Prints the median wall time and the overhead over bare npm.
 * Goals: shim ≤ 5 ms over bare npm; safe-npm ≤ one bare node start over bare npm.
 *
 * Usage: node bench/passthrough.mjs [--runs 30] [--json]   (needs `npm run build` first)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runsIdx = process.argv.indexOf('--runs');
const RUNS = runsIdx > -1 ? Number(process.argv[runsIdx + 1]) : 30;
const WARMUP = 3;

if (!existsSync(join(root, 'dist', 'cli', 'safe-npm.js')) || !existsSync(join(root, 'dist', 'shim-tables.sh'))) {
  console.error('bench: run `npm run build` first');
  process.exit(1);
}

const { findRealBinary } = await import(join(root, 'dist', 'run', 'find-real-binary.js'));
const shimDir = join(root, 'shims');
const realNpm = findRealBinary('npm', { path: process.env.PATH, skipDirs: [shimDir] });
const env = {
  ...process.env,
  PATH: [shimDir, ...(process.env.PATH ?? '').split(delimiter).filter((p) => p !== shimDir)].join(delimiter),
  npm_config_update_notifier: 'false',
};
delete env.SAFE_NPM_SHIM_DIR;
delete env.SAFE_NPM_BYPASS;

const variants = [
  { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
  { name: 'npm --version', cmd: realNpm, args: ['--version'] },
  { name: 'node bin/safe-npm.js --version', cmd: process.execPath, args: [join(root, 'bin', 'safe-npm.js'), '--version'] },
  { name: 'shims/npm --version', cmd: join(shimDir, 'npm'), args: ['--version'] },
];

function once(v) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(v.cmd, v.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${v.name} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const times = new Map(variants.map((v) => [v.name, []]));
for (let i = 0; i < WARMUP; i++) for (const v of variants) once(v);
for (let i = 0; i < RUNS; i++) {
  // rotate the order each round so no variant always runs right after another
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(i + k) % variants.length];
    times.get(v.name).push(once(v));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = Object.fromEntries(
  [...times].map(([name, xs]) => [name, { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) }]),
);
const node = stats['node -e 0'].median;
const npm = stats['npm --version'].median;
const safe = stats['node bin/safe-npm.js --version'].median;
const shim = stats['shims/npm --version'].median;

const f = (x) => x.toFixed(1).padStart(7);
console.log(`passthrough bench: ${RUNS} interleaved runs each (+${WARMUP} warm-up), npm ${realNpm}, node ${process.version}`);
console.log(`${'variant'.padEnd(34)} ${'median'.padStart(7)} ${'min'.padStart(7)} ${'max'.padStart(7)}   over bare npm`);
for (const [name, s] of Object.entries(stats)) {
  const over = name === 'node -e 0' || name === 'npm --version' ? '' : `${f(s.median - npm)} ms`;
  console.log(`${name.padEnd(34)} ${f(s.median)} ${f(s.min)} ${f(s.max)}   ${over}`);
}
const shimOk = shim - npm <= 5;
const safeOk = safe - npm <= node;
console.log(`goal shim ≤ 5 ms over npm:                 ${(shim - npm).toFixed(1)} ms ${shimOk ? 'OK' : 'MISSED'}`);
console.log(`goal safe-npm ≤ one node start (${node.toFixed(1)} ms): ${(safe - npm).toFixed(1)} ms ${safeOk ? 'OK' : 'MISSED'}`);

if (process.argv.includes('--json')) {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `passthrough-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ runs: RUNS, node: process.version, realNpm, stats, shimOk, safeOk }, null, 2));
  console.log(`wrote ${file}`);
}
