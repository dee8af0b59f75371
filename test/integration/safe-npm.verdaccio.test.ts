/**
 * safe-npm end to end: bin/safe-npm.js → the real npm → a real Verdaccio on 127.0.0.1 with
 * fixture packages. Proves on disk: scripts did not run, who wrote the files (stat), that no
 * install-type npm call ran as uid 0 (a logging npm first on PATH), that a stopped install leaves
 * the project byte-identical, and that passthrough keeps npm's output and exit code.
 */
import { chmodSync, chownSync, existsSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoggingNpm, type LoggingNpm } from '../helpers/logging-npm.js';
import { makeProject, makeTempDir, ownersUnder, snapshotProject } from '../helpers/projects.js';
import { DEAD_REGISTRY, makeSandbox, repoRoot, runBin, runTool, SYSTEM_PATH, type RunResult } from '../helpers/run-bin.js';
import { publishedRecently, startVerdaccio, type VerdaccioServer } from '../helpers/verdaccio.js';
import { startTlsFront } from '../helpers/tls-front.js';
import { lookupUser } from '../../src/run/users.js';

const NOBODY = 65534;
/** The install identity root's installs into root-owned projects run as (created on the first root run). */
const installUid = () => lookupUser('_safe-npm')!.uid;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const old = new Date(Date.now() - 500 * DAY);

let registry: VerdaccioServer;
let markers: string;
let cacheRoot: string;
let npmLog: LoggingNpm;

const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** Several old versions with a repository and a description: nothing to report. */
function established(name: string, extra: Record<string, unknown> = {}, files: Record<string, string> = {}) {
  return ['1.0.0', '1.1.0', '1.2.0', '1.3.0'].map((version) => ({
    name, version, publishedAt: old,
    packageJson: { description: `${name} fixture`, repository: `https://example.invalid/${name}.git`, ...extra },
    files: { 'index.js': `module.exports = ${JSON.stringify(name)};\n`, ...files },
  }));
}

function safeNpm(args: string[], cwd: string, env: Record<string, string | undefined> = {}, user?: 'nobody') {
  return runBin('safe-npm', args, {
    cwd, registry: registry.url, user,
    env: { PATH: `${npmLog.dir}:${SYSTEM_PATH}`, SAFE_NPM_CACHE_ROOT: cacheRoot, ...env },
  });
}

beforeAll(async () => {
  markers = await makeTempDir('safe-npm-markers-', 0o777);
  await chmod(markers, 0o1777);
  cacheRoot = await makeTempDir('safe-npm-cacheroot-');
  npmLog = await makeLoggingNpm();
  const markerScript = (name: string) => `require('fs').writeFileSync(${JSON.stringify(join(markers, name))}, String(process.getuid()));\n`;
  registry = await startVerdaccio({
    packages: [
      ...established('clean-fixture', { bin: { 'clean-fixture': 'cli.js' } }, { 'cli.js': '#!/usr/bin/env node\nconsole.log("clean-fixture ran as " + process.getuid());\n' }),
      ...publishedRecently(established('lodahs')),
      ...established('create-fixture', { bin: { 'create-fixture': 'create.js' } }, { 'create.js': "#!/usr/bin/env node\nrequire('fs').writeFileSync('created-by-initializer', process.argv.slice(2).join(' ') + ' uid=' + process.getuid());\n" }),
      ...established('with-postinstall', { scripts: { postinstall: 'node mark.js' } }, { 'mark.js': markerScript('postinstall-ran') }),
      ...established('old-deprecated').map((p) => ({ ...p, deprecated: 'do not use' })),
      { name: 'fresh-fixture', version: '1.0.0', publishedAt: new Date(Date.now() - 60 * DAY), packageJson: { description: 'x', repository: 'x' } },
      { name: 'fresh-fixture', version: '1.0.1', publishedAt: new Date(Date.now() - 40 * DAY), packageJson: { description: 'x', repository: 'x' } },
      { name: 'fresh-fixture', version: '1.1.0', publishedAt: new Date(Date.now() - MINUTE), packageJson: { description: 'x', repository: 'x' } },
    ],
  });
});

afterAll(async () => {
  await registry?.stop();
  await npmLog?.cleanup();
});

/** Every npm call that installs or resolves, with the uid it ran as. */
async function installCalls() {
  return (await npmLog.readLog()).filter((c) => c.args.some((a) => ['install', 'i', 'ci', 'exec', 'update', 'rebuild'].includes(a)));
}

