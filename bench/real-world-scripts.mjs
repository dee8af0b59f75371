#!/usr/bin/env node
/**
 * Real-world check of the vetted install-script replay (issue 3), against the npm registry this
 * machine reaches. OPT-IN: this is a node script, not a vitest test, so CI never runs it.
 *
 *   npx tsc -p tsconfig.json && node bench/real-world-scripts.mjs
 *        [--scenarios root,nobody,root+net,nobody+net,no-nodedir] [--esbuild <range>] [--native <name>@<range>]
 *        [--keep] [--json <file>]
 *
 * Must run as root (scripts are replayed as the unprivileged build user `nobody`). Each scenario gets a
 * fresh temp project and an isolated HOME / XDG_CONFIG_HOME / XDG_CACHE_HOME / SAFE_NPM_CACHE_ROOT; the
 * machine's npm configuration otherwise (global npmrc: registry mirror, cafile; root's ~/.npmrc is
 * copied into the temp HOME, so `nodedir=/usr` reaches safe-npm the way it would for root).
 *
 * Scenarios (default: all but none skipped):
 *   root         project owned by root: npm runs as nobody in a staging copy, scripts replayed as nobody
 *   nobody       project owned by nobody: npm and the scripts run as nobody, in place
 *   root+net     like root, the approvals granted network access (`safe approve … --network`)
 *   nobody+net   like nobody, with network
 *   no-nodedir   control: root project, the temp HOME's .npmrc without nodedir; shows what node-gyp
 *                needs when it has no local Node headers (expected to FAIL the native build)
 *
 * Per scenario:
 *   0. `safe-npm safe check <esbuild@X> <native@Y>` (findings shown; informational)
 *   1. `safe-npm safe approve esbuild@X [--network]` and the same for the native package
 *   2. `safe-npm install esbuild@X native@Y`, stdin not a TTY. SAFE_NPM_YES=1 only if it stops with 66
 *      (a warn finding needs confirmation); the findings are then printed. While it runs, /proc is
 *      sampled: uid, network namespace and environment of the script processes (bwrap, sh, node-gyp,
 *      make, cc1plus, node install.js), so "as nobody, in bwrap, no network" is observed, not assumed.
 *   3. As root: require esbuild (transformSync) and better-sqlite3 (select 1); stat the build folder;
 *      owners of everything under node_modules; build/config.gypi's nodedir.
 *   4. Timings and a PASS/FAIL summary; exit 1 on any failure (a control scenario passes when its
 *      build fails the way it is expected to).
 *
 * Versions are exact: the newest in range whose publish time is older than the release cooldown
 * (48 h) plus a margin, so the cooldown does not pick another version than the one approved.
 * Logs (full install output, summary JSON) are kept in a logs folder printed at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(repo, 'package.json'));
const semver = require('semver');
const SAFE_NPM = join(repo, 'bin', 'safe-npm.js');

// ---------------------------------------------------------------------------------------------
// Options

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > -1 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const ALL_SCENARIOS = ['root', 'nobody', 'root+net', 'nobody+net', 'no-nodedir'];
const scenarioNames = option('--scenarios', ALL_SCENARIOS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
const esbuildRange = option('--esbuild', '*');
const nativeArg = option('--native', 'better-sqlite3@12');
const keep = process.argv.includes('--keep');
const jsonOut = option('--json', undefined);
const COOLDOWN_MARGIN_HOURS = 48 + 24;

for (const s of scenarioNames) {
  if (!ALL_SCENARIOS.includes(s)) fail(`unknown scenario "${s}" (one of ${ALL_SCENARIOS.join(', ')})`);
}
if (process.getuid?.() !== 0) fail('run as root: scripts are replayed as the unprivileged build user (nobody)');
if (!existsSync(join(repo, 'dist', 'cli', 'safe-npm.js'))) fail('build first: npx tsc -p tsconfig.json');
const nobody = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[0] === 'nobody');
if (!nobody) fail('user "nobody" does not exist');
const NOBODY = { uid: Number(nobody[2]), gid: Number(nobody[3]) };

function fail(message) {
  console.error(`real-world-scripts: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)}s`;
const stamp = () => `[${secs(Date.now() - t0).padStart(7)}]`;
const say = (line) => console.log(`${stamp()} ${line}`);

/** Environment of the bench itself, without anything npm or safe-npm would read from a caller. */
function cleanParentEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (/^(npm_|SAFE_NPM_|SAFE_PIP_)/i.test(k) || k === 'INIT_CWD') delete env[k];
  }
  return env;
}

