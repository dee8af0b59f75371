#!/usr/bin/env node
/**
 * safe-pip install vs pip install, the same command line, same packages (30 wheels by default),
 * fresh venvs owned by nobody, warm caches, alternating in one run. Wheels come from a local PEP 503
 * folder (default /opt/pypi: simple/<name>/index.html + files/) served over http on 127.0.0.1.
 * Then the same with a slow index (--delay ms on every index request but the files, default 150): safe-pip must
 * not repeat a resolution, so it asks the index for no more than pip does.
 *
 *   node bench/pip-install-ratio.mjs [--runs N] [--delay MS] [--index-dir DIR] [pkg...]
 *
 * Needs root (venvs are chowned to nobody; safe-pip drops to the venv owner), `npm run build`, and
 * /usr/bin/python3 with venv. Prints each timing, the medians, the ratios (goal <= 1.3), the index
 * requests each side made, safe-pip's phase marks (SAFE_PIP_TIMING=1), the load average and date.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, chmodSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
let runs = 5;
let delayMs = 150;
let indexDir = '/opt/pypi';
const pkgs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--delay') delayMs = Number(args[++i]);
  else if (args[i] === '--index-dir') indexDir = args[++i];
  else pkgs.push(args[i]);
}
if (pkgs.length === 0) pkgs.push('requests', 'flask', 'python-dateutil', 'attrs', 'packaging', 'rich', 'pydantic', 'pyyaml', 'httpx');
const PY = '/usr/bin/python3';
const NOBODY = 65534;
if (process.getuid() !== 0) throw new Error('run as root (venvs are owned by nobody)');
if (!existsSync(join(indexDir, 'simple'))) {
  console.log(`no local index at ${indexDir}/simple: pass --index-dir`);
  process.exit(0);
}

// A static server over the PEP 503 folder (index.html per project; files by relative links). It
// counts what is asked of the index (every request but the files: project pages, JSON API), and
// can answer those slowly (a slow index).
let pageRequests = 0;
let delay = 0;
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  let file = join(indexDir, path);
  if (!file.startsWith(indexDir)) return res.writeHead(403).end();
  const page = !path.startsWith('/files/');
  if (page) pageRequests += 1;
  setTimeout(() => {
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  }, page ? delay : 0);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const indexUrl = `http://127.0.0.1:${server.address().port}/simple`;

const root = mkdtempSync(join(tmpdir(), 'safe-pip-bench-'));
chmodSync(root, 0o755);
const cache = join(root, 'cache');
mkdirSync(cache, { mode: 0o755 });
const pipCache = join(cache, `pip-${NOBODY}`);
mkdirSync(pipCache, { mode: 0o700 });
execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, pipCache]);
const home = join(root, 'home');
mkdirSync(join(root, 'cpu'), { mode: 0o777 });
chmodSync(join(root, 'cpu'), 0o777);
mkdirSync(join(home, 'config'), { recursive: true });

// Fresh venvs fast: one real venv as the template, then --without-pip + copied site-packages.
const template = join(root, 'template');
execFileSync(PY, ['-m', 'venv', template]);
const site = (v) => join(v, 'lib', readdirSync(join(v, 'lib')).find((d) => d.startsWith('python')), 'site-packages');
let venvCounter = 0;
function freshVenv() {
  const v = join(root, `venv-${venvCounter++}`);
  execFileSync(PY, ['-m', 'venv', '--without-pip', v]);
  cpSync(site(template), site(v), { recursive: true });
  for (const f of readdirSync(join(template, 'bin')).filter((n) => n.startsWith('pip'))) {
    writeFileSync(join(v, 'bin', f), readFileSync(join(template, 'bin', f), 'utf8').replace(/^#!.*\n/, `#!${join(v, 'bin', 'python3')}\n`), { mode: 0o755 });
  }
  execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, v]);
  return v;
}

const baseEnv = {
  PATH: `${process.execPath.replace(/\/node$/, '')}:/usr/local/bin:/usr/bin:/bin`,
  HOME: home,
  XDG_CONFIG_HOME: join(home, 'config'),
  LANG: 'C.UTF-8',
  PIP_CONFIG_FILE: '/dev/null',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  SAFE_PIP_CACHE_ROOT: cache,
};

/** Wall time, the index requests, and the CPU seconds of the whole process tree (GNU time, when present). */
function timed(file, argv, opts) {
  pageRequests = 0;
  const cpuFile = join(root, 'cpu', 'cpu.txt');
  const gnuTime = existsSync('/usr/bin/time');
  if (gnuTime) [file, argv] = ['/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, file, ...argv]];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${file} ${argv.join(' ')} exited ${code}:\n${err}`));
      else {
        const cpu = gnuTime ? readFileSync(cpuFile, 'utf8').trim().split(/\s+/).slice(-2).reduce((a, b) => a + Number(b), 0) : NaN;
        resolve({ ms, pages: pageRequests, err, cpu });
      }
    });
  });
}

