/**
 * The trust boundary, tried as an attacker would on a root-run machine (issue 8): no unprivileged
 * process, interruption or concurrent run can put code in front of root or tear a project.
 *
 * Each describe block is one attack; the assertions are what holds it (owners by stat, bytes by
 * hash, processes by /proc), never what the tool says about itself.
 */
import { execa, type ResultPromise } from 'execa';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, lstatSync, mkdirSync, watch, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupUser } from '../../src/run/users.js';
import { installedBeforeInterrupt } from '../../src/flow/npm-finish.js';
import { makeProject, makeTempDir, ownersUnder, snapshotProject } from '../helpers/projects.js';
import { DEAD_REGISTRY, makeSandbox, repoRoot, runBin, runTool, SYSTEM_PATH, type RunResult, type Sandbox } from '../helpers/run-bin.js';
import { startVerdaccio, type VerdaccioServer } from '../helpers/verdaccio.js';

const DAY = 86_400_000;
const old = new Date(Date.now() - 500 * DAY);
const NOBODY = 65534;
const TOKEN = 'npm_SECRETtokenSHOULDneverLEAK0123456789';

let registry: VerdaccioServer;
let cacheRoot: string;
let markers: string;

const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

function established(name: string, extra: Record<string, unknown> = {}, files: Record<string, string> = {}, versions = ['1.0.0', '1.1.0', '1.2.0']) {
  return versions.map((version) => ({
    name, version, publishedAt: old,
    packageJson: { description: `${name} fixture`, repository: `https://example.invalid/${name}.git`, ...extra },
    files: { 'index.js': `module.exports = ${JSON.stringify(`${name}@${version}`)};\n`, ...files },
  }));
}

beforeAll(async () => {
  cacheRoot = await makeTempDir('safe-npm-cacheroot-');
  markers = await makeTempDir('safe-npm-markers-', 0o777);
  chmodSync(markers, 0o1777);
  // The script starts a detached `sleep 600.<uid>` (a name we can look for) and says so in a marker.
  const daemon = `node -e "require('child_process').spawn('sleep', ['600.' + process.getuid()], { detached: true, stdio: 'ignore' }).unref(); require('fs').writeFileSync('${join(markers, 'daemon-started')}-' + process.getuid(), 'yes')"`;
  registry = await startVerdaccio({
    packages: [
      ...established('tb-a'),
      ...established('tb-b'),
      ...established('tb-big', {}, Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`lib/file-${i}.js`, `module.exports = ${i};\n`]))),
      ...established('clash-bin', { bin: { 'clash-bin': 'cli.js' } }, { 'cli.js': '#!/usr/bin/env node\nconsole.log("clash-bin");\n' }),
      // A bin path that climbs out of the package: npm normalises it into the package.
      ...established('escaper', { bin: { escaper: '../../secret' } }),
      ...established('daemon-d', { scripts: { postinstall: daemon } }, {}, ['1.0.0']),
      ...established('unpinned-u', { scripts: { postinstall: 'node -e "require(\'fs\').writeFileSync(\'ran\', \'yes\')"' } }, {}, ['1.0.0']),
    ],
  });
});

afterAll(async () => {
  await registry?.stop();
});

async function sandboxFor(extraNpmrc: string[] = []): Promise<Sandbox> {
  return makeSandbox({ registry: registry.url, npmrcLines: extraNpmrc });
}

function safeNpm(args: string[], cwd: string, opts: { env?: Record<string, string | undefined>; sandbox?: Sandbox; user?: 'nobody' } = {}) {
  return runBin('safe-npm', args, {
    cwd, registry: registry.url, sandbox: opts.sandbox, user: opts.user,
    env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, ...opts.env },
  });
}

const installIdentity = () => lookupUser('_safe-npm')!;
const scriptIdentity = () => lookupUser('_safe-npm-scripts')!;

/** Every regular file and folder under `dir` that `uid` could write, found by a process of that uid. */
async function writableBy(uid: number, dir: string): Promise<string[]> {
  const probe = `
    const fs = require('fs'), path = require('path'); const out = [];
    const walk = (d) => {
      try { fs.accessSync(d, fs.constants.W_OK); out.push(d); } catch {}
      let names; try { names = fs.readdirSync(d); } catch { return; }
      for (const n of names) {
        const p = path.join(d, n); let st; try { st = fs.lstatSync(p); } catch { continue; }
        if (st.isDirectory()) walk(p);
        else if (st.isFile()) { try { fs.accessSync(p, fs.constants.W_OK); out.push(p); } catch {} }
      }
    };
    walk(process.argv[1]); console.log(JSON.stringify(out));`;
  const r = await execa(process.execPath, ['-e', probe, dir], { uid, gid: uid, reject: false });
  return JSON.parse(r.stdout || '[]') as string[];
}