describe('safe-npm install: non-root, scripts off', () => {
  it('a project owned by an ordinary user: installs as that user, no script runs, npm never runs as root', async () => {
    npmLog.clear();
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'clean-fixture', 'with-postinstall'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(project, 'node_modules/with-postinstall/mark.js'))).toBe(true);
    expect(existsSync(join(markers, 'postinstall-ran')), 'postinstall must not run').toBe(false);
    // Everything npm's engine wrote, it wrote as the owner (stat, not what a process says).
    expect(await ownersUnder(project, 'node_modules')).toEqual([NOBODY]);
    expect(statSync(join(project, 'package-lock.json')).uid).toBe(NOBODY);
    expect(statSync(join(project, 'package.json')).uid).toBe(NOBODY);
    // The real npm binary was not needed for this install; nothing ran as root either way.
    expect((await npmLog.readLog()).filter((c) => c.uid === 0)).toEqual([]);
  });

  it('a root-owned project: npm runs as the install identity in a staging copy; the result belongs to root and is not writable by others', async () => {
    npmLog.clear();
    const project = await makeProject({ owner: 'root', packageJson: { name: 'rooted', version: '1.0.0', private: true } });
    const r = await safeNpm(['i', 'clean-fixture', 'with-postinstall'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(markers, 'postinstall-ran'))).toBe(false);
    expect(await ownersUnder(project, 'node_modules')).toEqual([0]);
    expect(await ownersUnder(project, 'package.json')).toEqual([0]);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'rooted', version: '1.0.0', dependencies: { 'clean-fixture': '^1.3.0' } });
    for (const file of walk(join(project, 'node_modules'))) {
      const st = lstatSync(file);
      if (!st.isSymbolicLink()) expect(st.mode & 0o022, `${file} is group/other-writable`).toBe(0);
    }
    expect((await npmLog.readLog()).filter((c) => c.uid === 0)).toEqual([]);
    // The bin link survived the copy back.
    expect(lstatSync(join(project, 'node_modules/.bin/clean-fixture')).isSymbolicLink()).toBe(true);
    // The install identity's cache is persistent and its own: a second install is warm.
    // The check's registry fetches went into that same cache as that user: nothing in it is root's.
    expect(await ownersUnder(cacheRoot, '_safe-npm/npm')).toEqual([installUid()]);
    expect(readdirSync(join(cacheRoot, '_safe-npm/npm'))).toContain('_cacache');
    expect(statSync(join(cacheRoot, '_safe-npm')).mode & 0o777).toBe(0o700);
  });

  it('a user asking for scripts back (--ignore-scripts=false, npm_config_ignore_scripts=false) gets them off anyway', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', '--ignore-scripts=false', 'with-postinstall'], project, { npm_config_ignore_scripts: 'false' });
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(project, 'node_modules/with-postinstall'))).toBe(true);
    expect(existsSync(join(markers, 'postinstall-ran'))).toBe(false);
  });

  it('workspaces and a relative file: dependency keep working in a root-owned project', async () => {
    const parent = await makeTempDir('safe-npm-mono-');
    const project = join(parent, 'app');
    const side = join(parent, 'side');
    await mkdir(join(project, 'packages', 'a'), { recursive: true });
    await mkdir(side);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'mono', version: '1.0.0', private: true, workspaces: ['packages/*'] }));
    await writeFile(join(project, 'packages/a/package.json'), JSON.stringify({ name: 'ws-a', version: '1.0.0', dependencies: { 'clean-fixture': '^1.0.0' } }));
    await writeFile(join(project, 'packages/a/index.js'), 'module.exports = 1;\n');
    await writeFile(join(side, 'package.json'), JSON.stringify({ name: 'side-lib', version: '1.0.0' }));
    await writeFile(join(side, 'index.js'), 'module.exports = "side";\n');
    // A local folder cannot be vetted from registry metadata: a warn, accepted here with --safe-yes.
    const r = await safeNpm(['install', 'side-lib@file:../side', '--safe-yes'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).not.toContain('safe-npm: install stopped');
    expect(lstatSync(join(project, 'node_modules/ws-a')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(project, 'node_modules/ws-a/index.js'), 'utf8')).toContain('module.exports = 1');
    expect(existsSync(join(project, 'node_modules/clean-fixture/package.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).toEqual({ 'side-lib': 'file:../side' });
    const run = await runTool('node', ['-e', 'console.log(require("side-lib"), require("ws-a"))'], { cwd: project });
    expect(run.stdout.trim(), show(run)).toBe('side 1');
    expect(await ownersUnder(project, 'node_modules')).toEqual([0]);
  });

  it('npm ci in a root-owned project: npm\'s engine installs the lockfile\'s tree as the install identity, scripts off; the result is root\'s, the lockfile untouched', async () => {
    const project = await makeProject({ owner: 'root', packageJson: { name: 'p', version: '1.0.0', dependencies: { 'with-postinstall': '^1.0.0' } } });
    const lock = await runTool('npm', ['install', '--package-lock-only', '--ignore-scripts'], { cwd: project, registry: registry.url });
    expect(lock.exitCode, show(lock)).toBe(0);
    const lockfile = readFileSync(join(project, 'package-lock.json'));
    npmLog.clear();
    const r = await safeNpm(['ci'], project);
    expect(r.exitCode, show(r)).toBe(0);
    // No npm CLI as root (nor at all: npm's engine ran in safe-npm's worker, as the install identity,
    // whose cache it filled).
    expect((await npmLog.readLog()).filter((c) => c.uid === 0)).toEqual([]);
    expect(await ownersUnder(cacheRoot, '_safe-npm/npm')).toEqual([installUid()]);
    expect(existsSync(join(project, 'node_modules/with-postinstall/package.json'))).toBe(true);
    expect(existsSync(join(markers, 'postinstall-ran'))).toBe(false);
    expect(await ownersUnder(project, 'node_modules')).toEqual([0]);
    expect(readFileSync(join(project, 'package-lock.json')).equals(lockfile)).toBe(true);
  });

  it('-g as root: staged as the install identity, then linked into the global prefix owned by root', async () => {
    const prefix = await makeTempDir('safe-npm-prefix-');
    const cwd = await makeTempDir('safe-npm-cwd-');
    npmLog.clear();
    const r = await safeNpm(['install', '-g', 'clean-fixture', 'with-postinstall'], cwd, { npm_config_prefix: prefix });
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(markers, 'postinstall-ran'))).toBe(false);
    expect(r.stderr).toContain('with-postinstall@1.3.0 was installed globally without running its install scripts (postinstall: node mark.js)');
    expect((await installCalls()).map((c) => c.uid)).toEqual([installUid()]);
    expect(await ownersUnder(prefix, 'lib/node_modules/clean-fixture')).toEqual([0]);
    const run = await runTool(join(prefix, 'bin', 'clean-fixture'), [], { cwd });
    expect(run.stdout.trim(), show(run)).toBe('clean-fixture ran as 0');
  });

  it('a non-root user runs npm as itself', async () => {
    const project = await makeProject({ owner: 'nobody' });
    npmLog.clear();
    const r = await safeNpm(['install', 'clean-fixture'], project, {}, 'nobody');
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout).toMatch(/^added 1 package in \d+(ms|s)$/m);
    expect(await ownersUnder(project, 'node_modules')).toEqual([NOBODY]);
  });

  it('a non-root user, a fresh project in a folder whose group is not theirs: staged, committed as that user', async () => {
    const project = await makeProject({ owner: 'nobody' });
    chownSync(project, NOBODY, 0);
    chownSync(join(project, 'package.json'), NOBODY, 0);
    const r = await safeNpm(['install', 'clean-fixture'], project, {}, 'nobody');
    expect(r.exitCode, show(r)).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).toHaveProperty('clean-fixture');
    expect(await ownersUnder(project, 'node_modules')).toEqual([NOBODY]);
  });
});