/** Run a command to completion, output captured with per-line timestamps (and optionally echoed). */
function run(cmd, args, { cwd, env, timeoutMs = 120_000, echo, uid, gid } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const lines = [];
    const child = spawn(cmd, args, { cwd, env, uid, gid, stdio: ['ignore', 'pipe', 'pipe'] });
    const pending = { stdout: '', stderr: '' };
    const feed = (stream) => (chunk) => {
      const text = pending[stream] + chunk.toString('utf8');
      const parts = text.split('\n');
      pending[stream] = parts.pop() ?? '';
      for (const line of parts) {
        const entry = { t: Date.now() - started, stream, line: line.replace(/\r$/, '') };
        lines.push(entry);
        echo?.(entry);
      }
    };
    child.stdout.on('data', feed('stdout'));
    child.stderr.on('data', feed('stderr'));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, error: error.message, lines, ms: Date.now() - started, timedOut, pid: child.pid });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const s of ['stdout', 'stderr']) if (pending[s]) lines.push({ t: Date.now() - started, stream: s, line: pending[s] });
      resolve({ code, signal, lines, ms: Date.now() - started, timedOut, pid: child.pid });
    });
  });
}

const text = (r) => r.lines.map((l) => l.line).join('\n');

// ---------------------------------------------------------------------------------------------
// Versions: exact, older than the release cooldown

function npmJson(args, env) {
  const r = spawnSync('npm', [...args, '--json'], { env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(r.stdout);
}

function resolveVersion(name, range, env) {
  const inRange = [].concat(npmJson(['view', `${name}@${range}`, 'version'], env));
  const times = npmJson(['view', name, 'time'], env);
  const cutoff = Date.now() - COOLDOWN_MARGIN_HOURS * 3_600_000;
  const ok = inRange
    .filter((v) => semver.valid(v) && !semver.prerelease(v))
    .filter((v) => times[v] && Date.parse(times[v]) < cutoff)
    .sort(semver.compare);
  const version = ok.at(-1);
  if (!version) throw new Error(`no version of ${name}@${range} is older than ${COOLDOWN_MARGIN_HOURS} h (of ${inRange.length} in range)`);
  return { name, range, version, published: times[version], newestInRange: inRange.filter((v) => semver.valid(v)).sort(semver.compare).at(-1) };
}

// ---------------------------------------------------------------------------------------------
// /proc sampler: who runs the install scripts, in which network namespace, with which env

const WATCH = /(^|\/)(bwrap|sh|dash|make|cc1|cc1plus|g\+\+|gcc|python3(\.\d+)?)$/;
const WATCH_ARGS = /prebuild-install|node-gyp|install\.js|gyp_main\.py/;
const ENV_KEYS = ['HOME', 'USER', 'PATH', 'TMPDIR', 'npm_config_nodedir', 'npm_config_cache', 'npm_config_devdir', 'npm_config_cafile', 'npm_config_node_gyp', 'npm_config_ignore_scripts', 'NODE_EXTRA_CA_CERTS', 'INIT_CWD', 'npm_lifecycle_event'];
const hostNetNs = readlinkSync('/proc/self/ns/net');

function startSampler(projectDir, everyMs = 40) {
  const startedAt = Date.now();
  const seen = new Map(); // pid|cmd -> record
  const sample = () => {
    let pids;
    try {
      pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
    } catch {
      return;
    }
    for (const pid of pids) {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        if (!argv.length) continue;
        const cmd = argv.join(' ');
        const matches = WATCH.test(argv[0]) ? (argv[0].endsWith('bwrap') ? cmd.includes(projectDir) : true) : WATCH_ARGS.test(cmd);
        if (!matches) continue;
        const key = `${pid}|${cmd}`;
        const known = seen.get(key);
        if (known) {
          known.lastSeen = Date.now() - startedAt;
          continue;
        }
        let cwd = '';
        try {
          cwd = readlinkSync(`/proc/${pid}/cwd`);
        } catch { /* gone */ }
        // Only processes of this project's scripts (bwrap lines name the project; others run in it).
        if (!argv[0].endsWith('bwrap') && !cwd.startsWith(projectDir)) continue;
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const euid = Number(/^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1]);
        const netns = readlinkSync(`/proc/${pid}/ns/net`);
        const rec = { firstSeen: Date.now() - startedAt, lastSeen: Date.now() - startedAt, pid: Number(pid), euid, netns, ownNet: netns !== hostNetNs, cwd, argv0: argv[0], cmd: cmd.slice(0, 300), pkg: /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(cwd)?.[1] };
        if (argv[0].endsWith('bwrap')) rec.pkg = /--chdir (\S+)/.exec(cmd)?.[1]?.match(/node_modules\/((?:@[^/]+\/)?[^/]+)$/)?.[1];
        if (!argv[0].endsWith('bwrap')) {
          try {
            const env = Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
            rec.envNames = Object.keys(env).sort();
            rec.env = Object.fromEntries(ENV_KEYS.filter((k) => k in env).map((k) => [k, env[k]]));
          } catch { /* gone */ }
        }
        seen.set(key, rec);
      } catch {
        /* the process ended while we looked */
      }
    }
  };
  const timer = setInterval(sample, everyMs);
  return { stop: () => { clearInterval(timer); sample(); return [...seen.values()]; } };
}