describe('1. the build user\'s cache cannot be poisoned by another unprivileged user', () => {
  it('no file or folder of npm\'s cache is writable by nobody or by the script identity; a reinstall gets the registry\'s bytes', async () => {
    const project = await makeProject({ owner: 'root' });
    const first = await safeNpm(['install', 'tb-a@1.2.0'], project);
    expect(first.exitCode, show(first)).toBe(0);
    const cache = join(cacheRoot, '_safe-npm');
    expect(existsSync(join(cache, 'npm', '_cacache'))).toBe(true);
    // The attacker: every uid that can run package code (nobody's daemons, approved scripts).
    expect(await writableBy(NOBODY, cacheRoot)).toEqual([]);
    expect(await writableBy(scriptIdentity().uid, cache)).toEqual([]);
    expect(await ownersUnder(cacheRoot, '_safe-npm')).toEqual([installIdentity().uid]);
    expect(statSync(cacheRoot).uid).toBe(0);
    // And what root installs next is the registry's, byte for byte.
    rmSync(join(project, 'node_modules'), { recursive: true });
    const again = await safeNpm(['install'], project);
    expect(again.exitCode, show(again)).toBe(0);
    expect(readFileSync(join(project, 'node_modules/tb-a/index.js'), 'utf8')).toBe('module.exports = "tb-a@1.2.0";\n');
    expect(installIdentity().uid).not.toBe(NOBODY);
    expect(scriptIdentity().uid).not.toBe(installIdentity().uid);
  });

  it('the identities have no login shell and no home outside the cache root; runAsUser=root is a usage error (64)', async () => {
    const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
    for (const name of ['_safe-npm', '_safe-npm-scripts']) {
      const line = passwd.find((l) => l.startsWith(`${name}:`))!;
      expect(line.split(':')[6], line).toMatch(/nologin|false$/);
    }
    const project = await makeProject({ owner: 'root' });
    const r = await safeNpm(['install', 'tb-a'], project, { env: { SAFE_NPM_RUN_AS_USER: 'root' } });
    expect(r.exitCode, show(r)).toBe(64);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('is root; choose an unprivileged user');
  });
});

describe('2. global installs go as far as npm goes, not further', () => {
  it('an existing command that is no link into the package is refused (EEXIST, like npm); nothing changes', async () => {
    const prefix = await makeTempDir('safe-npm-prefix-');
    mkdirSync(join(prefix, 'bin'));
    writeFileSync(join(prefix, 'bin', 'clash-bin'), '#!/bin/sh\necho mine\n', { mode: 0o755 });
    const cwd = await makeTempDir('safe-npm-cwd-');
    const r = await safeNpm(['install', '-g', 'clash-bin'], cwd, { env: { npm_config_prefix: prefix } });
    expect(r.exitCode, show(r)).not.toBe(0);
    expect(r.stderr).toContain(`${join(prefix, 'bin', 'clash-bin')} already exists and is not a link into clash-bin`);
    expect(r.stderr).toContain('EEXIST');
    expect(readFileSync(join(prefix, 'bin', 'clash-bin'), 'utf8')).toBe('#!/bin/sh\necho mine\n');
    expect(existsSync(join(prefix, 'lib/node_modules/clash-bin'))).toBe(false);
    // Plain npm refuses it too.
    const plainPrefix = await makeTempDir('safe-npm-prefix-');
    mkdirSync(join(plainPrefix, 'bin'));
    writeFileSync(join(plainPrefix, 'bin', 'clash-bin'), 'x', { mode: 0o755 });
    const plain = await runTool('npm', ['install', '-g', '--ignore-scripts', 'clash-bin'], { cwd, registry: registry.url, env: { npm_config_prefix: plainPrefix } });
    expect(plain.exitCode).not.toBe(0);
    expect(plain.stderr).toContain('EEXIST');
  });

  it('a bin path with ../ stays inside the package: nothing outside is linked or made executable', async () => {
    const prefix = await makeTempDir('safe-npm-prefix-');
    mkdirSync(join(prefix, 'lib'), { recursive: true });
    mkdirSync(join(prefix, 'lib', 'secret'), { mode: 0o700 });
    chmodSync(join(prefix, 'lib', 'secret'), 0o700);
    const cwd = await makeTempDir('safe-npm-cwd-');
    const r = await safeNpm(['install', '-g', 'escaper'], cwd, { env: { npm_config_prefix: prefix } });
    expect(r.exitCode, show(r)).toBe(0);
    expect(statSync(join(prefix, 'lib', 'secret')).mode & 0o777).toBe(0o700);
    // Whatever npm's linker made of it points into the package, as with plain npm.
    const link = join(prefix, 'bin', 'escaper');
    if (lstatSync(link, { throwIfNoEntry: false })) {
      expect(join(prefix, 'bin', readlinkSync(link)).startsWith(join(prefix, 'lib/node_modules/escaper/'))).toBe(true);
    }
  });

  it('--prefix DIR is where the package goes (no EACCES from the build user writing it)', async () => {
    const prefix = await makeTempDir('safe-npm-prefix-');
    const cwd = await makeTempDir('safe-npm-cwd-');
    const r = await safeNpm(['install', '-g', '--prefix', prefix, 'clash-bin'], cwd);
    expect(r.exitCode, show(r)).toBe(0);
    expect(await ownersUnder(prefix, 'lib/node_modules/clash-bin')).toEqual([0]);
    const run = await runTool(join(prefix, 'bin', 'clash-bin'), [], { cwd });
    expect(run.stdout.trim(), show(run)).toBe('clash-bin');
  });

  it('uninstall -g and update -g as root change the real prefix as npm would (they were no-ops that said "up to date"); a bare update -g names what to vet', async () => {
    const prefix = await makeTempDir('safe-npm-prefix-');
    const cwd = await makeTempDir('safe-npm-cwd-');
    const g = (...args: string[]) => safeNpm([...args, '-g', '--prefix', prefix], cwd);
    const version = (name: string) => JSON.parse(readFileSync(join(prefix, 'lib/node_modules', name, 'package.json'), 'utf8')).version;
    expect((await g('install', 'clash-bin@1.0.0', 'tb-a@1.0.0', 'tb-b@1.0.0')).exitCode).toBe(0);
    const bin = join(prefix, 'bin', 'clash-bin');
    expect(lstatSync(bin).isSymbolicLink()).toBe(true);

    const updated = await g('update', 'tb-a');
    expect(updated.exitCode, show(updated)).toBe(0);
    expect(version('tb-a')).toBe('1.2.0');
    expect([version('tb-b'), version('clash-bin')]).toEqual(['1.0.0', '1.0.0']);

    const removed = await g('uninstall', 'clash-bin');
    expect(removed.exitCode, show(removed)).toBe(0);
    expect(removed.stdout).toMatch(/removed 1 package/);
    expect(existsSync(join(prefix, 'lib/node_modules/clash-bin'))).toBe(false);
    expect(() => lstatSync(bin)).toThrow();
    expect(version('tb-b')).toBe('1.0.0');

    const bare = await g('update');
    expect(bare.exitCode, show(bare)).toBe(64);
    const advice = /\(each is vetted\): safe-npm (.+)$/m.exec(bare.stderr)?.[1]?.split(' ');
    expect(advice, show(bare)).toEqual(['update', '-g', '--prefix', prefix, 'tb-a', 'tb-b']);
    const followed = await safeNpm(advice!, cwd);
    expect(followed.exitCode, show(followed)).toBe(0);
    expect([version('tb-a'), version('tb-b')]).toEqual(['1.2.0', '1.2.0']);
    expect(await ownersUnder(prefix, 'lib/node_modules')).toEqual([0]);
  });
});