describe('safe-npm install: policy without a TTY', () => {
  it('a look-alike is blocked (65) and the project stays byte-for-byte the same', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const first = await safeNpm(['install', 'clean-fixture'], project);
    expect(first.exitCode, show(first)).toBe(0);
    const before = await snapshotProject(project);
    npmLog.clear();
    const r = await safeNpm(['install', 'lodahs'], project);
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stderr).toMatch(/✖ block "lodahs" looks like the popular package "lodash"/);
    expect(r.stderr).toMatch(/\n  lodahs: blocked \(did you mean "lodash"\?\); if you are sure, run: safe-npm safe trust lodahs@1\.3\.0\n/);
    expect(await snapshotProject(project)).toEqual(before);
    expect(await installCalls()).toEqual([]);
  });

  it('release cooldown: a version published a minute ago is not chosen; the previous one installs, and the report says so', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'fresh-fixture'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).toMatch(/safe-npm: fresh-fixture@1\.1\.0 is (a minute|\d+ minutes) old; installing 1\.0\.1/);
    expect(JSON.parse(readFileSync(join(project, 'node_modules/fresh-fixture/package.json'), 'utf8')).version).toBe('1.0.1');
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).toEqual({ 'fresh-fixture': '^1.0.1' });
  });

  it('an exact version younger than the cooldown needs confirmation (66), naming its age; --safe-yes and SAFE_NPM_YES=1 install it', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const before = await snapshotProject(project);
    const stopped = await safeNpm(['install', 'fresh-fixture@1.1.0'], project);
    expect(stopped.exitCode, show(stopped)).toBe(66);
    expect(stopped.stderr).toMatch(/fresh-fixture@1\.1\.0 is (a minute|\d+ minutes) old/);
    expect(stopped.stderr).toContain('--safe-yes');
    expect(await snapshotProject(project)).toEqual(before);
    const yes = await safeNpm(['install', 'fresh-fixture@1.1.0', '--safe-yes'], project);
    expect(yes.exitCode, show(yes)).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'node_modules/fresh-fixture/package.json'), 'utf8')).version).toBe('1.1.0');
    const env = await safeNpm(['install', 'old-deprecated'], project, { SAFE_NPM_YES: '1' });
    expect(env.exitCode, show(env)).toBe(0);
    expect(env.stdout + env.stderr).not.toContain('--safe-yes');
  });

  it('the cooldown can be turned off (0) or exclude a name', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const off = await safeNpm(['install', 'fresh-fixture', '--safe-yes'], project, { SAFE_NPM_MIN_RELEASE_AGE_HOURS: '0' });
    expect(off.exitCode, show(off)).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'node_modules/fresh-fixture/package.json'), 'utf8')).version).toBe('1.1.0');
    const other = await makeProject({ owner: 'nobody' });
    const excluded = await safeNpm(['install', 'fresh-fixture', '--safe-yes'], other, { SAFE_NPM_COOLDOWN_EXCLUDE: 'fresh-*' });
    expect(excluded.exitCode, show(excluded)).toBe(0);
    expect(JSON.parse(readFileSync(join(other, 'node_modules/fresh-fixture/package.json'), 'utf8')).version).toBe('1.1.0');
  });

  it('a deprecated package needs confirmation; `safe trust` accepts it', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'old-deprecated'], project);
    expect(r.exitCode, show(r)).toBe(66);
    expect(r.stderr).toContain('is deprecated: do not use');
    const sandbox = r.sandbox;
    const trust = await runBin('safe-npm', ['safe', 'trust', 'old-deprecated'], { cwd: project, sandbox });
    expect(trust.exitCode, show(trust)).toBe(0);
    const again = await runBin('safe-npm', ['install', 'old-deprecated'], {
      cwd: project, sandbox, env: { PATH: `${npmLog.dir}:${SYSTEM_PATH}`, SAFE_NPM_CACHE_ROOT: cacheRoot },
    });
    expect(again.exitCode, show(again)).toBe(0);
  });

  it('an unknown package is blocked as not found', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'no-such-fixture-anywhere'], project);
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stderr).toContain('was not found');
  });

  it('a registry that cannot be reached is "could not verify" (68), not a pass', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'clean-fixture', '--registry', DEAD_REGISTRY], project);
    expect(r.exitCode, show(r)).toBe(68);
    expect(r.stderr).toContain(`the registry ${DEAD_REGISTRY} cannot be reached (ECONNREFUSED); nothing was changed`);
  });

  it('with the registry unreachable, a requested name one slip from a popular one is said with its did-you-mean and blocked (65, as `safe check`; it was 68 and the network line alone)', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'lodahs', '--registry', DEAD_REGISTRY], project);
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stderr).toContain(`the registry ${DEAD_REGISTRY} cannot be reached (ECONNREFUSED); nothing was changed`);
    expect(r.stderr).toContain('safe-npm: "lodahs" looks like the popular package "lodash" (two letters swapped): did you mean "lodash"?');
  });

  it('an empty spec is a usage error (64), never the package "undefined"', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', ' '], project);
    expect(r.exitCode, show(r)).toBe(64);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('exec, npx, init, install-test, uninstall', () => {
  it('exec as root: the package installs as the install identity with scripts off, its bin runs as the invoking user; the same version again runs from where it was kept', async () => {
    const cwd = await makeTempDir('safe-npm-exec-');
    // One HOME for the three runs: root's kept packages live in its cache folder.
    const sandbox = await makeSandbox({ registry: registry.url });
    const exec = (env: Record<string, string> = {}) => runBin('safe-npm', ['exec', '--', 'clean-fixture'], { cwd, sandbox, env: { PATH: `${npmLog.dir}:${SYSTEM_PATH}`, SAFE_NPM_CACHE_ROOT: cacheRoot, ...env } });
    npmLog.clear();
    const r = await exec();
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout.trim()).toBe('clean-fixture ran as 0');
    expect((await installCalls()).map((c) => c.uid)).toEqual([installUid()]);
    // Like npx's own cache: the same vetted version runs from where it was kept, nothing installed again.
    npmLog.clear();
    const again = await exec();
    expect(again.exitCode, show(again)).toBe(0);
    expect(again.stdout.trim()).toBe('clean-fixture ran as 0');
    expect(await installCalls()).toEqual([]);
    // Nothing to install, so nothing said of installing (npm's warning without a terminal is for installs).
    expect(r.stderr).toContain('will be installed');
    expect(again.stderr).not.toContain('will be installed');
    // npx with yes=false runs what its cache holds: so does ours (it refused: "missing packages").
    const no = await exec({ npm_config_yes: 'false' });
    expect(no.exitCode, show(no)).toBe(0);
    expect(no.stdout.trim()).toBe('clean-fixture ran as 0');
    // A kept folder others could write is not root's to run from: installed afresh.
    const kept = join(sandbox.env.XDG_CACHE_HOME!, 'safe-npm', 'npx');
    chmodSync(kept, 0o777);
    try {
      const loose = await exec();
      expect(loose.stdout.trim(), show(loose)).toBe('clean-fixture ran as 0');
      expect((await installCalls()).map((c) => c.uid)).toEqual([installUid()]);
    } finally {
      chmodSync(kept, 0o700);
    }
  });

  it('root\'s exec in a folder another user owns installs as the install identity too, not as them: what root runs is never written by a user who can run code (they rewrote the bin before root ran it)', async () => {
    const cwd = await makeProject({ owner: 'nobody' });
    const sandbox = await makeSandbox({ registry: registry.url });
    npmLog.clear();
    const r = await runBin('safe-npm', ['exec', '--yes', '--', 'clean-fixture'], { cwd, sandbox, env: { PATH: `${npmLog.dir}:${SYSTEM_PATH}`, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout.trim()).toBe('clean-fixture ran as 0');
    expect((await installCalls()).map((c) => c.uid)).toEqual([installUid()]);
  });

  it('root\'s exec says npm\'s deprecation warning for what it installs, as npx does (it was kept with the rest of npm\'s install output)', async () => {
    const cwd = await makeTempDir('safe-npm-exec-deprecated-');
    const r = await safeNpm(['exec', '--yes', '--safe-yes', '--package=old-deprecated', '--', 'true'], cwd);
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).toMatch(/^npm warn deprecated old-deprecated@1\.\d\.\d: do not use$/m);
  });

  it('exec as an ordinary user runs npm exec as that user', async () => {
    const cwd = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['exec', '--', 'clean-fixture'], cwd, {}, 'nobody');
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout.trim()).toBe(`clean-fixture ran as ${NOBODY}`);
  });

  it('npx through the shim is checked like an install: a look-alike is blocked', async () => {
    const cwd = await makeTempDir('safe-npm-npx-');
    const blocked = await runTool(join(repoRoot, 'shims', 'npx'), ['lodahs'], {
      cwd, registry: registry.url, env: { PATH: `${npmLog.dir}:${SYSTEM_PATH}`, SAFE_NPM_CACHE_ROOT: cacheRoot },
    });
    expect(blocked.exitCode, show(blocked)).toBe(65);
    const ok = await runTool(join(repoRoot, 'shims', 'npx'), ['clean-fixture'], {
      cwd, registry: registry.url, env: { PATH: `${npmLog.dir}:${SYSTEM_PATH}`, SAFE_NPM_CACHE_ROOT: cacheRoot },
    });
    expect(ok.exitCode, show(ok)).toBe(0);
    expect(ok.stdout.trim()).toBe('clean-fixture ran as 0');
  });

  it('npm init <initializer> runs create-<initializer> after checking it', async () => {
    const cwd = await makeTempDir('safe-npm-init-');
    const r = await safeNpm(['init', 'fixture', 'my-app'], cwd);
    expect(r.exitCode, show(r)).toBe(0);
    expect(readFileSync(join(cwd, 'created-by-initializer'), 'utf8')).toBe('my-app uid=0');
  });

  it('install-test installs (non-root, scripts off) and then runs the tests as the user', async () => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', scripts: { test: 'node -e "process.exit(require(\'clean-fixture\') === \'clean-fixture\' ? 7 : 1)"' }, dependencies: { 'clean-fixture': '^1.0.0' } } });
    const r = await safeNpm(['it'], project);
    expect(r.exitCode, show(r)).toBe(7);
  });

  it('uninstall in a root-owned project: npm\'s engine removes it as the install identity; the results are root\'s', async () => {
    const project = await makeProject({ owner: 'root' });
    expect((await safeNpm(['install', 'clean-fixture', 'old-deprecated', '--safe-yes'], project)).exitCode).toBe(0);
    npmLog.clear();
    const r = await safeNpm(['uninstall', 'old-deprecated'], project);
    expect(r.exitCode, show(r)).toBe(0);
    // npm's engine (arborist, as npm uninstall uses it) removed it, as the install identity: no npm as root.
    expect((await npmLog.readLog()).filter((c) => c.uid === 0)).toEqual([]);
    expect(existsSync(join(project, 'node_modules/old-deprecated'))).toBe(false);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).not.toHaveProperty('old-deprecated');
    expect(r.stdout).toMatch(/removed 1 package in /);
    expect(await ownersUnder(project, 'node_modules')).toEqual([0]);
  });
});