// ---------------------------------------------------------------------------------------------
// Filesystem facts

function ownersUnder(dir, expected) {
  const counts = new Map();
  const others = [];
  const visit = (d) => {
    let names;
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      const k = `${st.uid}:${st.gid}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (k !== expected) others.push(`${relative(dir, p)} (${k}, mode ${(st.mode & 0o7777).toString(8)}, nlink ${st.nlink})`);
      if (st.isDirectory()) visit(p);
    }
  };
  visit(dir);
  return { counts: Object.fromEntries(counts), others };
}

function filesUnder(dir, limit = 12) {
  const out = [];
  let total = 0;
  const visit = (d) => {
    let names;
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) visit(p);
      else {
        total++;
        if (out.length < limit) out.push(relative(dir, p));
      }
    }
  };
  visit(dir);
  return { total, sample: out };
}

// ---------------------------------------------------------------------------------------------
// One scenario

async function scenario(name, versions, logsDir) {
  const owner = name.startsWith('nobody') ? 'nobody' : 'root';
  const network = name.endsWith('+net');
  const control = name === 'no-nodedir';
  const [esb, nat] = versions;
  const specs = [`${esb.name}@${esb.version}`, `${nat.name}@${nat.version}`];
  const res = { name, owner, network, control, phases: {}, checks: [], scripts: {}, facts: {} };
  const check = (what, ok, detail = '') => {
    res.checks.push({ what, ok, detail });
    say(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
  };
  const phase = (key, r) => {
    res.phases[key] = { ms: r.ms, exitCode: r.code };
    return r;
  };

  say(`== scenario ${name}: project owned by ${owner}, approvals ${network ? 'WITH' : 'without'} --network${control ? ', .npmrc without nodedir (control)' : ''}`);
  const work = mkdtempSync(join(tmpdir(), `safe-npm-realworld-${name.replace('+', '-')}-`));
  chmodSync(work, 0o755); // nobody must reach the project and the cache root
  const home = join(work, 'home');
  mkdirSync(home, { mode: 0o700 });
  const rootNpmrc = '/root/.npmrc';
  if (existsSync(rootNpmrc)) {
    if (control) {
      writeFileSync(join(home, '.npmrc'), readFileSync(rootNpmrc, 'utf8').split('\n').filter((l) => !/^\s*nodedir\s*=/.test(l)).join('\n'), { mode: 0o600 });
    } else copyFileSync(rootNpmrc, join(home, '.npmrc'));
  }
  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'realworld-scripts', version: '1.0.0', private: true }, null, 2)}\n`);
  if (owner === 'nobody') {
    chownSync(project, NOBODY.uid, NOBODY.gid);
    chownSync(join(project, 'package.json'), NOBODY.uid, NOBODY.gid);
  }
  const cacheRoot = join(work, 'cache-root');
  const env = {
    ...cleanParentEnv(),
    HOME: home,
    XDG_CONFIG_HOME: join(work, 'xdg-config'),
    XDG_CACHE_HOME: join(work, 'xdg-cache'),
    SAFE_NPM_CACHE_ROOT: cacheRoot,
    // Canaries: a script must never see these.
    BENCH_CANARY_TOKEN: 'canary-should-not-leak',
    AWS_SECRET_ACCESS_KEY: 'canary-should-not-leak',
  };
  const nodedirExpected = spawnSync('npm', ['config', 'get', 'nodedir'], { cwd: project, env, encoding: 'utf8' }).stdout.trim();
  res.facts.npmNodedir = nodedirExpected;
  say(`  npm config get nodedir (as root, with this HOME): ${nodedirExpected}`);

  // 0. check (informational)
  const checkRun = phase('check', await run(process.execPath, [SAFE_NPM, 'safe', 'check', ...specs], { cwd: project, env }));
  say(`  0. safe check ${specs.join(' ')}: exit ${checkRun.code} (${secs(checkRun.ms)})`);
  for (const l of checkRun.lines) if (/warn|block/.test(l.line) && !/^\d+ checked/.test(l.line)) say(`     | ${l.line}`);

  // 1. approvals
  for (const [i, spec] of specs.entries()) {
    const args = [SAFE_NPM, 'safe', 'approve', spec, ...(network ? ['--network'] : [])];
    const r = phase(`approve ${spec}`, await run(process.execPath, args, { cwd: project, env }));
    say(`  1${'ab'[i]}. safe approve ${spec}${network ? ' --network' : ''}: exit ${r.code} (${secs(r.ms)})`);
    for (const l of r.lines) say(`     | ${l.line}`);
    check(`approve ${spec}`, r.code === 0 && /approved /.test(text(r)), r.code === 0 ? '' : text(r).split('\n').slice(-2).join(' '));
  }

  // 2. install, non-interactive, sampled
  const installArgs = [SAFE_NPM, 'install', ...specs];
  const logFile = join(logsDir, `${name}-install.log`);
  const interesting = /^safe-npm|^npm (warn|error)|^added|^changed|^up to date| > |prebuild-install|gyp (info ok|ERR|http|info find Python|info using)|^\[[^\]]+\] (Error|error)/;
  const echo = ({ t, line }) => {
    if (interesting.test(line) && !/^\[[^\]]+\]\s+\d+ \|/.test(line)) say(`     ${secs(t).padStart(6)} | ${line.slice(0, 240)}`);
  };
  const runInstall = async (yes) => {
    const sampler = startSampler(project);
    const r = await run(process.execPath, installArgs, { cwd: project, env: yes ? { ...env, SAFE_NPM_YES: '1' } : env, timeoutMs: 25 * 60_000, echo });
    r.procs = sampler.stop();
    return r;
  };
  say(`  2. safe-npm install ${specs.join(' ')} (stdin not a TTY)`);
  let install = await runInstall(false);
  res.usedYes = false;
  if (install.code === 66) {
    const findings = install.lines.filter((l) => /warn/.test(l.line)).map((l) => l.line);
    say(`     exit 66 (a warn finding needs confirmation): retrying with SAFE_NPM_YES=1 because of:`);
    for (const f of findings) say(`     | ${f}`);
    res.usedYes = true;
    res.yesBecause = findings;
    install = await runInstall(true);
  }
  phase('install', install);
  writeFileSync(logFile, install.lines.map((l) => `${secs(l.t).padStart(7)} ${l.stream === 'stderr' ? 'E' : 'O'} ${l.line}`).join('\n') + '\n');
  say(`     install exit ${install.code}${install.timedOut ? ' (TIMED OUT)' : ''} in ${secs(install.ms)}; full log: ${logFile}`);

  // Scripts that ran, from the runner's `[name@version event] > script` lines; durations ≈ first to last prefixed line.
  const started = [];
  for (const [i, l] of install.lines.entries()) {
    const m = /^\[((?:@[^/\s]+\/)?[^@\s]+)@(\S+) (preinstall|install|postinstall|prepare)\] > (.*)$/.exec(l.line);
    if (!m) continue;
    const prefix = `[${m[1]}@${m[2]} ${m[3]}]`;
    // Until the next line that is not this script's (or the end of the install): an upper bound.
    const next = install.lines.slice(i + 1).find((x) => !x.line.startsWith(prefix));
    started.push({ key: `${m[1]}@${m[2]} ${m[3]}`, pkg: m[1], script: m[4], ms: (next ? next.t : install.ms) - l.t });
  }
  res.scripts.ran = started;
  for (const s of started) {
    const ps = install.procs.filter((p) => p.pkg === s.pkg);
    s.observedMs = ps.length ? Math.max(...ps.map((p) => p.lastSeen)) - Math.min(...ps.map((p) => p.firstSeen)) : undefined;
    say(`     script ${s.key}: ≤ ${secs(s.ms)} by its output${s.observedMs !== undefined ? `, ≥ ${secs(s.observedMs)} by its processes` : ''}: ${s.script}`);
  }
  const output = text(install);
  res.facts.prebuildInstall = install.lines.filter((l) => /prebuild-install (warn|info|err)/i.test(l.line)).map((l) => l.line);
  res.facts.nodeGypHttp = install.lines.filter((l) => /gyp (http|ERR)/.test(l.line)).map((l) => l.line).slice(0, 12);
  res.facts.safeNpmLines = install.lines.filter((l) => /^safe-npm/.test(l.line)).map((l) => l.line);

  const expectRan = [`${esb.name}@${esb.version} postinstall`, `${nat.name}@${nat.version} install`].sort();
  const ranKeys = started.map((s) => s.key).sort();

  // Process observations
  const procs = install.procs;
  res.procs = procs;
  const byPkg = (pkg) => procs.filter((p) => p.pkg === pkg);
  const report = (pkg) => {
    const ps = byPkg(pkg);
    const bw = ps.filter((p) => p.argv0.endsWith('bwrap'));
    const inner = ps.filter((p) => !p.argv0.endsWith('bwrap'));
    const uids = [...new Set(ps.map((p) => p.euid))];
    const withEnv = inner.find((p) => p.env);
    return { count: ps.length, bwrap: bw.length, bwrapShareNet: bw.some((p) => /--share-net/.test(p.cmd)), bwrapArgs: bw[0]?.cmd, uids, innerOwnNet: [...new Set(inner.map((p) => p.ownNet))], env: withEnv?.env, envNames: withEnv?.envNames, sample: [...new Set(inner.map((p) => p.cmd.slice(0, 120)))].slice(0, 8) };
  };
  res.observed = { [esb.name]: report(esb.name), [nat.name]: report(nat.name) };
  for (const [pkg, o] of Object.entries(res.observed)) {
    say(`     observed ${pkg}: ${o.count} processes, uids ${JSON.stringify(o.uids)}, bwrap ${o.bwrap}${o.bwrapShareNet ? ' (--share-net)' : ''}, own netns ${JSON.stringify(o.innerOwnNet)}`);
    if (o.env) say(`       env: ${JSON.stringify(o.env)}`);
  }

  if (control) {
    // Expected: the native build fails because node-gyp has no headers and cannot download them.
    const failedNative = install.code !== 0 && /better-sqlite3|gyp ERR/.test(output);
    check('control: without nodedir the native build fails (node-gyp needs headers it cannot fetch)', failedNative, res.facts.nodeGypHttp.slice(0, 4).join(' | '));
    res.facts.controlTail = install.lines.filter((l) => /gyp ERR|safe-npm: /.test(l.line)).map((l) => l.line).slice(0, 20);
    for (const l of res.facts.controlTail) say(`     | ${l}`);
    return finish();
  }

  check('install exits 0', install.code === 0, install.code === 0 ? '' : `exit ${install.code}`);
  check('exactly the two approved scripts ran', JSON.stringify(ranKeys) === JSON.stringify(expectRan), ranKeys.join(', ') || '(none)');
  check('no script withheld or failed', !/withheld|failed|not run:/.test(res.facts.safeNpmLines.join('\n')), res.facts.safeNpmLines.filter((l) => /withheld|failed|not run:/.test(l)).join(' | '));
  check('sandboxed (no "without a sandbox" notice)', !/without a sandbox|sandbox required/.test(output));
  for (const [pkg, o] of Object.entries(res.observed)) {
    if (o.count === 0) {
      // esbuild's `node install.js` lasts ~100 ms: the sampler may miss it entirely.
      check(`${pkg}: script processes observed`, pkg === esb.name, pkg === esb.name ? 'too short to sample (not a failure)' : 'none seen');
      continue;
    }
    check(`${pkg}: every script process runs as nobody (uid ${NOBODY.uid})`, o.uids.every((u) => u === NOBODY.uid), `uids ${JSON.stringify(o.uids)}`);
    if (o.bwrap) check(`${pkg}: bwrap ${network ? 'shares' : 'does not share'} the network`, o.bwrapShareNet === network, o.bwrapShareNet ? '--share-net' : 'no --share-net');
    if (o.innerOwnNet.length) check(`${pkg}: script's network namespace ${network ? 'is the host\'s' : 'is its own (no network)'}`, o.innerOwnNet.every((own) => own === !network), JSON.stringify(o.innerOwnNet));
    if (o.env) {
      check(`${pkg}: npm_config_nodedir in the script env = npm's nodedir (${nodedirExpected})`, o.env.npm_config_nodedir === nodedirExpected, `got ${o.env.npm_config_nodedir}`);
      const leaked = (o.envNames ?? []).filter((k) => /CANARY|AWS_SECRET|XDG_CONFIG_HOME|SAFE_NPM_CACHE_ROOT/.test(k));
      check(`${pkg}: canary secrets and bench env not in the script env`, leaked.length === 0, leaked.join(', '));
    }
  }
  const nat0 = res.observed[nat.name];
  if (!nat0.bwrap) check(`${nat.name}: a bwrap process was observed`, false, 'none seen');

  // 3. as root: use them
  const esbuildUse = phase('require esbuild (root)', await run(process.execPath, ['-e', "const r=require('esbuild').transformSync('let x: number = 1', {loader:'ts'}); console.log(JSON.stringify(r.code))"], { cwd: project, env }));
  say(`  3. node -e require('esbuild').transformSync(...) as root: exit ${esbuildUse.code} (${secs(esbuildUse.ms)}): ${text(esbuildUse).trim().split('\n').slice(-3).join(' | ')}`);
  check('esbuild transformSync works (root)', esbuildUse.code === 0 && /let x = 1;/.test(text(esbuildUse)));
  const sqliteUse = phase('require better-sqlite3 (root)', await run(process.execPath, ['-e', "const D=require('better-sqlite3'); console.log(JSON.stringify(new D(':memory:').prepare('select 1 as x').get()))"], { cwd: project, env }));
  say(`     node -e new (require('better-sqlite3'))(':memory:')... as root: exit ${sqliteUse.code} (${secs(sqliteUse.ms)}): ${text(sqliteUse).trim().split('\n').slice(-3).join(' | ')}`);
  check('better-sqlite3 select 1 works (root)', sqliteUse.code === 0 && /\{"x":1\}/.test(text(sqliteUse)));
  // esbuild's install.js hard-links the platform binary over bin/esbuild (its JS launcher) when it can;
  // in the sandbox the sibling @esbuild/* folder is another (read-only) mount, so it keeps the launcher.
  const esbuildBin = join(project, 'node_modules', 'esbuild', 'bin', 'esbuild');
  res.facts.esbuildBin = existsSync(esbuildBin) ? (readFileSync(esbuildBin).subarray(0, 4).toString('latin1') === '\x7fELF' ? 'native binary (optimized by install.js)' : 'JS launcher (install.js did not replace it)') : 'missing';
  const cli = await run(join(project, 'node_modules', '.bin', 'esbuild'), ['--version'], { cwd: project, env });
  say(`     node_modules/.bin/esbuild --version as root: exit ${cli.code}: ${text(cli).trim()} (bin/esbuild is the ${res.facts.esbuildBin})`);
  check('esbuild CLI works (root)', cli.code === 0 && text(cli).trim() === esb.version, text(cli).trim());
  if (owner === 'nobody') {
    const asOwner = await run(process.execPath, ['-e', "const D=require('better-sqlite3'); console.log(JSON.stringify(new D(':memory:').prepare('select 1 as x').get())); console.log(require('esbuild').transformSync('let y: string = \"a\"', {loader:'ts'}).code.trim())"], { cwd: project, env: { PATH: '/usr/bin:/bin', HOME: '/tmp' }, uid: NOBODY.uid, gid: NOBODY.gid });
    say(`     the same as the project owner (nobody): exit ${asOwner.code}: ${text(asOwner).trim().split('\n').slice(-2).join(' | ')}`);
    check('better-sqlite3 and esbuild work as the owner (nobody)', asOwner.code === 0 && /\{"x":1\}/.test(text(asOwner)));
  }
  const buildDir = join(project, 'node_modules', nat.name, 'build');
  const addon = join(buildDir, 'Release', 'better_sqlite3.node');
  const st = spawnSync('stat', ['-c', '%U:%G %a %n', buildDir, join(buildDir, 'Release'), addon, join(project, 'node_modules', nat.name)], { encoding: 'utf8' });
  res.facts.stat = (st.stdout + st.stderr).trim().split('\n');
  say('     stat:');
  for (const l of res.facts.stat) say(`     | ${l}`);
  const ownerIds = owner === 'nobody' ? `${NOBODY.uid}:${NOBODY.gid}` : '0:0';
  const { counts: owners, others } = ownersUnder(join(project, 'node_modules'), ownerIds);
  res.facts.nodeModulesOwners = owners;
  res.facts.notOwnedByProjectOwner = others;
  say(`     owners under node_modules (uid:gid → entries): ${JSON.stringify(owners)}`);
  for (const o of others.slice(0, 12)) say(`     | not the project owner's: node_modules/${o}`);
  check(`everything under node_modules belongs to the project owner (${ownerIds})`, others.length === 0, others.length ? `${others.length} entries are not: ${JSON.stringify(owners)}` : '');
  const gypi = existsSync(join(buildDir, 'config.gypi')) ? /"nodedir":\s*"([^"]*)"/.exec(readFileSync(join(buildDir, 'config.gypi'), 'utf8'))?.[1] : undefined;
  res.facts.configGypiNodedir = gypi;
  check(`build/config.gypi nodedir = ${nodedirExpected}`, gypi === nodedirExpected, `got ${gypi}`);
  check('the addon was compiled here (build/Release/better_sqlite3.node exists)', existsSync(addon));
  const prebuilt = res.facts.prebuildInstall.join(' | ');
  say(`     prebuild-install said: ${prebuilt || '(nothing)'}`);

  return finish();

  function finish() {
    // What the scripts left in the build user's persistent cache/HOME.
    const scriptsCache = join(cacheRoot, 'nobody', 'scripts');
    res.facts.scriptsCache = Object.fromEntries(['home', 'npm', 'node-gyp'].map((d) => [d, filesUnder(join(scriptsCache, d), 6)]));
    say(`     build user's script cache (${scriptsCache}): ${Object.entries(res.facts.scriptsCache).map(([d, f]) => `${d}: ${f.total} files${f.sample.length ? ` (${f.sample.slice(0, 3).join(', ')})` : ''}`).join('; ')}`);
    res.ok = res.checks.every((c) => c.ok);
    res.work = work;
    if (!keep) rmSync(work, { recursive: true, force: true });
    return res;
  }
}

