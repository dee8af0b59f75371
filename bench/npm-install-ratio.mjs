#!/usr/bin/env node
/**
 * Install speed: `safe-npm install <pkg>` against plain `npm install --ignore-scripts <pkg>`, on a real
 * tree (express, ≈65 packages) served by a local Verdaccio on 127.0.0.1, warm caches for both.
 *
 *   npx tsc -p tsconfig.json && node bench/npm-install-ratio.mjs [--runs 7] [--modes owner,staging,self]
 *        [--fixtures] [--probe-runs 5] [--keep]
 *
 * How the tree is served: Verdaccio (node_modules/.bin/verdaccio) starts WITH an uplink to the registry
 * `npm config get registry` names; one plain npm install and one safe-npm install of the package fill
 * its storage (packuments + tarballs, including the versions the release cooldown picks). Verdaccio is
 * then restarted on the same storage WITHOUT uplinks: every timed run talks to 127.0.0.1 only. When the
 * uplink does not work (or with --fixtures), a generated tree of 60 small packages with realistic fan-out
 * is written into Verdaccio's storage instead and `bench-root` is installed.
 *
 * Modes (root only for the first two; `self` also works as a non-root user):
 *   owner   — safe-npm runs as root in a project owned by `nobody`: npm runs as the owner.
 *             plain: `npm install --ignore-scripts <pkg>` run as nobody in the same kind of project.
 *   staging — project owned by root: safe-npm runs npm as `nobody` in a staging copy.
 *             plain: root's own `npm install --ignore-scripts <pkg>` (root's warm cache).
 *   self    — both commands run as nobody (not root: no user switch at all).
 * Each timed run gets a fresh project folder copied from one template (package.json only). Variants
 * alternate, order rotating each round, after warm-up rounds. npm's audit/fund are off for both (the
 * audit endpoint is not on loopback). For owner/self the plain npm and safe-npm's build user share one
 * npm cache (<SAFE_NPM_CACHE_ROOT>/nobody/npm).
 *
 * Also: the cold check (`safe-npm safe check <every name of the tree> --json`, empty npm cache, each
 * run a new one), plain `npm install --package-lock-only` (npm's own resolve time, for contrast), and a
 * phase profile of the safe-npm flow (its own SAFE_NPM_TIMING=1 phase marks, from stderr)
 * timestamps around each deps call). Writes bench/results/npm-install-ratio.json.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort, lookupNobody, startVerdaccio, which } from './lib/registry.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => pathToFileURL(join(repo, 'dist', p)).href;


// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------

function round(x) {
  return Math.round(x * 10) / 10;
}

function arg(flag, fallback) {
  const i = process.argv.indexOf(flag);
  return i === -1 ? fallback : process.argv[i + 1];
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs) => ({ median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)), runs: xs.map(round) });

async function main() {
  const RUNS = Number(arg('--runs', '7'));
  const PROBE_RUNS = Number(arg('--probe-runs', '5'));
  const isRoot = process.geteuid?.() === 0;
  let modes = String(arg('--modes', isRoot ? 'owner,staging,self' : 'self')).split(',');
  const keep = process.argv.includes('--keep');

  const safeNpm = join(repo, 'bin', 'safe-npm.js');
  const verdaccioCli = join(repo, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  if (!existsSync(join(repo, 'dist', 'cli', 'safe-npm.js'))) skip('run `npx tsc -p tsconfig.json` first');
  if (!existsSync(verdaccioCli)) skip('Verdaccio is not installed (npm install)');
  const nobody = lookupNobody();
  if (isRoot && !nobody) skip('user nobody does not exist');
  if (!isRoot) modes = modes.filter((m) => m === 'self');

  const nodeBin = process.execPath;
  const npmBin = which('npm');
  const npmVersion = spawnSync(npmBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const cleanPath = [...new Set([join(nodeBin, '..'), join(npmBin, '..'), '/usr/local/bin', '/usr/bin', '/bin'])].join(':');

  // Everything under one temp folder other users can traverse.
  const base = mkdtempSync(join(tmpdir(), 'safe-npm-bench-'));
  chmodSync(base, 0o755);
  const cleanup = [];
  const done = () => {
    for (const f of cleanup.reverse()) try { f(); } catch { /* best effort */ }
    if (!keep) rmSync(base, { recursive: true, force: true });
  };
  process.on('exit', done);
  process.on('SIGINT', () => process.exit(130));

  const asNobody = isRoot ? { uid: nobody.uid, gid: nobody.gid } : {};
  const owned = (dir, who) => {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    if (isRoot && who) chownSync(dir, who.uid, who.gid);
    return dir;
  };
  const nobodyHome = owned(join(base, 'home-nobody'), nobody);
  const cacheRoot = owned(join(base, 'cache-root'));
  // What ensureUserCache() makes: <cacheRoot>/<user>/npm, 0700, owned by the user.
  const sharedCache = join(cacheRoot, isRoot ? nobody.name : 'self', 'npm');
  mkdirSync(sharedCache, { recursive: true, mode: 0o700 });
  chmodSync(join(sharedCache, '..'), 0o700);
  if (isRoot) { chownSync(join(sharedCache, '..'), nobody.uid, nobody.gid); chownSync(sharedCache, nobody.uid, nobody.gid); }
  const rootCache = owned(join(base, 'cache-rootuser'));
  const rootXdg = owned(join(base, 'xdg-root'));

  // ---- the registry ---------------------------------------------------------------------------
  const storage = owned(join(base, 'verdaccio', 'storage'));
  const port = await freePort();
  const upstream = spawnSync(npmBin, ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim() || 'https://registry.npmjs.org/';
  let served;
  let target = 'express';
  let verdaccio;
  const registryEnv = () => ({ npm_config_registry: `http://127.0.0.1:${port}/`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
  const rootEnv = (extra = {}) => ({ PATH: cleanPath, HOME: process.env.HOME ?? '/root', XDG_CONFIG_HOME: rootXdg, SAFE_NPM_CACHE_ROOT: cacheRoot, ...registryEnv(), ...extra });
  const nobodyEnv = (extra = {}) => ({ PATH: cleanPath, HOME: nobodyHome, XDG_CONFIG_HOME: join(nobodyHome, '.config'), XDG_CACHE_HOME: join(nobodyHome, '.cache'), npm_config_cache: sharedCache, ...registryEnv(), ...extra });
  const selfEnv = isRoot ? nobodyEnv : (extra = {}) => ({ ...nobodyEnv(extra) });

  const startRegistry = async (uplink) => {
    verdaccio = await startVerdaccio({ cli: verdaccioCli, root: join(base, 'verdaccio'), storage, port, uplink });
    cleanup.push(() => verdaccio.kill('SIGKILL'));
  };
  const stopRegistry = async () => {
    await new Promise((r) => { verdaccio.once('exit', r); verdaccio.kill('SIGTERM'); setTimeout(() => verdaccio.kill('SIGKILL'), 3000); });
  };

  const template = owned(join(base, 'template'));
  writeFileSync(join(template, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', private: true, license: 'MIT' }, null, 2) + '\n');

  let runSeq = 0;
  const freshProject = (who) => {
    const dir = join(base, 'runs', `p${runSeq++}`);
    mkdirSync(join(base, 'runs'), { recursive: true, mode: 0o755 });
    cpSync(template, dir, { recursive: true });
    if (isRoot && who) { chownSync(dir, who.uid, who.gid); chownSync(join(dir, 'package.json'), who.uid, who.gid); }
    return dir;
  };

  /** One timed command. Returns wall ms; throws on failure (with stderr). */
  const runTimed = (label, { cmd, args, cwd, env, user, check = true }) => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, env, ...(user ?? {}), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (check && r.status !== 0) throw new Error(`${label} exited ${r.status}:\n${r.stderr.slice(-3000)}${r.stdout.slice(-1000)}`);
    if (check && cwd && !existsSync(join(cwd, 'node_modules', target, 'package.json'))) throw new Error(`${label}: ${target} is not installed in ${cwd}`);
    return { ms, status: r.status, stderr: r.stderr, stdout: r.stdout };
  };

  // Fill the registry: through the uplink if it works, else generated fixtures.
  const uplinkWanted = !process.argv.includes('--fixtures');
  let warmupNote = '';
  if (uplinkWanted) {
    try {
      await startRegistry(upstream);
      const dir = freshProject();
      runTimed('warm-up npm install (uplink)', { cmd: npmBin, args: ['install', '--ignore-scripts', target, '--cache', join(base, 'cache-warmup')], cwd: dir, env: rootEnv() });
      served = { kind: 'verdaccio, storage filled through an uplink, then restarted without uplinks', uplink: upstream };
    } catch (error) {
      warmupNote = `uplink did not work (${String(error.message).split('\n')[0]}); using generated fixtures`;
      console.error(`bench: ${warmupNote}`);
      if (verdaccio) await stopRegistry();
      verdaccio = undefined;
    }
  }
  if (!served) {
    target = 'bench-root';
    const count = await writeFixtureTree(storage, `http://127.0.0.1:${port}/`);
    served = { kind: `verdaccio, ${count} generated fixture packages (no uplink)`, note: warmupNote || undefined };
    await startRegistry(undefined);
  }

  // safe-npm's first install (still with the uplink when there is one): it may pick older versions
  // (release cooldown) than plain npm, whose tarballs must be in the storage too. Its findings are
  // recorded: without SAFE_NPM_YES a non-interactive install stops on warn findings.
  let yes = false;
  let findingsText = '';
  {
    const dir = freshProject();
    const first = runTimed('safe-npm first install', { cmd: nodeBin, args: [safeNpm, 'install', target], cwd: dir, env: rootEnv({ SAFE_NPM_CACHE_ROOT: join(base, 'cache-root-warmup') }), check: false });
    findingsText = first.stderr.trim();
    if (first.status !== 0) {
      yes = true;
      const again = runTimed('safe-npm first install (SAFE_NPM_YES=1)', { cmd: nodeBin, args: [safeNpm, 'install', target], cwd: dir, env: rootEnv({ SAFE_NPM_CACHE_ROOT: join(base, 'cache-root-warmup'), SAFE_NPM_YES: '1' }) });
      findingsText = `without SAFE_NPM_YES: exit ${first.status}\n${first.stderr.trim()}\n--- with SAFE_NPM_YES=1:\n${again.stderr.trim()}`;
    }
  }
  if (served.uplink) {
    await stopRegistry();
    await startRegistry(undefined); // loopback only from here on
  }
  const yesEnv = yes ? { SAFE_NPM_YES: '1' } : {};

  // The tree's package names (for the cold check), from a plain npm lockfile.
  const lockDir = freshProject();
  runTimed('npm install (tree)', { cmd: npmBin, args: ['install', '--ignore-scripts', target, '--cache', join(base, 'cache-warmup')], cwd: lockDir, env: rootEnv() });
  const lock = JSON.parse(readFileSync(join(lockDir, 'package-lock.json'), 'utf8'));
  const treeNames = [...new Set(Object.keys(lock.packages).filter((k) => k).map((k) => k.slice(k.lastIndexOf('node_modules/') + 13)))].sort();

  console.log(`npm-install-ratio bench: ${target} (${treeNames.length} packages) from ${served.kind}, 127.0.0.1:${port}`);
  console.log(`node ${process.version}, npm ${npmVersion}, ${RUNS} alternating runs per variant after 2 warm-up rounds${yes ? ', SAFE_NPM_YES=1' : ''}`);

  // ---- the modes ---------------------------------------------------------------------------------
  const modeDefs = {
    owner: {
      what: 'root invokes safe-npm; project owned by nobody (npm runs as the owner)',
      variants: {
        plain: () => { const cwd = freshProject(nobody); return { cmd: npmBin, args: ['install', '--ignore-scripts', target], cwd, env: nobodyEnv(), user: asNobody }; },
        safe: () => { const cwd = freshProject(nobody); return { cmd: nodeBin, args: [safeNpm, 'install', target], cwd, env: rootEnv(yesEnv) }; },
        'plain lock-only': () => { const cwd = freshProject(nobody); return { cmd: npmBin, args: ['install', '--ignore-scripts', '--package-lock-only', target], cwd, env: nobodyEnv(), user: asNobody, noCheck: true }; },
      },
    },
    staging: {
      what: 'root invokes; project owned by root (safe-npm: npm as nobody in a staging copy; plain: root npm)',
      variants: {
        plain: () => { const cwd = freshProject(); return { cmd: npmBin, args: ['install', '--ignore-scripts', target], cwd, env: rootEnv({ npm_config_cache: rootCache }) }; },
        safe: () => { const cwd = freshProject(); return { cmd: nodeBin, args: [safeNpm, 'install', target], cwd, env: rootEnv(yesEnv) }; },
      },
    },
    self: {
      what: isRoot ? 'both commands run as nobody (no user switch)' : 'both commands run as the invoking (non-root) user',
      variants: {
        plain: () => { const cwd = freshProject(nobody); return { cmd: npmBin, args: ['install', '--ignore-scripts', target], cwd, env: selfEnv(), user: asNobody }; },
        safe: () => { const cwd = freshProject(nobody); return { cmd: nodeBin, args: [safeNpm, 'install', target], cwd, env: selfEnv(yesEnv), user: asNobody }; },
      },
    },
  };

  const results = {};
  for (const mode of modes) {
    const def = modeDefs[mode];
    if (!def) { console.error(`bench: unknown mode ${mode}`); continue; }
    const names = Object.keys(def.variants);
    const times = Object.fromEntries(names.map((n) => [n, []]));
    const once = (name, record) => {
      const spec = def.variants[name]();
      const r = runTimed(`${mode}/${name}`, { ...spec, check: !spec.noCheck });
      if (spec.noCheck && r.status !== 0) throw new Error(`${mode}/${name} exited ${r.status}: ${r.stderr.slice(-2000)}`);
      if (record) times[name].push(r.ms);
      rmSync(spec.cwd, { recursive: true, force: true });
    };
    for (let w = 0; w < 2; w++) for (const n of names) once(n, false);
    for (let i = 0; i < RUNS; i++) for (let k = 0; k < names.length; k++) once(names[(i + k) % names.length], true);
    const s = Object.fromEntries(names.map((n) => [n, stats(times[n])]));
    results[mode] = { what: def.what, ...s, ratio: round((s.safe.median / s.plain.median) * 1000) / 1000, ratioOfMins: round((s.safe.min / s.plain.min) * 1000) / 1000 };
    printMode(mode, results[mode]);
  }

  // ---- cold check: every name of the tree, empty npm cache each run -----------------------------
  const coldRuns = [];
  let coldReport;
  for (let i = 0; i < Math.max(5, Math.min(RUNS, 7)) + 1; i++) {
    const cache = join(base, `cold-cache-${i}`);
    const r = runTimed('safe check', { cmd: nodeBin, args: [safeNpm, 'safe', 'check', ...treeNames, '--json'], cwd: base, env: rootEnv({ npm_config_cache: cache }), check: false });
    if (r.status !== 0 && r.status !== 1 && !r.stdout.trim().startsWith('[') && !r.stdout.trim().startsWith('{')) throw new Error(`safe check exited ${r.status}: ${r.stderr.slice(-2000)}`);
    if (i > 0) coldRuns.push(r.ms); // the first one warms the OS file cache / Verdaccio
    coldReport ??= summarizeCheck(r.stdout, r.status);
    rmSync(cache, { recursive: true, force: true });
  }
  const cold = { packages: treeNames.length, ...stats(coldRuns), exitCode: coldReport.exitCode, verdicts: coldReport.verdicts, findings: coldReport.findings };
  console.log(`\ncold check: safe-npm safe check <${treeNames.length} names> --json, empty npm cache: median ${cold.median} ms, min ${cold.min} ms (goal ≤ 1000 ms)  verdicts ${JSON.stringify(cold.verdicts)}`);

  // ---- phase profile (owner mode): the real flow with timestamps ---------------------------------
  let phases;
  if (PROBE_RUNS > 0 && (modes.includes('owner') || modes.includes('self'))) {
    const probeMode = modes.includes('owner') ? 'owner' : 'self';
    // safe-npm's own phase marks (SAFE_NPM_TIMING=1: "safe-npm: <ms since start> ms <phase>").
    const samples = [];
    for (let i = 0; i < PROBE_RUNS + 1; i++) {
      const cwd = freshProject(nobody);
      const env = probeMode === 'owner' ? rootEnv({ ...yesEnv, SAFE_NPM_TIMING: '1' }) : selfEnv({ ...yesEnv, SAFE_NPM_TIMING: '1' });
      const r = runTimed('probe', { cmd: nodeBin, args: [safeNpm, 'install', target], cwd, env, user: probeMode === 'self' ? asNobody : undefined });
      const marks = [...r.stderr.matchAll(/^safe-npm: (\d+) ms (.+)$/gm)].map((m) => ({ name: m[2], at: Number(m[1]) }));
      if (i > 0) samples.push({ wall: r.ms, marks });
      rmSync(cwd, { recursive: true, force: true });
    }
    const names = samples[0].marks.map((m) => m.name);
    phases = { mode: probeMode, runs: samples.length, wallMedian: round(median(samples.map((s) => s.wall))), phases: {} };
    let previous = 0;
    for (const n of names) {
      const at = round(median(samples.map((s) => s.marks.find((m) => m.name === n)?.at ?? NaN).filter(Number.isFinite)));
      phases.phases[n] = { startsAtMs: previous, medianMs: round(at - previous) };
      previous = at;
    }
    console.log(`\nphase profile (${probeMode} mode, ${samples.length} runs, medians; each phase ends at the next mark; "at" = ms since process start):`);
    for (const [n, v] of Object.entries(phases.phases)) console.log(`  ${n.padEnd(52)} ${String(v.medianMs).padStart(7)} ms   at ${v.startsAtMs}`);
    console.log(`  ${'whole process (wall, incl. node start)'.padEnd(52)} ${String(phases.wallMedian).padStart(7)} ms`);
  }

  // ---- module import costs (separate fresh processes) ----------------------------------------
  const importCost = {};
  for (const [name, code] of Object.entries({
    '@npmcli/arborist': "const t=performance.now();require('@npmcli/arborist');console.log(performance.now()-t)",
    pacote: "const t=performance.now();require('pacote');console.log(performance.now()-t)",
    '@npmcli/config (+definitions)': "const t=performance.now();require('@npmcli/config');require('@npmcli/config/lib/definitions');console.log(performance.now()-t)",
  })) {
    const xs = [];
    for (let i = 0; i < 5; i++) xs.push(Number(spawnSync(nodeBin, ['-e', code], { cwd: repo, encoding: 'utf8' }).stdout));
    importCost[name] = round(median(xs));
  }
  console.log(`\nimport cost, fresh process (median of 5): ${Object.entries(importCost).map(([k, v]) => `${k} ${v} ms`).join(', ')}`);

  const json = {
    bench: 'npm-install-ratio',
    date: new Date().toISOString(),
    node: process.version,
    npm: npmVersion,
    cpus: (await import('node:os')).cpus().length,
    registry: { ...served, url: `http://127.0.0.1:${port}/` },
    target,
    treePackages: treeNames.length,
    treeNames,
    runsPerVariant: RUNS,
    safeNpmYes: yes,
    firstInstallStderr: findingsText,
    commands: {
      plain: `npm install --ignore-scripts ${target}  (env npm_config_registry=<verdaccio> npm_config_audit=false npm_config_fund=false)`,
      safe: `node bin/safe-npm.js install ${target}  (SAFE_NPM_CACHE_ROOT=<tmp>${yes ? ', SAFE_NPM_YES=1' : ''}, same registry env)`,
      lockOnly: `npm install --ignore-scripts --package-lock-only ${target}  (owner mode, as nobody)`,
      coldCheck: `node bin/safe-npm.js safe check <${treeNames.length} names> --json  (npm_config_cache=<empty dir>)`,
    },
    goal: { ratio: 1.15, coldCheckMs: 1000 },
    modes: results,
    coldCheck: cold,
    phases,
    importCost,
  };
  mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repo, 'bench', 'results', 'npm-install-ratio.json'), JSON.stringify(json, null, 2) + '\n');

  console.log('\nsummary');
  console.log(`${'mode'.padEnd(9)} ${'plain npm'.padStart(10)} ${'safe-npm'.padStart(10)} ${'ratio'.padStart(7)}   (medians, ms; goal ratio ≤ 1.15)`);
  for (const [m, r] of Object.entries(results)) {
    console.log(`${m.padEnd(9)} ${String(r.plain.median).padStart(10)} ${String(r.safe.median).padStart(10)} ${r.ratio.toFixed(3).padStart(7)}   ${r.ratio <= 1.15 ? 'ok' : 'MISSES GOAL'}`);
  }
  console.log(`cold check ${cold.median} ms for ${cold.packages} packages: ${cold.median <= 1000 ? 'ok' : 'MISSES GOAL'}`);
  console.log('wrote bench/results/npm-install-ratio.json');
  if (keep) console.log(`kept ${base}`);
  await stopRegistry();
}

function printMode(mode, r) {
  console.log(`\n${mode}: ${r.what}`);
  console.log(`  ${'variant'.padEnd(18)} ${'median'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}`);
  for (const [k, v] of Object.entries(r)) {
    if (!v || typeof v !== 'object' || !('median' in v)) continue;
    console.log(`  ${k.padEnd(18)} ${String(v.median).padStart(8)} ${String(v.min).padStart(8)} ${String(v.max).padStart(8)}`);
  }
  console.log(`  ratio safe/plain (medians) ${r.ratio.toFixed(3)}  (mins ${r.ratioOfMins.toFixed(3)})`);
}

function summarizeCheck(stdout, status) {
  try {
    const data = JSON.parse(stdout);
    const reports = Array.isArray(data) ? data : data.reports ?? data.packages ?? [];
    const verdicts = {};
    const findings = {};
    for (const r of reports) {
      verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
      for (const f of r.findings ?? []) findings[`${f.check}:${f.severity}`] = (findings[`${f.check}:${f.severity}`] ?? 0) + 1;
    }
    return { exitCode: status, verdicts, findings };
  } catch {
    return { exitCode: status, verdicts: {}, findings: {}, unparsed: stdout.slice(0, 200) };
  }
}

function skip(reason) {
  console.error(`bench npm-install-ratio: skipped: ${reason}`);
  process.exit(2);
}






/**
 * Fallback registry content: 60 small packages (3 versions each, published 1–2 years ago, with
 * description/repository/license) and `bench-root`, wired with express-like fan-out (a few wide
 * packages, most with 0–3 dependencies, shared leaves), written in Verdaccio's storage format.
 */
async function writeFixtureTree(storage, url) {
  const { create: tarCreate } = await import(pathToFileURL(join(repo, 'node_modules', 'tar', 'index.js')).href).catch(() => import('tar'));
  const N = 60;
  const name = (i) => `bench-dep-${String(i).padStart(2, '0')}`;
  let seed = 424242;
  const rand = (n) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const deps = (i) => {
    const out = {};
    const fan = i < 8 ? 4 + rand(4) : rand(4);
    for (let k = 0; k < fan; k++) {
      const j = i + 1 + rand(Math.max(1, N - i - 1));
      if (j < N) out[name(j)] = '^1.0.0';
    }
    return out;
  };
  const pkgs = [{ name: 'bench-root', deps: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [name(i), '^1.0.0'])) }];
  for (let i = 0; i < N; i++) pkgs.push({ name: name(i), deps: deps(i) });
  const stage = mkdtempSync(join(tmpdir(), 'bench-fixture-'));
  const day = 86_400_000;
  for (const p of pkgs) {
    const dir = join(storage, p.name);
    mkdirSync(dir, { recursive: true });
    const doc = { name: p.name, versions: {}, time: {}, 'dist-tags': { latest: '1.2.0' }, _uplinks: {}, _distfiles: {}, _attachments: {}, _rev: '1-0', _id: p.name, readme: '', description: `${p.name} fixture`, license: 'MIT' };
    ['1.0.0', '1.1.0', '1.2.0'].forEach((version, vi) => {
      const pj = { name: p.name, version, description: `${p.name} fixture`, license: 'MIT', main: 'index.js', repository: { type: 'git', url: `git+https://github.com/bench/${p.name}.git` }, dependencies: p.deps };
      rmSync(join(stage, 'package'), { recursive: true, force: true });
      mkdirSync(join(stage, 'package'), { recursive: true });
      writeFileSync(join(stage, 'package', 'package.json'), JSON.stringify(pj, null, 2));
      writeFileSync(join(stage, 'package', 'index.js'), `module.exports = ${JSON.stringify(p.name)};\n`);
      const tgz = join(dir, `${p.name}-${version}.tgz`);
      tarCreate({ gzip: true, cwd: stage, portable: true, sync: true, file: tgz, mtime: new Date('1985-10-26T08:15:00Z') }, ['package']);
      const data = readFileSync(tgz);
      const shasum = createHash('sha1').update(data).digest('hex');
      doc.versions[version] = { ...pj, _id: `${p.name}@${version}`, _npmVersion: '10.9.0', _npmUser: { name: 'bench', email: 'bench@example.com' }, maintainers: [{ name: 'bench', email: 'bench@example.com' }], dist: { integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`, shasum, tarball: `${url}${p.name}/-/${p.name}-${version}.tgz` } };
      doc._attachments[`${p.name}-${version}.tgz`] = { shasum, version };
      doc.time[version] = new Date(Date.now() - (700 - vi * 200) * day).toISOString();
    });
    doc.time.created = doc.time['1.0.0'];
    doc.time.modified = doc.time['1.2.0'];
    doc.maintainers = [{ name: 'bench', email: 'bench@example.com' }];
    writeFileSync(join(dir, 'package.json'), JSON.stringify(doc, null, '\t'));
  }
  rmSync(stage, { recursive: true, force: true });
  return pkgs.length;
}

await main();