describe('root\'s uninstall in a root-owned project with hostile content', () => {
  // npm run as root acts on the project's own content; as the install identity in a staging copy,
  // each of these fails and nothing outside changes (a fast path of npm as root was tried: it did not).
  it('removes, renames and writes nothing outside the project: a bin named by path in npm\'s hidden lockfile, a planted node_modules link, a linked lockfile', async () => {
    const project = await makeProject({ owner: 'root' });
    expect((await safeNpm(['install', 'clean-fixture', 'old-deprecated', 'create-fixture', '--safe-yes'], project)).exitCode).toBe(0);
    // The real npm first on PATH: its own entry is what a fast path would run in our process.
    const real = { PATH: SYSTEM_PATH, SAFE_NPM_TIMING: '1' };
    const elsewhere = await makeTempDir('safe-npm-elsewhere-');
    const victimFolder = join(elsewhere, 'folder');
    await mkdir(join(victimFolder, 'victim'), { recursive: true });
    writeFileSync(join(victimFolder, 'victim', 'package.json'), JSON.stringify({ name: 'victim', version: '1.0.0' }));
    const victimFile = join(elsewhere, 'file.json');
    writeFileSync(victimFile, 'precious\n');

    const hidden = join(project, 'node_modules', '.package-lock.json');
    const lock = JSON.parse(readFileSync(hidden, 'utf8'));
    lock.packages['node_modules/clean-fixture'].bin = { [victimFolder]: 'cli.js' };
    writeFileSync(hidden, JSON.stringify(lock, null, 2));
    const binByPath = await safeNpm(['uninstall', 'clean-fixture'], project, real);
    expect(existsSync(join(victimFolder, 'victim', 'package.json')), show(binByPath)).toBe(true);
    expect(binByPath.stderr, 'npm\'s engine as the install identity').toContain('engine spawned');

    const planted = join(project, 'node_modules', 'create-fixture', 'node_modules');
    if (existsSync(join(project, 'node_modules', 'create-fixture'))) {
      symlinkSync(victimFolder, planted);
      const pruned = await safeNpm(['prune'], project, real);
      expect(existsSync(join(victimFolder, 'victim', 'package.json')), show(pruned)).toBe(true);
      await rm(planted);
    }

    const lockfile = join(project, 'package-lock.json');
    await rm(lockfile);
    symlinkSync(victimFile, lockfile);
    const linked = await safeNpm(['uninstall', 'old-deprecated'], project, real);
    expect(readFileSync(victimFile, 'utf8'), show(linked)).toBe('precious\n');
  });
});

