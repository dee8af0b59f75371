#!/usr/bin/env node
/**
 * safe-npm against plain npm on real projects (issue 13): a TypeScript tooling stack, a Next.js app and
 * an ~850-package tree (bench/fixtures/*: package.json + lockfile), served by a local Verdaccio.
 *
 *   npm run build && node bench/npm-real-projects.mjs [--projects ts-tooling,nextjs-app,large-tree]
 *        [--kinds fresh,ci] [--modes owner,staging] [--pairs 5] [--storage DIR] [--no-warm]
 *
 * Registry: Verdaccio (node_modules/.bin/verdaccio) starts with an uplink to `npm config get registry`;
 * plain npm (`ci` and a fresh `install`) and safe-npm fill its storage (`--storage DIR` keeps it
 * between runs; `--no-warm` skips the uplink when DIR is already filled). It is then restarted
 * without uplinks: every timed run talks to 127.0.0.1 only.
 *
 * Kinds: `fresh` = a folder with package.json only, `npm install`; `ci` = package.json + lockfile, `npm ci`.
 * Modes (root only): `owner` = the project belongs to nobody; plain npm runs as nobody, safe-npm is
 * invoked by root (and runs npm's engine as the owner); both share nobody's npm cache.
 * `staging` = the project belongs to root; plain npm runs as root with root's warm cache, safe-npm
 * stages as its install identity with its own warm cache.
 * Pairs alternate (the order flips each pair) after one warm-up pair; each run gets a fresh folder.
 * Measured: wall time, peak memory of the whole process tree sampled every 20 ms — RSS summed over
 * /proc/<pid>/status, and PSS summed over /proc/<pid>/smaps_rollup (RSS counts the pages forked node
 * processes share once per process; PSS splits each shared page among its sharers, so its sum is what
 * the tree really holds) — the safe-npm phase marks (SAFE_NPM_TIMING=1), and whether both trees are
 * the same (name@version set).
 * Writes bench/results/npm-real-projects.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, lookupNobody, startVerdaccio, which } from './lib/registry.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const arg = (flag, fallback) => {
  const i = process.argv.indexOf(flag);
  return i === -1 ? fallback : process.argv[i + 1];
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const PROJECTS = String(arg('--projects', 'ts-tooling,nextjs-app,large-tree')).split(',');
const KINDS = String(arg('--kinds', 'fresh,ci')).split(',');
const MODES = String(arg('--modes', 'owner,staging')).split(',');
const PAIRS = Number(arg('--pairs', '5'));
const WARM = !process.argv.includes('--no-warm');

if (process.geteuid?.() !== 0) {
  console.error('bench npm-real-projects: run as root (it compares installs as root and as nobody)');
  process.exit(2);
}
const nobody = lookupNobody();
const nodeBin = process.execPath;
const npmBin = which('npm');
const safeNpm = join(repo, 'bin', 'safe-npm.js');
const verdaccioCli = join(repo, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
const cleanPath = [...new Set([join(nodeBin, '..'), join(npmBin, '..'), '/usr/local/bin', '/usr/bin', '/bin'])].join(':');

const base = mkdtempSync(join(tmpdir(), 'safe-npm-bench-real-'));
chmodSync(base, 0o755);
const storageRoot = arg('--storage', join(base, 'verdaccio'));
mkdirSync(join(storageRoot, 'storage'), { recursive: true });
const owned = (dir, who) => {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (who) chownSync(dir, who.uid, who.gid);
  return dir;
};
const cacheRoot = owned(join(base, 'cache-root'));
const nobodyHome = owned(join(base, 'home-nobody'), nobody);
// What safe-npm gives an owner without a usable home: <cacheRoot>/<user>/npm; plain npm shares it.
const ownerCache = join(cacheRoot, nobody.name, 'npm');
mkdirSync(ownerCache, { recursive: true, mode: 0o700 });
chmodSync(join(ownerCache, '..'), 0o700);
chownSync(join(ownerCache, '..'), nobody.uid, nobody.gid);
chownSync(ownerCache, nobody.uid, nobody.gid);
const rootCache = owned(join(base, 'cache-rootuser'));
const rootXdg = owned(join(base, 'xdg-root'));

let verdaccio;
let port;
const registryEnv = () => ({ npm_config_registry: `http://127.0.0.1:${port}/`, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' });
const rootEnv = (extra = {}) => ({ PATH: cleanPath, HOME: process.env.HOME ?? '/root', XDG_CONFIG_HOME: rootXdg, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_YES: '1', ...registryEnv(), ...extra });
const nobodyEnv = (extra = {}) => ({ PATH: cleanPath, HOME: nobodyHome, npm_config_cache: ownerCache, ...registryEnv(), ...extra });

let seq = 0;
function projectDir(project, kind, who) {
  const dir = join(base, 'runs', `${project}-${kind}-${seq++}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  cpSync(join(repo, 'bench', 'fixtures', project, 'package.json'), join(dir, 'package.json'));
  if (kind === 'ci') cpSync(join(repo, 'bench', 'fixtures', project, 'package-lock.json'), join(dir, 'package-lock.json'));
  if (who) spawnSync('chown', ['-R', `${who.uid}:${who.gid}`, dir]);
  return dir;
}

/**
 * RSS and PSS (kB) summed over a process and all its descendants, from /proc. PSS needs
 * smaps_rollup (Linux 4.14+); where it cannot be read it counts as 0 and the report says so.
 */
