#!/usr/bin/env node
/**
 * safe-pip install vs pip install --only-binary=:all:, same packages, fresh venvs owned by nobody,
 * warm caches, alternating in one run. Wheels come from a local PEP 503 folder (default
 * /opt/pypi: simple/<name>/index.html + files/) served over http on 127.0.0.1.
 *
 *   node bench/pip-install-ratio.mjs [--runs N] [--index-dir DIR] [pkg...]
 *
 * Needs root (venvs are chowned to nobody; safe-pip drops to the venv owner), `npm run build`, and
 * /usr/bin/python3 with venv. Prints each timing, the medians and the ratio (goal <= 1.5).
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
let indexDir = '/opt/pypi';
const pkgs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--index-dir') indexDir = args[++i];
  else pkgs.push(args[i]);
}
if (pkgs.length === 0) pkgs.push('requests', 'flask', 'python-dateutil', 'attrs', 'packaging');
const PY = '/usr/bin/python3';
const NOBODY = 65534;
if (process.getuid() !== 0) throw new Error('run as root (venvs are owned by nobody)');
if (!existsSync(join(indexDir, 'simple'))) {
  console.log(`no local index at ${indexDir}/simple: pass --index-dir`);
  process.exit(0);
}

// A static server over the PEP 503 folder (index.html per project; files by relative links).
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  let file = join(indexDir, path);
  if (!file.startsWith(indexDir)) return res.writeHead(403).end();
  try {
    if (statSync(file).isDirectory()) file = join(file, 'index.html');
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end('not found');
  }
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

function timed(file, argv, opts) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) reject(new Error(`${file} ${argv.join(' ')} exited ${code}:\n${err}`));
      else resolve(ms);
    });
  });
}

async function runSafe() {
  const v = freshVenv();
  const ms = await timed(process.execPath, [join(repo, 'bin', 'safe-pip.js'), 'install', '-q', '-i', indexUrl, '--safe-yes', ...pkgs], {
    cwd: root, env: { ...baseEnv, PATH: `${join(v, 'bin')}:${baseEnv.PATH}` },
  });
  return { ms, v };
}

async function runPip() {
  const v = freshVenv();
  const ms = await timed(join(v, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '-i', indexUrl, '--only-binary=:all:', ...pkgs], {
    cwd: root, uid: NOBODY, gid: NOBODY, env: { ...baseEnv, HOME: '/nonexistent', PIP_CACHE_DIR: pipCache },
  });
  return { ms, v };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  // Warm both paths (pip's http cache, wheel cache, the page cache) once, and count what installs.
  await runPip();
  const warm = await runSafe();
  const installed = execFileSync(join(warm.v, 'bin', 'python'), ['-m', 'pip', 'freeze'], { env: baseEnv }).toString().trim().split('\n');
  console.log(`packages: ${pkgs.join(' ')} → ${installed.length} wheels (${installed.join(' ')})`);
  const safe = [];
  const pip = [];
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? [runSafe, runPip] : [runPip, runSafe];
    for (const fn of order) {
      const { ms } = await fn();
      (fn === runSafe ? safe : pip).push(ms);
    }
    console.log(`run ${i + 1}: safe-pip ${safe.at(-1).toFixed(0)} ms, pip ${pip.at(-1).toFixed(0)} ms`);
  }
  const ms = median(safe);
  const mp = median(pip);
  console.log(`median safe-pip install: ${ms.toFixed(0)} ms`);
  console.log(`median pip install --only-binary=:all:: ${mp.toFixed(0)} ms`);
  console.log(`ratio: ${(ms / mp).toFixed(2)} (goal <= 1.5)`);
} finally {
  server.close();
  rmSync(root, { recursive: true, force: true });
}