/**
 * Start safe-npm with phase marks on stderr; `onMark` is called as each is printed. The first change
 * of an entry in the project folder itself (inotify) is reported as the mark "first write".
 */
function startWithMarks(args: string[], cwd: string, sandbox: Sandbox, onMark: (label: string, child: ResultPromise) => void, env: Record<string, string> = {}): ResultPromise {
  const child = execa(process.execPath, [join(repoRoot, 'bin', 'safe-npm.js'), ...args], {
    cwd, env: { ...sandbox.env, PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_TIMING: '1', ...env },
    extendEnv: false, reject: false, stdin: 'ignore', timeout: 120_000,
  });
  const watcher = watch(cwd, () => {
    watcher.close();
    onMark('first write', child);
  });
  void child.finally(() => watcher.close());
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^safe-npm: \d+ ms (.+)$/.exec(line);
      if (m) onMark(m[1]!, child);
    }
  });
  return child;
}

/** Processes whose cwd or open files are inside `dir` (what could still be writing there). */
function processesInside(dir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const paths = [readlinkSync(`/proc/${pid}/cwd`)];
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          paths.push(readlinkSync(`/proc/${pid}/fd/${fd}`));
        } catch { /* closed meanwhile */ }
      }
      if (paths.some((p) => p === dir || p.startsWith(`${dir}/`))) out.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** Leftovers of ours: in the project, and the private areas a given pid made in the temp folder. */
function leftovers(project: string, pid: number | undefined): string[] {
  const inProject = readdirSync(project).filter((n) => n.includes('.safe-npm-'));
  const areas = pid ? readdirSync(tmpdir()).filter((n) => n.startsWith(`safe-npm-area-${pid}-`)) : [];
  return [...inProject, ...areas];
}

