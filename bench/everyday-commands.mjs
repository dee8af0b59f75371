#!/usr/bin/env node
/**
 * Everyday commands against plain npm, same tree, same user, warm, alternated (issue 9):
 *   uninstall  — `safe-npm uninstall lodash` vs `npm uninstall lodash` in a project with esbuild (its
 *                postinstall approved): ratio of medians (goal ≤ 1.15; nothing may replay);
 *   root-owned uninstall — the same by root in a root-owned copy (when run as root): npm's engine runs
 *                as the build identity in a staging copy, committed into the project;
 *   up-to-date install — `safe-npm install` vs `npm install` with nothing to change (the user's, and
 *                root's in a root-owned copy): nothing new is vetted, no document read;
 *   npx bin    — `npx esbuild --version` through shims/npx vs plain npx, esbuild installed locally:
 *                difference of medians (goal ≤ +100 ms);
 *   npx global bin — `npx corepack --version` the same way: a bin in npm's global folder, run as npx
 *                runs it (nothing installed);
 *   npx package (root) — `npx -y cowsay@1.6.0 hi` by root outside any project, warm (npx's cache and
 *                ours hold it): ratio of medians (goal ≤ 1.15);
 *   npx package (user) — the same by the ordinary user (npx's cache holds it): ratio of medians;
 *   dead registry — `safe-npm install left-pad --registry http://127.0.0.1:9/` (nothing listens):
 *                seconds until it exits 68, against plain npm's failure (goal ≤ 10 s).
 * Runs as `nobody` when root (an ordinary user's project: npm runs as itself), else as you. Needs the
 * configured npm registry once, to make the template project.
 *
 *   npm run build && node bench/everyday-commands.mjs [--runs 9] [--only rootOwnedUninstall,uninstall,…]
 */
import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync, chmodSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 9;
// --only <result names>: just those rows (quicker while working on one command).
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : undefined;
const pairsOf = { uninstall: ['npm', 'safe'], npxLocalBin: ['npx', 'shim'], npxGlobalBin: ['npxGlobal', 'shimGlobal'], upToDateInstall: ['noopNpm', 'noopSafe'], rootOwnedUninstall: ['rootNpm', 'rootSafe'], rootOwnedUpToDateInstall: ['rootNoopNpm', 'rootNoopSafe'], rootNpxPackage: ['rootNpx', 'rootShimNpx'], userNpxPackage: ['userNpx', 'userShimNpx'] };
const wanted = (row) => !only || only.includes(row);
const isRoot = process.geteuid?.() === 0;
const who = isRoot ? { uid: 65534, gid: 65534 } : {};
const base = mkdtempSync(join(tmpdir(), 'safe-npm-everyday-bench-'));
chmodSync(base, 0o755);
const own = (p) => { if (isRoot) chownSync(p, 65534, 65534); return p; };
const dir = (name) => own(mkdirSync(join(base, name), { recursive: true }) ?? join(base, name));
const home = dir('home');
const env = {
  PATH: `${join(process.execPath, '..')}:/usr/local/bin:/usr/bin:/bin`, HOME: home, XDG_CONFIG_HOME: dir('config'), XDG_CACHE_HOME: dir('cache'),
  npm_config_cache: dir('npm-cache'), npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
  ...(process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS } : {}),
};
const safeNpm = join(repo, 'bin', 'safe-npm.js');
const run = (cmd, args, cwd, as = who) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', ...as });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} → ${r.status}\n${r.stderr}`);
  return { ms, r };
};
const ratioOf = (npm, safe) => ({ npmMs: Math.round(median(npm)), safeNpmMs: Math.round(median(safe)), ratio: Math.round((median(safe) / median(npm)) * 100) / 100 });
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