describe('root with folders of another user\'s (sudo -E keeps their XDG_* variables)', () => {
  /** A folder of nobody's, as their XDG_CONFIG_HOME / XDG_CACHE_HOME / XDG_STATE_HOME would be. */
  const theirFolder = async () => {
    const dir = await makeTempDir('safe-npm-theirs-');
    chownSync(dir, NOBODY, NOBODY);
    return dir;
  };

  it('their store (trust list, approvals, settings) is not used: one line, 64, nothing installed, nothing of root\'s left in it', async () => {
    const config = await theirFolder();
    const trusted = await safeNpm(['safe', 'trust', 'lodahs'], await theirFolder(), { XDG_CONFIG_HOME: config }, 'nobody');
    expect(trusted.exitCode, show(trusted)).toBe(0);
    const project = await makeProject({ owner: 'root' });
    const r = await safeNpm(['install', 'lodahs'], project, { XDG_CONFIG_HOME: config });
    expect(r.exitCode, show(r)).toBe(64);
    expect(r.stderr).toMatch(/root will not use the safe-npm store in .*safe-npm-theirs-.*\(uid 65534\) can be changed by someone other than root, who could trust or approve packages for root; unset XDG_CONFIG_HOME/);
    expect(existsSync(join(project, 'node_modules')), show(r)).toBe(false);
    const written = await safeNpm(['safe', 'trust', 'left-pad'], project, { XDG_CONFIG_HOME: config });
    expect(written.exitCode, show(written)).toBe(64);
    expect(new Set(await ownersUnder(config))).toEqual(new Set([NOBODY]));
  });

  it('their feed is neither read (they could empty it) nor written: the check says so and what to change; update-db refuses (64)', async () => {
    const cache = await theirFolder();
    const project = await makeProject({ owner: 'root' });
    const r = await safeNpm(['safe', 'check', 'clean-fixture'], project, { XDG_CACHE_HOME: cache });
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout).toMatch(/root does not use the known-malicious feed in .*safe-npm-theirs-.*\(uid 65534\) can be changed by someone other than root, who could empty it; unset XDG_CACHE_HOME \(sudo -E keeps yours\)/);
    const update = await safeNpm(['safe', 'update-db', '--url', 'http://127.0.0.1:9/feed.zip'], project, { XDG_CACHE_HOME: cache });
    expect(update.exitCode, show(update)).toBe(64);
    expect(update.stderr).toMatch(/nothing was downloaded; unset XDG_CACHE_HOME/);
    expect(new Set(await ownersUnder(cache))).toEqual(new Set([NOBODY]));
  });

  it('SAFE_NPM_BYPASS=1 appends no log line through a link in their state folder (it would have written any root file)', async () => {
    const state = await theirFolder();
    await mkdir(join(state, 'safe-npm'));
    const victimDir = await makeTempDir('safe-npm-victim-', 0o700);
    const victim = join(victimDir, 'root-only');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    symlinkSync(victim, join(state, 'safe-npm', 'bypass.log'));
    execFileSync('chown', ['-hR', `${NOBODY}:${NOBODY}`, state]);
    const r = await safeNpm(['--version'], await makeTempDir(), { XDG_STATE_HOME: state, SAFE_NPM_BYPASS: '1' });
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).toMatch(/safe-npm: not logged: .*safe-npm-theirs-.*\(uid 65534\) can be changed by someone other than root; unset XDG_STATE_HOME/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });
});