// ---------------------------------------------------------------------------------------------
// Main

const logsDir = mkdtempSync(join(tmpdir(), 'safe-npm-realworld-logs-'));
const resolveHome = mkdtempSync(join(tmpdir(), 'safe-npm-realworld-resolve-'));
if (existsSync('/root/.npmrc')) copyFileSync('/root/.npmrc', join(resolveHome, '.npmrc'));
const resolveEnv = { ...cleanParentEnv(), HOME: resolveHome };
say(`safe-npm real-world install-script replay; node ${process.version}; npm ${spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim()}; registry ${spawnSync('npm', ['config', 'get', 'registry'], { env: resolveEnv, encoding: 'utf8' }).stdout.trim()}`);
say(`bwrap: ${['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'].find((p) => existsSync(p)) ?? 'NOT INSTALLED (scripts would run unsandboxed)'}`);
const tResolve = Date.now();
let versions;
try {
  const [nativeName, nativeRange] = nativeArg.startsWith('@') ? ['@' + nativeArg.slice(1).split('@')[0], nativeArg.slice(1).split('@')[1] ?? '*'] : [nativeArg.split('@')[0], nativeArg.split('@')[1] ?? '*'];
  versions = [resolveVersion('esbuild', esbuildRange, resolveEnv), resolveVersion(nativeName, nativeRange, resolveEnv)];
} catch (error) {
  fail(error.message);
} finally {
  rmSync(resolveHome, { recursive: true, force: true });
}
const resolveMs = Date.now() - tResolve;
for (const v of versions) say(`resolved ${v.name}@${v.range} → ${v.version} (published ${v.published}; newest in range ${v.newestInRange}) in ${secs(resolveMs)}`);