try {
  // The template: installed through safe-npm itself with esbuild's postinstall approved (the case of the issue).
  const template = dir('template');
  writeFileSync(join(template, 'package.json'), '{"name":"bench","version":"1.0.0","private":true}\n');
  own(join(template, 'package.json'));
  const esbuild = spawnSync('npm', ['view', 'esbuild@0.25', 'version', '--json'], { env, encoding: 'utf8', ...who });
  const version = JSON.parse(esbuild.stdout).at?.(-1) ?? JSON.parse(esbuild.stdout);
  run(process.execPath, [safeNpm, 'safe', 'approve', `esbuild@${version}`], template);
  run(process.execPath, [safeNpm, 'install', `esbuild@${version}`, 'lodash', 'left-pad', '--safe-yes'], template);
  const copy = (name, owner = '65534:65534') => { const d = join(base, name); rmSync(d, { recursive: true, force: true }); cpSync(template, d, { recursive: true, preserveTimestamps: true }); if (isRoot) spawnSync('chown', ['-R', owner, d]); return d; };
  // Root's own: HOME and caches of root's (npm's cache must not be nobody's, the store neither).
  const rootEnv = { ...env, HOME: dir('root-home'), XDG_CONFIG_HOME: dir('root-config'), XDG_CACHE_HOME: dir('root-cache'), npm_config_cache: dir('root-npm-cache') };
  for (const d of ['root-home', 'root-config', 'root-cache', 'root-npm-cache']) spawnSync('chown', ['-R', '0:0', join(base, d)]);
  const runRoot = (cmd, args, cwd) => { const t = process.hrtime.bigint(); const r = spawnSync(cmd, args, { cwd, env: rootEnv, encoding: 'utf8' }); if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} → ${r.status}\n${r.stderr}`); return Number(process.hrtime.bigint() - t) / 1e6; };

  // Warm-up, then alternated rounds (order flips each round).
  const times = { npm: [], safe: [], npx: [], shim: [], npxGlobal: [], shimGlobal: [], rootNpm: [], rootSafe: [], noopNpm: [], noopSafe: [], rootNoopNpm: [], rootNoopSafe: [], rootNpx: [], rootShimNpx: [], userNpx: [], userShimNpx: [] };
  for (let i = -1; i < runs; i++) {
    const pair = [
      ['npm', () => run('npm', ['uninstall', 'lodash'], copy('a')).ms],
      ['safe', () => run(process.execPath, [safeNpm, 'uninstall', 'lodash'], copy('b')).ms],
      ['npx', () => run('npx', ['esbuild', '--version'], template).ms],
      ['shim', () => run(join(repo, 'shims', 'npx'), ['esbuild', '--version'], template).ms],
      ['npxGlobal', () => run('npx', ['corepack', '--version'], template).ms],
      ['shimGlobal', () => run(join(repo, 'shims', 'npx'), ['corepack', '--version'], template).ms],
      ['noopNpm', () => run('npm', ['install'], copy('na')).ms],
      ['noopSafe', () => run(process.execPath, [safeNpm, 'install'], copy('nb')).ms],
      ['userNpx', () => run('npx', ['-y', 'cowsay@1.6.0', 'hi'], home).ms],
      ['userShimNpx', () => run(join(repo, 'shims', 'npx'), ['-y', 'cowsay@1.6.0', 'hi'], home).ms],
      ...(isRoot ? [
        ['rootNpm', () => runRoot('npm', ['uninstall', 'lodash'], copy('ra', '0:0'))],
        ['rootSafe', () => runRoot(process.execPath, [safeNpm, 'uninstall', 'lodash'], copy('rb', '0:0'))],
        ['rootNoopNpm', () => runRoot('npm', ['install'], copy('rna', '0:0'))],
        ['rootNoopSafe', () => runRoot(process.execPath, [safeNpm, 'install'], copy('rnb', '0:0'))],
        ['rootNpx', () => runRoot('npx', ['-y', 'cowsay@1.6.0', 'hi'], join(base, 'root-home'))],
        ['rootShimNpx', () => runRoot(join(repo, 'shims', 'npx'), ['-y', 'cowsay@1.6.0', 'hi'], join(base, 'root-home'))],
      ] : []),
    ];
    const chosen = pair.filter(([name]) => Object.entries(pairsOf).some(([row, names]) => names.includes(name) && wanted(row)));
    const order = i % 2 ? chosen : chosen.map((_, k) => chosen[k ^ 1]);
    for (const [name, f] of order) { const ms = f(); if (i >= 0) times[name].push(ms); }
  }
  // A registry that is not there: how long until the answer (68), and how long plain npm takes to fail.
  const dead = { npm: [], safe: [] };
  const deadArgs = ['install', 'left-pad', '--registry', 'http://127.0.0.1:9/'];
  for (let i = 0; i < (wanted('deadRegistry') ? 3 : 0); i++) {
    const cwd = copy('dead');
    let t = process.hrtime.bigint();
    const npm = spawnSync('npm', deadArgs, { cwd, env, encoding: 'utf8', ...who });
    dead.npm.push({ ms: Number(process.hrtime.bigint() - t) / 1e6, status: npm.status });
    t = process.hrtime.bigint();
    const safe = spawnSync(process.execPath, [safeNpm, ...deadArgs], { cwd, env, encoding: 'utf8', ...who });
    dead.safe.push({ ms: Number(process.hrtime.bigint() - t) / 1e6, status: safe.status });
  }
  const result = {
    date: new Date().toISOString(), load: loadavg().map((x) => Math.round(x * 100) / 100), runs, user: isRoot ? 'nobody' : 'self',
    uninstall: { npmMs: Math.round(median(times.npm)), safeNpmMs: Math.round(median(times.safe)), ratio: Math.round((median(times.safe) / median(times.npm)) * 100) / 100 },
    upToDateInstall: ratioOf(times.noopNpm, times.noopSafe),
    ...(isRoot ? { rootOwnedUpToDateInstall: ratioOf(times.rootNoopNpm, times.rootNoopSafe) } : {}),
    ...(isRoot ? { rootNpxPackage: ratioOf(times.rootNpx, times.rootShimNpx) } : {}),
    userNpxPackage: ratioOf(times.userNpx, times.userShimNpx),
    ...(isRoot ? { rootOwnedUninstall: { npmMs: Math.round(median(times.rootNpm)), safeNpmMs: Math.round(median(times.rootSafe)), ratio: Math.round((median(times.rootSafe) / median(times.rootNpm)) * 100) / 100 } } : {}),
    deadRegistry: dead.npm.length === 0 ? undefined : { npmMs: Math.round(median(dead.npm.map((d) => d.ms))), npmExit: dead.npm[0].status, safeNpmMs: Math.round(median(dead.safe.map((d) => d.ms))), safeNpmExit: dead.safe[0].status },
    npxLocalBin: { npxMs: Math.round(median(times.npx)), shimMs: Math.round(median(times.shim)), deltaMs: Math.round(median(times.shim) - median(times.npx)) },
    npxGlobalBin: { npxMs: Math.round(median(times.npxGlobal)), shimMs: Math.round(median(times.shimGlobal)), deltaMs: Math.round(median(times.shimGlobal) - median(times.npxGlobal)) },
  };
  for (const row of Object.keys(result)) if (row in pairsOf || row === 'deadRegistry') { if (!wanted(row)) delete result[row]; }
  mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repo, 'bench', 'results', 'everyday-commands.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  rmSync(base, { recursive: true, force: true });
}