describe('a registry over TLS whose certificate only NODE_EXTRA_CA_CERTS names (no cafile)', () => {
  // npm's engine starts without the variable (Node 20 parses the file as it starts: ~50 ms of every
  // install) and trusts the file itself when npm's options name no CA: as Node would have.
  it('installs in a root-owned project (the install identity\'s engine; root\'s file readable by root alone) and in a user\'s own; without the certificate, nothing is installed', async () => {
    const front = await startTlsFront(registry.url);
    // Root's copy where only root can read it (a root-only corporate CA file): npm's engine runs as
    // the install identity, which cannot (it waited on the registry until killed: attack trial).
    const rootOnly = join(await makeTempDir('safe-npm-root-ca-', 0o700), 'ca.pem');
    writeFileSync(rootOnly, readFileSync(front.certFile), { mode: 0o600 });
    try {
      for (const owner of ['root', 'nobody'] as const) {
        const project = await makeProject({ owner });
        // Caches of their own: nothing may come from a document an earlier run fetched.
        const r = await safeNpm(['install', 'clean-fixture', '--registry', front.url], project, { NODE_EXTRA_CA_CERTS: owner === 'root' ? rootOnly : front.certFile, SAFE_NPM_CACHE_ROOT: await makeTempDir('safe-npm-cacheroot-') }, owner === 'nobody' ? 'nobody' : undefined);
        expect(r.exitCode, show(r)).toBe(0);
        expect(JSON.parse(readFileSync(join(project, 'node_modules', 'clean-fixture', 'package.json'), 'utf8')).version).toBe('1.3.0');
        expect(readFileSync(join(project, 'package-lock.json'), 'utf8')).toContain('clean-fixture');
      }
      const project = await makeProject({ owner: 'root' });
      const untrusted = await safeNpm(['install', 'clean-fixture', '--registry', front.url], project, { NODE_EXTRA_CA_CERTS: undefined, SAFE_NPM_CACHE_ROOT: await makeTempDir('safe-npm-cacheroot-') });
      expect(untrusted.exitCode, show(untrusted)).not.toBe(0);
      expect(existsSync(join(project, 'node_modules', 'clean-fixture')), show(untrusted)).toBe(false);
    } finally {
      await front.close();
    }
  });
});

