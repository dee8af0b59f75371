/**
 * Real replay: packages packed into tarballs, installed with `npm install --ignore-scripts` as
 * nobody (file: deps, dead registry, --offline), then discovered, classified and replayed by our
 * runner as nobody inside bwrap. Proof comes from the file system: markers, order log, owners (stat).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../src/config/settings.js';
import { lookupUser } from '../../src/run/users.js';
import { classify, makeApproval } from '../../src/npm/scripts/approvals.js';
import { discoverInstallScripts } from '../../src/npm/scripts/discover.js';
import { planReplay } from '../../src/npm/scripts/order.js';
import { runInstallScripts, type RunnerDeps } from '../../src/npm/scripts/runner.js';
import { findBwrap } from '../../src/npm/scripts/sandbox.js';
import { locateToolchain } from '../../src/npm/scripts/toolchain.js';
import type { ScriptCandidate } from '../../src/npm/scripts/types.js';
import { makeTempDir } from '../helpers/projects.js';

const isRoot = process.geteuid?.() === 0;
const nobody = lookupUser('nobody')!;
const bwrap = findBwrap();
const NODE = '/usr/bin/node';
const NPM_CLI = '/usr/lib/node_modules/npm/bin/npm-cli.js';
const canRun = isRoot && Boolean(nobody) && existsSync(NODE) && existsSync(NPM_CLI);

interface Pkg {
  name: string;
  deps?: Record<string, string>;
  scripts?: Record<string, string>;
  files?: Record<string, string>;
}

let work: string;
let proj: string;
let cacheDir: string;
let outside: string;
let server: Server;
let port = 0;
let connections = 0;
let candidates: ScriptCandidate[];

const home = () => join(cacheDir, 'home');
const log = (line: string) => `echo ${line} >> "$HOME/order.log"`;
const mark = (name: string) => `mkdir -p "$HOME/markers" && touch "$HOME/markers/${name}"`;

function packages(): Pkg[] {
  return [
    { name: 'b', scripts: { preinstall: log('b-preinstall'), install: `${log('b-install')} && ${mark('b')} && touch ./written-by-b` } },
    { name: 'a', deps: { b: '^1.0.0' }, scripts: { install: `${log('a-install')} && ${mark('a')} && touch ./written-by-a`, postinstall: log('a-postinstall') } },
    { name: 'c', scripts: { postinstall: `${log('c-postinstall')} && ${mark('c')}` } },
    {
      name: 'd',
      files: {
        'binding.gyp': JSON.stringify({ targets: [{ target_name: 'addon', sources: ['addon.cc'] }] }),
        'addon.cc': [
          '#include <node_api.h>',
          'static napi_value Hello(napi_env env, napi_callback_info info) {',
          '  napi_value out; napi_create_string_utf8(env, "hello from d", NAPI_AUTO_LENGTH, &out); return out;',
          '}',
          'NAPI_MODULE_INIT() {',
          '  napi_value fn; napi_create_function(env, "hello", NAPI_AUTO_LENGTH, Hello, NULL, &fn);',
          '  napi_set_named_property(env, exports, "hello", fn); return exports;',
          '}',
          '',
        ].join('\n'),
        'index.js': "module.exports = require('./build/Release/addon.node');\n",
      },
    },
    {
      name: 'e',
      scripts: { postinstall: 'node probe.js' },
      files: {
        'probe.js': [
          "const fs = require('fs'); const net = require('net');",
          "const r = { env: Object.keys(process.env).sort(), token: process.env.NPM_TOKEN ?? null, secret: process.env.MY_SECRET ?? null };",
          `try { fs.writeFileSync(${JSON.stringify('OUTSIDE/escaped')}.replace('OUTSIDE', process.argv[2] || ${JSON.stringify('@@OUTSIDE@@')}), 'x'); r.write = 'ok'; } catch (e) { r.write = e.code; }`,
          "const s = net.connect(Number('@@PORT@@'), '127.0.0.1');",
          "const done = (what) => { r.socket = what; s.destroy(); fs.writeFileSync('probe-result.json', JSON.stringify(r)); };",
          "s.on('connect', () => done('connected')); s.on('error', (e) => done(e.code)); setTimeout(() => done('timeout'), 3000).unref();",
          '',
        ].join('\n'),
      },
    },
    { name: 'f', scripts: { install: 'echo building f; echo f is broken >&2; exit 3' } },
    { name: 'g', deps: { f: '^1.0.0' }, scripts: { postinstall: `${log('g-postinstall')} && ${mark('g')}` } },
    { name: 'h', scripts: { install: `${mark('h-started')}; sleep 30 & sleep 30; ${mark('h-finished')}` } },
  ];
}

function sh(cmd: string, args: string[], opts: { cwd: string; uid?: number; gid?: number; env?: Record<string, string> }) {
  const r = spawnSync(cmd, args, { ...opts, encoding: 'utf8', env: opts.env ?? { PATH: '/usr/bin:/bin', HOME: work } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

function deps(over: Partial<RunnerDeps> = {}): RunnerDeps & { lines: string[] } {
  const lines: string[] = [];
  return {
    user: nobody,
    settings: { scriptTimeoutSeconds: 120, sandbox: 'auto' },
    toolchain: locateToolchain({ node: NODE, npmCli: NPM_CLI }),
    npmConfig: { nodedir: '/usr' },
    parentEnv: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', NPM_TOKEN: 'tok-123-secret', MY_SECRET: 'shh-456', HOME: '/root' },
    cacheDir,
    print: (l) => lines.push(l),
    lines,
    ...over,
  };
}

const byName = (n: string) => candidates.find((c) => c.name === n)!;
const only = (...names: string[]) => (c: ScriptCandidate) => (names.includes(c.name) ? { run: true as const } : { run: false as const, reason: 'not approved' });

describe.skipIf(!canRun)('install-script replay (real npm install --ignore-scripts as nobody, bwrap)', () => {
  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;

    work = await makeTempDir('safe-npm-scripts-it-');
    cacheDir = join(work, 'cache');
    outside = join(work, 'outside');
    mkdirSync(outside, { mode: 0o777 });
    chmodSync(outside, 0o777); // writable by everyone: only the sandbox can stop the write
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    for (const p of packages()) {
      const dir = join(work, 'src', p.name);
      mkdirSync(dir, { recursive: true });
      const manifest = { name: p.name, version: '1.0.0', ...(p.deps ? { dependencies: p.deps } : {}), ...(p.scripts ? { scripts: p.scripts } : {}) };
      writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
      for (const [f, text] of Object.entries(p.files ?? {})) writeFileSync(join(dir, f), text.replace('@@OUTSIDE@@', outside).replace('@@PORT@@', String(port)));
      sh(NODE, [NPM_CLI, 'pack', '--ignore-scripts', '--pack-destination', tarballs, dir], { cwd: work });
    }
    proj = join(work, 'proj');
    mkdirSync(proj);
    const rootDeps = Object.fromEntries(packages().map((p) => [p.name, `file:../tarballs/${p.name}-1.0.0.tgz`]));
    writeFileSync(join(proj, 'package.json'), `${JSON.stringify({ name: 'proj', version: '1.0.0', private: true, scripts: { postinstall: 'touch ./root-ran', test: 'exit 1' }, dependencies: rootDeps }, null, 2)}\n`);
    // npm writes node_modules and the lockfile as nobody; the project stays root's.
    const npmHome = join(work, 'npm-home');
    mkdirSync(npmHome);
    chownSync(npmHome, nobody.uid, nobody.gid);
    chmodSync(proj, 0o777);
    sh(NODE, [NPM_CLI, 'install', '--ignore-scripts', '--no-audit', '--no-fund', '--offline', '--registry', 'http://127.0.0.1:9/', '--cache', join(npmHome, 'cache')], {
      cwd: proj,
      uid: nobody.uid,
      gid: nobody.gid,
      env: { PATH: '/usr/bin:/bin', HOME: npmHome, npm_config_ignore_scripts: 'true' },
    });
    chmodSync(proj, 0o755);
    expect(statSync(join(proj, 'node_modules', 'a')).uid).toBe(nobody.uid);
    candidates = await discoverInstallScripts(proj);
  }, 120_000);

  afterAll(() => server?.close());

  it('discovers every package with install scripts, the gyp one included', () => {
    expect(candidates.map((c) => c.name).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'proj']);
    expect(candidates[candidates.length - 1]).toMatchObject({ name: 'proj', isRoot: true, scripts: { postinstall: 'touch ./root-ran' } });
    expect(byName('d').scripts).toEqual({ install: 'node-gyp rebuild' });
    expect(byName('a').dependsOn).toEqual(['node_modules/b']);
    expect(byName('a').source).toBe('file');
    expect(byName('a').problems).toEqual([]);
    // an approval pinned to what was seen classifies as approved
    const decisions = { [makeApproval(byName('a')).key]: makeApproval(byName('a')) };
    expect(classify(byName('a'), { decisions }).status).toBe('approved');
    expect(classify(byName('c'), { decisions }).status).toBe('unreviewed');
  });

  it('runs approved scripts dependencies first, as nobody, sandboxed; never the unapproved one; compiles the gyp addon', async () => {
    const d = deps();
    const plan = planReplay(proj, candidates, only('a', 'b', 'd', 'e'));
    const planned = plan.steps.map((s) => s.candidate.name);
    expect(planned.indexOf('b')).toBeLessThan(planned.indexOf('a'));
    const result = await runInstallScripts(plan, d);
    expect(result.failed.map((f) => [f.candidate.name, f.tail])).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.sandboxed).toBe(Boolean(bwrap));
    expect(result.ran.map((r) => r.candidate.name).sort()).toEqual(['a', 'b', 'd', 'e']);
    expect(result.withheld.map((w) => w.candidate.name).sort()).toEqual(['c', 'f', 'g', 'h', 'proj']);
    expect(existsSync(join(proj, 'root-ran'))).toBe(false);

    // order: B (preinstall, install) before A (install, postinstall); C never ran
    expect(readFileSync(join(home(), 'order.log'), 'utf8').trim().split('\n')).toEqual(['b-preinstall', 'b-install', 'a-install', 'a-postinstall']);
    expect(existsSync(join(home(), 'markers', 'c'))).toBe(false);
    // markers written by the scripts belong to the build user, never root
    for (const m of ['a', 'b']) expect(statSync(join(home(), 'markers', m)).uid).toBe(nobody.uid);
    // the package folder was writable during the script (the touch succeeded) and is the project owner's afterwards
    for (const p of ['a', 'b']) {
      const written = statSync(join(proj, 'node_modules', p, `written-by-${p}`));
      const folder = statSync(join(proj, 'node_modules', p));
      expect(written.uid).toBe(0);
      expect(folder.uid).toBe(0);
      expect(folder.mode & 0o022).toBe(0);
      expect(written.mode & 0o022).toBe(0);
    }
    // output is streamed with the prefix
    expect(d.lines).toContain('[b@1.0.0 install] > ' + byName('b').scripts.install);

    // D was really compiled by node-gyp (nodedir=/usr) and loads
    const addon = join(proj, 'node_modules', 'd', 'build', 'Release', 'addon.node');
    expect(existsSync(addon)).toBe(true);
    const out = sh(NODE, ['-e', `process.stdout.write(require(${JSON.stringify(join(proj, 'node_modules', 'd'))}).hello())`], { cwd: work });
    expect(out).toBe('hello from d');

    // E: no secret in its env; with bwrap, writing outside its folder and opening a socket failed
    const probe = JSON.parse(readFileSync(join(proj, 'node_modules', 'e', 'probe-result.json'), 'utf8'));
    expect(probe.token).toBeNull();
    expect(probe.secret).toBeNull();
    expect(probe.env).not.toContain('NPM_TOKEN');
    if (bwrap) {
      expect(probe.write).toBe('EROFS');
      expect(existsSync(join(outside, 'escaped'))).toBe(false);
      expect(probe.socket).not.toBe('connected');
      expect(connections).toBe(0);
    }
  }, 240_000);

  it('without the sandbox the same probe can write outside and connect (so the sandbox assertions can fail)', async () => {
    const before = connections;
    const result = await runInstallScripts(planReplay(proj, candidates, only('e')), deps({ bwrap: null }));
    expect(result.exitCode).toBe(0);
    expect(result.sandboxed).toBe(false);
    expect(result.notices.join('\n')).toMatch(/bubblewrap \(bwrap\) is not installed/);
    const probe = JSON.parse(readFileSync(join(proj, 'node_modules', 'e', 'probe-result.json'), 'utf8'));
    expect(probe.write).toBe('ok');
    expect(statSync(join(outside, 'escaped')).uid).toBe(nobody.uid);
    expect(probe.socket).toBe('connected');
    expect(connections).toBe(before + 1);
    expect(probe.token).toBeNull();
  });

  it('a failing script: non-zero exit, output tail shown, dependents not run, nothing deleted', async () => {
    const d = deps();
    const result = await runInstallScripts(planReplay(proj, candidates, only('f', 'g')), d);
    expect(result.exitCode).not.toBe(0);
    expect(result.failed.map((f) => [f.candidate.name, f.failedEvent, f.events[0]?.exitCode])).toEqual([['f', 'install', 3]]);
    expect(result.failed[0]!.tail).toEqual(['building f', 'f is broken']);
    expect(result.skippedBecauseDependencyFailed.map((s) => [s.candidate.name, s.failedDependency])).toEqual([['g', 'node_modules/f']]);
    expect(existsSync(join(home(), 'markers', 'g'))).toBe(false);
    expect(d.lines.join('\n')).toMatch(/\[f@1\.0\.0 install\] failed: exit code 3/);
    for (const p of ['f', 'g', 'a', 'b', 'd']) expect(existsSync(join(proj, 'node_modules', p, 'package.json'))).toBe(true);
  });

  it('a script past its timeout is killed with its whole process group', async () => {
    const started = Date.now();
    const result = await runInstallScripts(planReplay(proj, candidates, only('h')), deps({ settings: { scriptTimeoutSeconds: 1, sandbox: 'auto' } }));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.failed[0]?.events[0]?.timedOut).toBe(true);
    expect(result.exitCode).not.toBe(0);
    expect(existsSync(join(home(), 'markers', 'h-started'))).toBe(true);
    expect(existsSync(join(home(), 'markers', 'h-finished'))).toBe(false);
    const ps = spawnSync('ps', ['-eo', 'user,args'], { encoding: 'utf8' }).stdout ?? '';
    expect(ps.split('\n').filter((l) => /^nobody\s+sleep 30/.test(l))).toEqual([]);
  });

  it("runs the root project's own approved script last; the project keeps its owner and modes", async () => {
    const before = statSync(proj);
    const result = await runInstallScripts(planReplay(proj, candidates, only('proj')), deps());
    expect(result.exitCode).toBe(0);
    expect(result.ran.map((r) => r.candidate.name)).toEqual(['proj']);
    const marker = statSync(join(proj, 'root-ran'));
    expect(marker.uid).toBe(before.uid);
    expect(marker.mode & 0o022).toBe(0);
    const after = statSync(proj);
    expect([after.uid, after.gid, after.mode]).toEqual([before.uid, before.gid, before.mode]);
    expect(statSync(join(proj, 'package.json')).uid).toBe(before.uid);
  });

  it('refuses to run as uid 0, and withholds everything when the sandbox is required but missing', async () => {
    const plan = planReplay(proj, candidates, only('a'));
    await expect(runInstallScripts(plan, deps({ user: { name: 'root', uid: 0, gid: 0, home: '/root' } }))).rejects.toThrow(/refusing to run install scripts as root/);
    const result = await runInstallScripts(plan, deps({ bwrap: null, settings: { ...defaultSettings, sandbox: 'require' } }));
    expect(result.exitCode).toBe(67);
    expect(result.ran).toEqual([]);
    expect(result.withheld.map((w) => w.candidate.name)).toContain('a');
  });
});