function treeMemKb(pid) {
  let rss = 0;
  let pss = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      rss += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      try {
        pss += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
      } catch { /* gone, or no smaps_rollup */ }
      for (const t of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim();
        if (kids) stack.push(...kids.split(/\s+/).map(Number));
      }
    } catch { /* gone */ }
  }
  return { rss, pss };
}

/** One timed command: wall ms, peak tree RSS and PSS (MB; each its own peak), stderr. */
function timed({ cmd, args, cwd, env, user }) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env, ...(user ?? {}), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    let peak = 0;
    let peakPss = 0;
    const sampler = setInterval(() => {
      const { rss, pss } = treeMemKb(child.pid);
      peak = Math.max(peak, rss);
      peakPss = Math.max(peakPss, pss);
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} in ${cwd} exited ${code}:\n${stderr.slice(-3000)}${stdout.slice(-500)}`));
      else resolve({ ms, peakMb: peak / 1024, peakPssMb: peakPss / 1024, stderr });
    });
  });
}

function variants(project, kind, mode) {
  const npmArgs = kind === 'ci' ? ['ci', '--ignore-scripts'] : ['install', '--ignore-scripts'];
  const safeArgs = kind === 'ci' ? ['ci'] : ['install'];
  if (mode === 'owner') {
    return {
      plain: () => ({ cmd: npmBin, args: npmArgs, cwd: projectDir(project, kind, nobody), env: nobodyEnv(), user: { uid: nobody.uid, gid: nobody.gid } }),
      safe: () => ({ cmd: nodeBin, args: [safeNpm, ...safeArgs], cwd: projectDir(project, kind, nobody), env: rootEnv({ SAFE_NPM_TIMING: '1' }) }),
    };
  }
  return {
    plain: () => ({ cmd: npmBin, args: npmArgs, cwd: projectDir(project, kind), env: rootEnv({ npm_config_cache: rootCache }) }),
    safe: () => ({ cmd: nodeBin, args: [safeNpm, ...safeArgs], cwd: projectDir(project, kind), env: rootEnv({ SAFE_NPM_TIMING: '1' }) }),
  };
}

/** name@version of everything installed (npm's hidden lockfile). */
function treeOf(dir) {
  try {
    const lock = JSON.parse(readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8'));
    return Object.entries(lock.packages ?? {}).filter(([k]) => k).map(([k, v]) => `${k}@${v.version}`).sort();
  } catch {
    return [];
  }
}

async function warm() {
  const upstream = spawnSync(npmBin, ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim();
  verdaccio = await startVerdaccio({ cli: verdaccioCli, root: storageRoot, storage: join(storageRoot, 'storage'), port, uplink: upstream });
  for (const project of PROJECTS) {
    for (const kind of KINDS) {
      for (const mode of MODES) {
        const v = variants(project, kind, mode);
        // plain npm and safe-npm (whose cooldown may pick other versions) fill storage and caches
        for (const name of ['plain', 'safe']) {
          const spec = v[name]();
          const r = await timed(spec);
          console.log(`warm ${project} ${kind} ${mode} ${name}: ${round(r.ms / 1000)} s`);
          rmSync(spec.cwd, { recursive: true, force: true });
        }
      }
    }
  }
  verdaccio.kill('SIGTERM');
  await new Promise((r) => verdaccio.once('exit', r));
}

async function main() {
  port = await freePort();
  if (WARM) await warm();
  verdaccio = await startVerdaccio({ cli: verdaccioCli, root: storageRoot, storage: join(storageRoot, 'storage'), port, uplink: undefined });
  const results = [];
  for (const project of PROJECTS) {
    for (const kind of KINDS) {
      for (const mode of MODES) {
        const v = variants(project, kind, mode);
        const runs = { plain: [], safe: [] };
        let sameTree;
        for (let pair = -1; pair < PAIRS; pair++) {
          const order = pair % 2 === 0 ? ['plain', 'safe'] : ['safe', 'plain'];
          const trees = {};
          for (const name of order) {
            const spec = v[name]();
            const r = await timed(spec);
            trees[name] = treeOf(spec.cwd);
            if (pair >= 0) runs[name].push(r);
            rmSync(spec.cwd, { recursive: true, force: true });
          }
          if (pair === 0) {
            const a = new Set(trees.plain);
            const diff = trees.safe.filter((x) => !a.has(x)).length + trees.plain.filter((x) => !trees.safe.includes(x)).length;
            sameTree = { packages: trees.plain.length, differing: diff };
          }
        }
        const wall = (n) => median(runs[n].map((r) => r.ms));
        const mem = (n) => median(runs[n].map((r) => r.peakMb));
        const pss = (n) => median(runs[n].map((r) => r.peakPssMb));
        const ratios = runs.safe.map((r, i) => r.ms / runs.plain[i].ms);
        const phases = {};
        for (const r of runs.safe) {
          let prev = 0;
          for (const m of r.stderr.matchAll(/^safe-npm: (\d+) ms (.+)$/gm)) {
            (phases[m[2]] ??= []).push(Number(m[1]) - prev);
            prev = Number(m[1]);
          }
        }
        const row = {
          project, kind, mode,
          plainMs: round(wall('plain'), 0), safeMs: round(wall('safe'), 0),
          ratio: round(wall('safe') / wall('plain'), 3), pairedRatios: ratios.map((x) => round(x, 3)),
          plainPeakMb: round(mem('plain'), 0), safePeakMb: round(mem('safe'), 0), memRatio: round(mem('safe') / mem('plain'), 3),
          plainPeakPssMb: round(pss('plain'), 0), safePeakPssMb: round(pss('safe'), 0),
          pssRatio: pss('plain') > 0 ? round(pss('safe') / pss('plain'), 3) : null,
          pairedMemRatios: runs.safe.map((r, i) => round(r.peakMb / runs.plain[i].peakMb, 3)),
          pairedPssRatios: runs.safe.map((r, i) => (runs.plain[i].peakPssMb > 0 ? round(r.peakPssMb / runs.plain[i].peakPssMb, 3) : null)),
          sameTree,
          phases: Object.fromEntries(Object.entries(phases).map(([k, xs]) => [k, round(median(xs), 0)])),
          load: loadavg().map((x) => round(x, 2)),
        };
        results.push(row);
        console.log(`${project.padEnd(11)} ${kind.padEnd(5)} ${mode.padEnd(7)} npm ${String(row.plainMs).padStart(6)} ms  safe ${String(row.safeMs).padStart(6)} ms  ratio ${row.ratio.toFixed(3)}  rss ${row.plainPeakMb}/${row.safePeakMb} MB (${row.memRatio.toFixed(2)})  pss ${row.pssRatio === null ? 'unreadable' : `${row.plainPeakPssMb}/${row.safePeakPssMb} MB (${row.pssRatio.toFixed(2)})`}  tree ${sameTree.packages} pkgs, ${sameTree.differing} differ  load ${row.load[0]}`);
        console.log(`    phases (median ms between marks): ${Object.entries(row.phases).map(([k, x]) => `${k} ${x}`).join(' | ')}`);
      }
    }
  }
  verdaccio.kill('SIGTERM');
  console.log('\nproject     kind  mode    wall   rss MB npm/safe (ratio)   pss MB npm/safe (ratio)   load');
  for (const r of results) {
    const pssCell = r.pssRatio === null ? 'unreadable' : `${r.plainPeakPssMb}/${r.safePeakPssMb} (${r.pssRatio.toFixed(2)})`;
    console.log(`${r.project.padEnd(11)} ${r.kind.padEnd(5)} ${r.mode.padEnd(7)} ${r.ratio.toFixed(2)}   ${`${r.plainPeakMb}/${r.safePeakMb} (${r.memRatio.toFixed(2)})`.padEnd(24)} ${pssCell.padEnd(25)} ${r.load[0]}`);
  }
  const out = { bench: 'npm-real-projects', date: new Date().toISOString(), node: process.version, npm: spawnSync(npmBin, ['--version'], { encoding: 'utf8' }).stdout.trim(), cpus: cpus().length, pairs: PAIRS, results };
  mkdirSync(join(repo, 'bench', 'results'), { recursive: true });
  writeFileSync(join(repo, 'bench', 'results', 'npm-real-projects.json'), `${JSON.stringify(out, null, 2)}\n`);
  if (!process.argv.includes('--keep')) rmSync(base, { recursive: true, force: true });
}

await main().catch((error) => {
  console.error(error.message);
  verdaccio?.kill('SIGKILL');
  process.exit(1);
});