describe('passthrough keeps npm exactly', () => {
  it('--version, config get registry and a failing run script: same output, same exit code', async () => {
    const project = await makeProject({
      owner: 'root',
      packageJson: { name: 'p', version: '1.0.0', scripts: { fail: 'echo failing-now && exit 3' } },
    });
    for (const args of [['--version'], ['config', 'get', 'registry'], ['run', 'fail']]) {
      const plain = await runTool('npm', args, { cwd: project, registry: registry.url });
      const ours = await safeNpm(args, project);
      expect(ours.exitCode, show(ours)).toBe(plain.exitCode);
      expect(ours.stdout).toBe(plain.stdout);
    }
    const failing = await safeNpm(['run', 'fail'], project);
    expect(failing.exitCode).toBe(3);
    expect(failing.stdout).toContain('failing-now');
  });
});

describe('safe-npm safe trust / list / config', () => {
  it('trust, list, untrust; config set/get/list; bad input is one line and exit 64', async () => {
    const cwd = await makeTempDir('safe-npm-config-');
    const first = await safeNpm(['safe', 'trust', 'lodahs'], cwd);
    expect(first.exitCode, show(first)).toBe(0);
    const sandbox = first.sandbox;
    const run = (args: string[]) => runBin('safe-npm', args, { cwd, sandbox, env: { PATH: SYSTEM_PATH } });
    expect((await run(['safe', 'list'])).stdout).toContain('  lodahs\n');
    expect((await run(['safe', 'config', 'set', 'thresholds.newPackageDays', '7'])).exitCode).toBe(0);
    expect((await run(['safe', 'config', 'get', 'thresholds.newPackageDays'])).stdout.trim()).toBe('7');
    expect(JSON.parse((await run(['safe', 'config', 'list'])).stdout)).toMatchObject({ runAsUser: '_safe-npm', scriptUser: '_safe-npm-scripts' });
    for (const bad of [['safe', 'config', 'set', 'nope', '1'], ['safe', 'config', 'set', 'sandbox', 'maybe'], ['safe', 'frobnicate'], ['safe', 'trust']]) {
      const r = await run(bad);
      expect(r.exitCode, show(r)).toBe(64);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await run(['safe', 'untrust', 'lodahs'])).stdout).toContain('no longer trusted');
    // A corrupt store is an error, not "allow all".
    writeFileSync(join(sandbox.env.XDG_CONFIG_HOME!, 'safe-npm', 'config.json'), '{"trusted": ');
    const corrupt = await run(['install', 'lodahs']);
    expect(corrupt.exitCode, show(corrupt)).toBe(64);
    expect(corrupt.stderr).toMatch(/cannot read the safe-npm config/);
  });
});