const results = [];
for (const name of scenarioNames) {
  try {
    results.push(await scenario(name, versions, logsDir));
  } catch (error) {
    say(`scenario ${name} crashed: ${error.stack}`);
    results.push({ name, ok: false, checks: [{ what: 'scenario ran', ok: false, detail: error.message }], phases: {} });
  }
}

console.log('');
console.log('==================== summary ====================');
console.log(`versions: ${versions.map((v) => `${v.name}@${v.version}`).join(', ')} (resolved in ${secs(resolveMs)})`);
for (const r of results) {
  const phases = Object.entries(r.phases).map(([k, p]) => `${k} ${secs(p.ms)}${p.exitCode ? ` (exit ${p.exitCode})` : ''}`).join('; ');
  const scripts = (r.scripts?.ran ?? []).map((s) => `${s.key} ${s.observedMs !== undefined ? `${secs(s.observedMs)}–` : '≤'}${secs(s.ms)}`).join(', ');
  console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}${r.control ? ' (control: expected build failure)' : ''}${r.usedYes ? ' [SAFE_NPM_YES=1 used]' : ''}`);
  console.log(`      phases: ${phases}`);
  if (scripts) console.log(`      scripts: ${scripts}`);
  for (const c of r.checks.filter((c) => !c.ok)) console.log(`      failed: ${c.what}${c.detail ? ` — ${c.detail}` : ''}`);
}
const allOk = results.every((r) => r.ok);
const summary = { when: new Date().toISOString(), node: process.version, versions, resolveMs, results, logsDir };
const summaryFile = jsonOut ?? join(logsDir, 'summary.json');
writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`${allOk ? 'PASS' : 'FAIL'}: ${results.filter((r) => r.ok).length}/${results.length} scenarios; total ${secs(Date.now() - t0)}; logs and summary: ${logsDir}${jsonOut ? `, ${jsonOut}` : ''}`);
process.exitCode = allOk ? 0 : 1;