describe('3. an interrupted install leaves the project wholly old or wholly new', () => {
  // "npm's engine spawned (early)": root's engine starts in the entry, before the flow is loaded.
  const moments = ['npm\'s engine spawned (early)', 'config loaded', 'project locked', 'resolver started', 'requested packages checked', 'tree resolved', 'tree vetted', 'reified', 'first write', 'committed', 'tree installed', 'install done'];
  const cases: Array<[string, NodeJS.Signals]> = [...moments.map((m) => [m, 'SIGINT'] as [string, NodeJS.Signals]), ['tree vetted', 'SIGTERM'], ['first write', 'SIGTERM']];

  let oldSnapshot: Record<string, string>;
  let newSnapshot: Record<string, string>;
  const base = { name: 'rooted', version: '1.0.0', private: true, dependencies: { 'tb-a': '1.0.0' } };

  let pristineOld: string;
  async function installedOldProject(): Promise<string> {
    const project = await makeProject({ owner: 'root', packageJson: base });
    const r = await safeNpm(['install'], project);
    expect(r.exitCode, show(r)).toBe(0);
    return project;
  }
  /** A copy of the old project (owners, modes, links and times kept): one install less per case. */
  async function oldProject(): Promise<string> {
    const project = await makeTempDir('safe-npm-project-');
    const copied = await execa('cp', ['-a', `${pristineOld}/.`, project], { reject: false });
    expect(copied.exitCode, copied.stderr).toBe(0);
    expect(await snapshotProject(project)).toEqual(oldSnapshot);
    return project;
  }

  beforeAll(async () => {
    pristineOld = await installedOldProject();
    oldSnapshot = await snapshotProject(pristineOld);
    const reference = await oldProject();
    const r = await safeNpm(['install', 'tb-b@1.2.0', 'tb-big@1.2.0', 'tb-a@1.2.0'], reference);
    expect(r.exitCode, show(r)).toBe(0);
    newSnapshot = await snapshotProject(reference);
    expect(newSnapshot).not.toEqual(oldSnapshot);
  });

  it.each(cases)('at "%s", %s: exit 130/143 or done; old or new, nothing running in it afterwards, no leftovers after the next run', async (moment, signal) => {
    const project = await oldProject();
    const sandbox = await sandboxFor();
    let sent = false;
    const child = startWithMarks(['install', 'tb-b@1.2.0', 'tb-big@1.2.0', 'tb-a@1.2.0'], project, sandbox, (label, c) => {
      if (label === moment && !sent) {
        sent = true;
        c.kill(signal);
      }
    });
    const pid = child.pid;
    const result = await child;
    expect(sent, `the mark "${moment}" was printed`).toBe(true);
    // Killed by the signal itself (no handler) counts as the shell would report it.
    const code = result.exitCode ?? (result.signal === 'SIGINT' ? 130 : result.signal === 'SIGTERM' ? 143 : -1);
    expect([0, signal === 'SIGINT' ? 130 : 143], String(result.stderr)).toContain(code);
    const after = await snapshotProject(project);
    const state = JSON.stringify(after) === JSON.stringify(newSnapshot) ? 'new' : JSON.stringify(after) === JSON.stringify(oldSnapshot) ? 'old' : 'torn';
    expect(state, `${String(result.stderr)}\n${JSON.stringify(after, null, 1).slice(0, 2000)}`).not.toBe('torn');
    // Killed by the signal itself as node was already leaving (its last mark printed, all done): silent.
    const diedLeaving = result.exitCode === null && String(result.stderr).trimEnd().endsWith('install done');
    if (diedLeaving) expect(state).toBe('new');
    if (code !== 0 && !diedLeaving) {
      // The interrupt line is the last word: nothing about the children it stopped ("npm's resolver
      // stopped (SIGINT)", "process terminated", "nothing was changed" after a commit...) — but for
      // an install already written, that it was (a late Ctrl-C is not a failed install).
      const interruptLine = `safe-npm: interrupted (${signal}): stopping and cleaning up`;
      const isMark = (l: string) => /^safe-npm: \d+ ms /.test(l);
      const lines = String(result.stderr).split('\n').filter(Boolean);
      // Not even a timing mark of work that finished meanwhile ("tree installed") follows it.
      expect(lines.slice(lines.indexOf(interruptLine) + 1).filter(isMark), String(result.stderr)).toEqual([]);
      const said = lines.filter((l) => !isMark(l));
      const at = said.indexOf(interruptLine);
      expect(at, String(result.stderr)).toBeGreaterThanOrEqual(0);
      // Said once the install has returned (always at the last two moments); never of an old project.
      // A signal held through the commit is acted on before that: the project is new, unsaid.
      const note = [`safe-npm: ${installedBeforeInterrupt('safe-npm')}`];
      if (['tree installed', 'install done'].includes(moment)) expect(said.slice(at + 1), String(result.stderr)).toEqual(note);
      else expect([[], note], String(result.stderr)).toContainEqual(said.slice(at + 1));
      if (said.length > at + 1) expect(state).toBe('new');
    }
    expect(processesInside(project)).toEqual([]);
    expect(await ownersUnder(project)).toEqual([0]);
    // The next run recognises and removes what is ours.
    const next = await safeNpm(['install'], project);
    expect(next.exitCode, show(next)).toBe(0);
    expect(leftovers(project, pid)).toEqual([]);
  });
});

describe('3b. an interrupted install in an ordinary user\'s project (npm\'s engine writes it in place, as its owner)', () => {
  it.each(['reified', 'install done'])('at "%s", SIGINT: exit 130 with the interrupt line and then, for an install written, that it was; or done (0)', async (moment) => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'owned', version: '1.0.0', private: true } });
    const sandbox = await sandboxFor();
    let sent = false;
    const child = startWithMarks(['install', 'tb-a@1.2.0'], project, sandbox, (label, c) => {
      if (label === moment && !sent) {
        sent = true;
        c.kill('SIGINT');
      }
    });
    const result = await child;
    expect(sent, `the mark "${moment}" was printed`).toBe(true);
    const code = result.exitCode ?? (result.signal === 'SIGINT' ? 130 : -1);
    expect([0, 130], String(result.stderr)).toContain(code);
    // Killed by the signal itself: it came as node was already leaving, its handlers gone (the run's
    // last mark was printed, everything done): nothing more is said then, and nothing was left undone.
    const diedLeaving = result.exitCode === null && String(result.stderr).trimEnd().endsWith('install done');
    if (code === 130 && !diedLeaving) {
      const said = String(result.stderr).split('\n').filter((l) => l && !/^safe-npm: \d+ ms /.test(l));
      const at = said.indexOf('safe-npm: interrupted (SIGINT): stopping and cleaning up');
      expect(at, String(result.stderr)).toBeGreaterThanOrEqual(0);
      expect(said.slice(at + 1), String(result.stderr)).toEqual([`safe-npm: ${installedBeforeInterrupt('safe-npm')}`]);
    }
    expect(JSON.parse(readFileSync(join(project, 'node_modules', 'tb-a', 'package.json'), 'utf8')).version).toBe('1.2.0');
    expect(processesInside(project)).toEqual([]);
    expect(await ownersUnder(project)).toEqual([65534]);
  });
});