describe('safe-npm safe check', () => {
  it('--json prints one document, one entry per spec in order (the versions an install would take: the cooldown applies), and exits 65 on a block', async () => {
    const cwd = await makeTempDir('safe-npm-check-');
    const r = await safeNpm(['safe', 'check', '--json', 'clean-fixture', 'lodahs', 'fresh-fixture', 'nope@@'], cwd);
    expect(r.exitCode, show(r)).toBe(65);
    const doc = JSON.parse(r.stdout);
    expect(doc.packages.map((p: { name: string; verdict: string }) => `${p.name}:${p.verdict}`)).toEqual([
      'clean-fixture:ok', 'lodahs:block', 'fresh-fixture:ok', 'nope@@:block',
    ]);
    expect(doc.packages[2].version).toBe('1.0.1');
    expect(doc.packages[1].findings).toContainEqual(expect.objectContaining({ check: 'typosquat', severity: 'block', didYouMean: 'lodash' }));
    expect(doc.packages[0].version).toBe('1.3.0');
  });

  it('--offline runs only name checks and needs no registry', async () => {
    const cwd = await makeTempDir('safe-npm-check-');
    const r = await safeNpm(['safe', 'check', '--offline', '--json', 'express', 'expresss'], cwd, { npm_config_registry: DEAD_REGISTRY });
    expect(r.exitCode, show(r)).toBe(65);
    const doc = JSON.parse(r.stdout);
    // Only the known-malicious feed's one note (no feed in this fresh HOME) may be said, as info.
    expect(doc.packages[0]).toMatchObject({ name: 'express', version: null, verdict: 'ok' });
    expect(doc.packages[0].findings.filter((f: { severity: string }) => f.severity !== 'info')).toEqual([]);
    expect(doc.packages[1].findings).toEqual([expect.objectContaining({ check: 'typosquat', didYouMean: 'express' })]);
  });
});

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    out.push(p);
    if (entry.isDirectory()) out.push(...walk(p));
  }
  return out;
}