async function runSafe(extraEnv = {}) {
  const v = freshVenv();
  const r = await timed(process.execPath, [join(repo, 'bin', 'safe-pip.js'), 'install', '-q', '-i', indexUrl, '--safe-yes', ...pkgs], {
    cwd: root, env: { ...baseEnv, PATH: `${join(v, 'bin')}:${baseEnv.PATH}`, ...extraEnv },
  });
  return { ...r, v };
}

async function runPip() {
  const v = freshVenv();
  const r = await timed(join(v, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '-i', indexUrl, ...pkgs], {
    cwd: root, uid: NOBODY, gid: NOBODY, env: { ...baseEnv, HOME: '/nonexistent', PIP_CACHE_DIR: pipCache },
  });
  return { ...r, v };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Alternating pairs; per pair ratio too (pooled), the medians and the pages each side asked for. */
async function compare(label) {
  const safe = [];
  const pip = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [runSafe, runPip] : [runPip, runSafe];
    for (const fn of order) {
      const r = await fn();
      (fn === runSafe ? safe : pip).push(r);
    }
    console.log(`${label} run ${i + 1}: safe-pip ${safe.at(-1).ms.toFixed(0)} ms (${safe.at(-1).pages} index requests), pip ${pip.at(-1).ms.toFixed(0)} ms (${pip.at(-1).pages} index requests)`);
  }
  const ms = median(safe.map((r) => r.ms));
  const mp = median(pip.map((r) => r.ms));
  const pairs = safe.map((r, i) => r.ms / pip[i].ms);
  const cpu = median(safe.map((r) => r.cpu)) / median(pip.map((r) => r.cpu));
  console.log(`${label}: median safe-pip ${ms.toFixed(0)} ms, median pip ${mp.toFixed(0)} ms, ratio of medians ${(ms / mp).toFixed(2)}, pair ratios ${Math.min(...pairs).toFixed(2)}–${Math.max(...pairs).toFixed(2)}, median pair ratio ${median(pairs).toFixed(2)} (goal <= 1.3); CPU seconds ${median(safe.map((r) => r.cpu)).toFixed(2)} vs ${median(pip.map((r) => r.cpu)).toFixed(2)} (${cpu.toFixed(2)}); index requests per run: safe-pip ${median(safe.map((r) => r.pages))}, pip ${median(pip.map((r) => r.pages))}`);
  return ms / mp;
}

try {
  console.log(`${new Date().toISOString()} load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  // Warm both paths (pip's http cache, wheel cache, the page cache) once, and count what installs.
  await runPip();
  const warm = await runSafe({ SAFE_PIP_TIMING: '1' });
  const installed = execFileSync(join(warm.v, 'bin', 'python'), ['-m', 'pip', 'freeze'], { env: baseEnv }).toString().trim().split('\n');
  console.log(`packages: ${pkgs.join(' ')} → ${installed.length} wheels (${installed.join(' ')})`);
  const profile = await runSafe({ SAFE_PIP_TIMING: '1' });
  console.log(`safe-pip phases: ${profile.err.split('\n').filter((l) => / ms /.test(l)).map((l) => l.replace('safe-pip: ', '')).join('; ')}; exit at ${profile.ms.toFixed(0)} ms`);
  await compare('local index');
  delay = delayMs;
  await compare(`slow index (+${delayMs} ms per index request)`);
  console.log(`load average at the end ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
} finally {
  server.close();
  rmSync(root, { recursive: true, force: true });
}