describe('3c. one Ctrl-C while npm\'s engine writes an ordinary user\'s project in place', () => {
  // The store's library hooked every signal and sent it again: one Ctrl-C arrived twice, and the
  // second killed npm's engine (SIGKILL) mid-write — node_modules half new (a new-user trial).
  it('at the first write into node_modules, SIGINT: exit 130 (or done); the project wholly old or wholly new, never torn', async () => {
    const base = { name: 'owned', version: '1.0.0', private: true, dependencies: { 'tb-a': '1.0.0' } };
    const installed = async () => {
      const project = await makeProject({ owner: 'nobody', packageJson: base });
      const r = await safeNpm(['install'], project);
      expect(r.exitCode, show(r)).toBe(0);
      return project;
    };
    const add = ['install', 'tb-b@1.2.0', 'tb-big@1.2.0', 'tb-a@1.2.0'];
    const project = await installed();
    const old = await snapshotProject(project);
    // The new state, from a copy of the old project (owners, modes and times kept) installed through.
    const reference = await makeTempDir('safe-npm-project-');
    expect((await execa('cp', ['-a', `${project}/.`, reference], { reject: false })).exitCode).toBe(0);
    chownSync(reference, 65534, 65534);
    expect((await safeNpm(add, reference)).exitCode).toBe(0);
    const fresh = await snapshotProject(reference);

    const sandbox = await sandboxFor();
    // At a terminal, as the trial had it (the store opens for writing only where it can ask), and
    // the Ctrl-C typed into it: the terminal sends SIGINT to the foreground group.
    const command = `exec ${process.execPath} ${join(repoRoot, 'bin', 'safe-npm.js')} ${add.join(' ')}`;
    const child = execa('script', ['-qec', command, '/dev/null'], {
      cwd: project, env: { ...sandbox.env, PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, TERM: 'xterm', CI: undefined },
      extendEnv: false, reject: false, stdin: 'pipe', timeout: 120_000,
    });
    let sent = false;
    const watcher = watch(join(project, 'node_modules'), () => {
      if (sent) return;
      sent = true;
      watcher.close();
      child.stdin!.write('\x03');
    });
    const result = await child.finally(() => watcher.close());
    expect(sent, 'npm wrote into node_modules').toBe(true);
    const code = result.exitCode;
    expect([0, 130], String(result.stdout)).toContain(code);
    if (code === 130) expect(String(result.stdout)).toContain('safe-npm: interrupted (SIGINT): stopping and cleaning up');
    const after = await snapshotProject(project);
    const state = JSON.stringify(after) === JSON.stringify(fresh) ? 'new' : JSON.stringify(after) === JSON.stringify(old) ? 'old' : 'torn';
    expect(state, `${String(result.stdout)}\n${JSON.stringify(after, null, 1).slice(0, 3000)}`).not.toBe('torn');
    expect(processesInside(project)).toEqual([]);
    expect(await ownersUnder(project)).toEqual([65534]);
  });
});

describe('3d. a signal during root\'s `npm link <pkg>`, while its global half (our own `install -g`, a run of its own) works', () => {
  // The global half is a child run; a Ctrl-C passed on to it is waited for before this run ends.
  it.each(['resolver started', 'tree vetted', 'install done'])('at the global half\'s "%s", SIGINT: exit 130 (or done); the global folder without the package or with all of it, the project untouched, nothing left running or behind', async (moment) => {
    const project = await makeProject({ owner: 'root', packageJson: { name: 'linking', version: '1.0.0' } });
    const before = await snapshotProject(project);
    const globalPrefix = await makeTempDir('safe-npm-link-signal-prefix-');
    const sandbox = await sandboxFor();
    // The global half's marks come between its own "project locked" (the second one) and its "install done".
    let locks = 0;
    let sent = false;
    const child = startWithMarks(['link', 'tb-a'], project, sandbox, (label, c) => {
      if (label === 'project locked') locks++;
      if (label === moment && locks >= 2 && !sent) {
        sent = true;
        c.kill('SIGINT');
      }
    }, { npm_config_prefix: globalPrefix });
    const result = await child;
    expect(sent, `the global half's "${moment}" was printed`).toBe(true);
    const code = result.exitCode ?? (result.signal === 'SIGINT' ? 130 : -1);
    expect([0, 130], String(result.stderr)).toContain(code);
    const linked = join(globalPrefix, 'lib', 'node_modules', 'tb-a');
    const globalState = !existsSync(linked) ? 'absent' : JSON.parse(readFileSync(join(linked, 'package.json'), 'utf8')).version === '1.2.0' ? 'installed' : 'torn';
    expect(globalState, String(result.stderr)).not.toBe('torn');
    const lib = join(globalPrefix, 'lib', 'node_modules');
    expect(existsSync(lib) ? readdirSync(lib).filter((n) => n.includes('.safe-npm-')) : []).toEqual([]);
    if (code === 130) {
      expect(String(result.stderr)).toContain('safe-npm: interrupted (SIGINT): stopping and cleaning up');
      const projectHalf = join(project, 'node_modules', 'tb-a');
      if (lstatSync(projectHalf, { throwIfNoEntry: false })) {
        // The signal came after the project half's commit (it takes ~0.2 s: a loaded machine's delay
        // between the mark and the signal is enough): the project wholly new, as the run says.
        expect(String(result.stderr)).toContain('the install itself had completed');
        expect(globalState).toBe('installed');
        expect(readlinkSync(projectHalf)).toBe(relative(join(project, 'node_modules'), linked));
        expect((await snapshotProject(project))['package.json']).toBe(before['package.json']);
      } else {
        // The project half never ran.
        expect(await snapshotProject(project)).toEqual(before);
      }
    } else {
      expect(globalState).toBe('installed');
    }
    expect(processesInside(project)).toEqual([]);
    expect(processesInside(globalPrefix)).toEqual([]);
    if (existsSync(lib)) expect(await ownersUnder(globalPrefix, 'lib/node_modules')).toEqual([0]);
  });
});

describe('4. concurrent installs in one project are serial', () => {
  it('two installs started while the project is busy both wait, then both land: package.json, lockfile and node_modules agree', async () => {
    const project = await makeProject({ owner: 'root' });
    // The test holds the project's lock (as a running safe-npm would) until both runs are waiting.
    const holder = spawn('flock', ['--exclusive', project, 'cat'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const waiting: string[] = [];
    let release!: () => void;
    const bothWaiting = new Promise<void>((resolve) => { release = resolve; });
    const start = (spec: string) => {
      const c = execa(process.execPath, [join(repoRoot, 'bin', 'safe-npm.js'), 'install', spec], {
        cwd: project, env: { ...(sandboxEnv ?? {}), PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot }, extendEnv: false, reject: false, stdin: 'ignore', timeout: 120_000,
      });
      c.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('another safe-npm is installing here')) {
          waiting.push(spec);
          if (waiting.length === 2) release();
        }
      });
      return c;
    };
    const sandboxEnv = (await sandboxFor()).env;
    // Wait for the holder to have the lock: flock prints nothing, so ask the kernel.
    await waitForLock(project);
    const a = start('tb-a@1.2.0');
    const b = start('tb-b@1.2.0');
    // A run that ends before it waits (a crash, a refusal) fails the test with its output at once,
    // rather than leaving it to wait for a second waiter until the test's time is up.
    const endedEarly = (run: typeof a, spec: string) => run.then((r) => {
      throw new Error(`the install of ${spec} ended (exit ${r.exitCode}) before waiting for the lock:\n${String(r.stderr)}`);
    });
    await Promise.race([bothWaiting, endedEarly(a, 'tb-a'), endedEarly(b, 'tb-b')]);
    holder.stdin!.end();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.exitCode, String(ra.stderr)).toBe(0);
    expect(rb.exitCode, String(rb.stderr)).toBe(0);
    expect(String(ra.stderr) + String(rb.stderr)).toMatch(/another safe-npm is installing here \(pid \d+\); waiting/);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toEqual({ 'tb-a': '^1.2.0', 'tb-b': '^1.2.0' });
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
    expect(Object.keys(lock.packages).sort()).toEqual(['', 'node_modules/tb-a', 'node_modules/tb-b']);
    expect(readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.')).sort()).toEqual(['tb-a', 'tb-b']);
  });
});

/** Resolves once some process holds a flock on `dir` (from /proc/locks, no sleeping on a guess). */
async function waitForLock(dir: string): Promise<void> {
  const inode = statSync(dir).ino;
  for (let i = 0; i < 1000; i++) {
    if (readFileSync('/proc/locks', 'utf8').split('\n').some((l) => /FLOCK/.test(l) && l.includes(`:${inode} `))) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('the lock was never taken');
}

describe('5. config files are data, not devices', () => {
  it.each([['/dev/zero'], ['fifo']])('config.json → %s: every command stops with 64 naming the file, at once', async (kind) => {
    const sandbox = await sandboxFor();
    const dir = join(sandbox.env.XDG_CONFIG_HOME!, 'safe-npm');
    mkdirSync(dir, { recursive: true });
    const config = join(dir, 'config.json');
    if (kind === 'fifo') await execa('mkfifo', [config]);
    else symlinkSync(kind, config);
    const project = await makeProject({ owner: 'root' });
    for (const args of [['install', 'tb-a'], ['safe', 'list'], ['safe', 'trust', 'x']]) {
      const started = Date.now();
      const r = await runBin('safe-npm', args, { cwd: project, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot }, timeoutMs: 20_000 });
      expect(r.exitCode, show(r)).toBe(64);
      expect(r.stderr).toContain(`(${config}) is not a regular file`);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  it('the config file is created 0600', async () => {
    const sandbox = await sandboxFor();
    const r = await runBin('safe-npm', ['safe', 'trust', 'tb-a'], { cwd: tmpdir(), sandbox, env: { PATH: SYSTEM_PATH } });
    expect(r.exitCode, show(r)).toBe(0);
    expect(statSync(join(sandbox.env.XDG_CONFIG_HOME!, 'safe-npm', 'config.json')).mode & 0o777).toBe(0o600);
  });
});

describe('5b. a project\'s .npmrc cannot name a program npm runs before vetting', () => {
  // npm fetches a git dependency with the program its `git` setting names; a project's .npmrc named
  // one of the project's files, and npm's engine ran it while resolving (an attack trial): as the user
  // in their project, as the build user in root's.
  it.each([['root'], ['nobody']] as const)('git=./fetch.sh in a project of %s\'s: 65, one line, the program never runs, nothing changes', async (owner) => {
    const marker = join(markers, `git-program-${owner}`);
    const project = await makeProject({
      owner,
      packageJson: { name: 'gp', version: '1.0.0', dependencies: { fetched: 'git+file:///nonexistent/fetched.git' } },
      files: { '.npmrc': 'git=./fetch.sh\n', 'fetch.sh': `#!/bin/sh\necho "$(id -u) $*" >> ${marker}\nexit 1\n` },
    });
    chmodSync(join(project, 'fetch.sh'), 0o755);
    const before = await snapshotProject(project);
    const r = await safeNpm(['install'], project, owner === 'nobody' ? { user: 'nobody' } : {});
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stderr).toContain('.npmrc sets git=./fetch.sh: npm would run that program');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(marker), existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe(false);
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('git=git in the project, and a git program of the user\'s own ~/.npmrc, are npm\'s as usual', async () => {
    const project = await makeProject({ owner: 'root', packageJson: { name: 'gp', version: '1.0.0', dependencies: { 'tb-a': '^1.0.0' } }, files: { '.npmrc': 'git=git\n' } });
    const plain = await safeNpm(['install'], project);
    expect(plain.exitCode, show(plain)).toBe(0);
    const own = await makeProject({ owner: 'root', packageJson: { name: 'gp', version: '1.0.0', dependencies: { 'tb-a': '^1.0.0' } } });
    const mine = await safeNpm(['install'], own, { sandbox: await sandboxFor(['git=/usr/bin/git']) });
    expect(mine.exitCode, show(mine)).toBe(0);
    expect(existsSync(join(own, 'node_modules', 'tb-a', 'package.json'))).toBe(true);
  });
});

describe('6. registry tokens are never readable by a shared uid', () => {
  it('npm ci: the token goes to npm\'s engine over its private pipe, never into a file (no npm CLI runs)', async () => {
    const project = await makeProject({ owner: 'root', packageJson: { name: 'p', version: '1.0.0', dependencies: { 'tb-a': '1.0.0' } } });
    const sandbox = await sandboxFor([`//127.0.0.1:${new URL(registry.url).port}/:_authToken=${TOKEN}`]);
    const lock = await runTool('npm', ['install', '--package-lock-only', '--ignore-scripts'], { cwd: project, sandbox });
    expect(lock.exitCode, show(lock)).toBe(0);
    const bin = await makeTempDir('safe-npm-nonpm-');
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\necho called >> ${join(bin, 'called')}\nexec /usr/bin/npm "$@"\n`, { mode: 0o755 });
    const r = await runBin('safe-npm', ['ci'], { cwd: project, sandbox, env: { PATH: `${bin}:${SYSTEM_PATH}`, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_YES: '1' } });
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(bin, 'called'))).toBe(false);
    expect(readFileSync(join(project, 'node_modules/tb-a/index.js'), 'utf8')).toContain('tb-a@1.0.0');
  });

  // A global install is one the real npm CLI runs as the install identity (into a private prefix).
  it('npm install -g as the install identity: its npmrc copy is 0600 in a 0700 folder of that identity, and gone afterwards', async () => {
    const args = ['install', '-g', 'tb-b', '--prefix', await makeTempDir('safe-npm-token-prefix-')];
    const project = await makeProject({ owner: 'root', packageJson: { name: 'p', version: '1.0.0', dependencies: { 'tb-a': '1.0.0' } } });
    const sandbox = await sandboxFor([`//127.0.0.1:${new URL(registry.url).port}/:_authToken=${TOKEN}`]);
    const lock = await runTool('npm', ['install', '--package-lock-only', '--ignore-scripts'], { cwd: project, sandbox });
    expect(lock.exitCode, show(lock)).toBe(0);
    // A stand-in npm, first on PATH, records what the file holding the token looked like while npm ran.
    const bin = await makeTempDir('safe-npm-statnpm-');
    const log = join(bin, 'seen');
    writeFileSync(log, '', { mode: 0o666 });
    chmodSync(log, 0o666);
    writeFileSync(join(bin, 'npm'), `#!/bin/sh
for a in "$@"; do if [ "$prev" = --userconfig ]; then f="$a"; fi; prev="$a"; done
[ -n "$f" ] && stat -c '%u %a %n' "$f" "$(dirname "$f")" >> ${log} && grep -c ${TOKEN} "$f" >> ${log}
exec /usr/bin/npm "$@"
`, { mode: 0o755 });
    const r = await runBin('safe-npm', args, { cwd: project, sandbox, env: { PATH: `${bin}:${SYSTEM_PATH}`, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_YES: '1' } });
    expect(r.exitCode, show(r)).toBe(0);
    const [file, folder, count] = readFileSync(log, 'utf8').trim().split('\n');
    const uid = String(installIdentity().uid);
    expect(file!.split(' ').slice(0, 2)).toEqual([uid, '600']);
    expect(folder!.split(' ').slice(0, 2)).toEqual([uid, '700']);
    expect(count).toBe('1'); // the token really was in that file
    expect(existsSync(file!.split(' ')[2]!)).toBe(false);
  });
});

describe('7. nothing started for an install outlives safe-npm', () => {
  it.each([['root'], ['nobody']] as const)('an approved script that leaves a daemon (sandbox off), %s-owned project: the daemon is stopped and it is said', async (owner) => {
    const project = await makeProject({ owner });
    const sandbox = await sandboxFor();
    const run = (args: string[]) => runBin('safe-npm', args, { cwd: project, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_SANDBOX: 'off', SAFE_NPM_YES: '1' } });
    expect((await run(['safe', 'approve', 'daemon-d@1.0.0'])).exitCode).toBe(0);
    const r = await run(['install', 'daemon-d']);
    expect(r.exitCode, show(r)).toBe(0);
    const uid = owner === 'root' ? scriptIdentity().uid : NOBODY;
    const started = join(markers, `daemon-started-${uid}`);
    expect(existsSync(started), show(r)).toBe(true);
    rmSync(started);
    // The daemon's working folder was the package's: nothing may still run there.
    expect(processesInside(project), 'the daemon is still running').toEqual([]);
    expect(r.stderr).toContain('[daemon-d@1.0.0 postinstall] left processes running after it ended: they were stopped');
  });
});

describe('7b. npm\'s engine started early for root is the flow\'s, or stopped', () => {
  it('guessed for the folder root stands in (nobody\'s) but the project is --prefix (root\'s): the guess is stopped and its area gone, the install is the build identity\'s, committed as root', async () => {
    const here = await makeProject({ owner: 'nobody' });
    const project = await makeProject({ owner: 'root' });
    const sandbox = await sandboxFor();
    const spawned: string[] = [];
    const child = startWithMarks(['install', 'tb-a@1.2.0', '--prefix', project], here, sandbox, (label) => {
      if (label.startsWith('npm\'s engine spawned')) spawned.push(label);
    });
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    // Both were started: the entry's guess (as nobody, for the folder it stands in) and the flow's own.
    expect(spawned).toEqual(['npm\'s engine spawned (early)', 'npm\'s engine spawned']);
    expect(JSON.parse(readFileSync(join(project, 'node_modules', 'tb-a', 'package.json'), 'utf8')).version).toBe('1.2.0');
    expect(await ownersUnder(project)).toEqual([0]);
    // Nothing happened where root stands, and the guess left no area behind (no next run cleaned up).
    expect(readdirSync(here)).toEqual(['package.json']);
    expect(leftovers(project, child.pid)).toEqual([]);
  });
});

describe('8. a registry that cannot be reached fails fast', () => {
  it.each([[['install', 'tb-a']], [['install']], [['ci']]])('%j with the registry on a closed port: 68 within 10 s, nothing changed', async (args) => {
    const project = await makeProject({ owner: 'root', packageJson: { name: 'p', version: '1.0.0', dependencies: { 'tb-zzz-unseen': '1.0.0' } } });
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify({
      name: 'p', version: '1.0.0', lockfileVersion: 3, requires: true,
      packages: { '': { name: 'p', version: '1.0.0', dependencies: { 'tb-zzz-unseen': '1.0.0' } }, 'node_modules/tb-zzz-unseen': { version: '1.0.0', integrity: 'sha512-AAAA' } },
    }));
    const before = await snapshotProject(project);
    const started = Date.now();
    // npm's defaults (10 s .. 60 s back-off): what a user without our test .npmrc has.
    const r = await runBin('safe-npm', [...args, '--registry', DEAD_REGISTRY, '--fetch-retry-mintimeout', '10000', '--fetch-retry-maxtimeout', '60000'], {
      cwd: project, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot }, timeoutMs: 60_000,
    });
    expect(r.exitCode, show(r)).toBe(68);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toContain(`the registry ${DEAD_REGISTRY} cannot be reached (ECONNREFUSED)`);
    expect(await snapshotProject(project)).toEqual(before);
  });
});

describe('unpinned project approvals are visible', () => {
  it('allowScripts {"unpinned-u": true} runs its script as npm defines it, and says so; safe list --project shows it', async () => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', allowScripts: { 'unpinned-u': true, 'tb-a@1.0.0': true } } });
    const sandbox = await sandboxFor();
    const r = await runBin('safe-npm', ['install', 'unpinned-u'], { cwd: project, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_YES: '1' } });
    expect(r.exitCode, show(r)).toBe(0);
    expect(readFileSync(join(project, 'node_modules/unpinned-u/ran'), 'utf8')).toBe('yes');
    expect(r.stderr).toContain('package.json allowScripts["unpinned-u"] allows every version of unpinned-u: running unpinned-u@1.0.0 postinstall (pin it: "unpinned-u@1.0.0": true)');
    const list = await runBin('safe-npm', ['safe', 'list', '--project'], { cwd: project, sandbox, env: { PATH: SYSTEM_PATH } });
    expect(list.exitCode, show(list)).toBe(0);
    expect(list.stdout).toContain('approved unpinned-u  (every version: a new release runs its scripts without asking');
    expect(list.stdout).toContain('approved tb-a@1.0.0\n');
  });
});
