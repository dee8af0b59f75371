/**
 * Proves the integration harness itself: Verdaccio with controlled publish times, deprecation and
 * re-publish; real npm against it as root and as `nobody`; owners by stat; the logging npm; the
 * isolated environment. Also a smoke test that `nobody` reaches node, npm and the temp dirs.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLoggingNpm, type LoggingNpm } from '../helpers/logging-npm.js';
import { makeProject, makeTempDir, ownersUnder, snapshotProject } from '../helpers/projects.js';
import { repoRoot, runBin, runTool, SYSTEM_PATH, type RunResult } from '../helpers/run-bin.js';
import { startVerdaccio, type VerdaccioServer } from '../helpers/verdaccio.js';

const NOBODY = 65534;
const DAY = 24 * 60 * 60 * 1000;
const OLD_DATE = new Date(Date.now() - 400 * DAY);

let registry: VerdaccioServer;
let markerDir: string;
let scratch: string;
let startupMs: number;

function describeRun(r: RunResult): string {
  return `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

beforeAll(async () => {
  markerDir = await makeTempDir('safe-npm-markers-', 0o777);
  await chmod(markerDir, 0o1777);
  scratch = await makeTempDir('safe-npm-scratch-');
  const t0 = Date.now();
  registry = await startVerdaccio({
    packages: [
      { name: 'harness-old', version: '1.0.0', publishedAt: OLD_DATE, files: { 'index.js': 'module.exports = "old";\n' } },
      {
        name: 'harness-deprecated',
        version: '2.0.0',
        deprecated: 'use harness-old instead',
        packageJson: { description: 'a deprecated fixture' },
      },
      {
        name: '@harness/with-postinstall',
        version: '1.0.0',
        packageJson: { scripts: { postinstall: 'node postinstall.js' } },
        files: {
          'postinstall.js': `require('fs').writeFileSync(${JSON.stringify(join(markerDir, 'postinstall-ran'))}, String(process.getuid()));\n`,
        },
      },
    ],
  });
  startupMs = Date.now() - t0;
});

afterAll(async () => {
  await registry?.stop();
});

describe('verdaccio fixture registry', () => {
  it('starts in a few seconds on 127.0.0.1', () => {
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(startupMs).toBeLessThan(10_000);
  });

  it.each([
    ['root', undefined],
    ['nobody', 'nobody' as const],
  ])('npm view shows the chosen publish time (as %s)', async (_label, user) => {
    const r = await runTool('npm', ['view', 'harness-old', 'time', '--json', '--registry', registry.url], {
      cwd: scratch,
      user,
      registry: registry.url,
    });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const time = JSON.parse(r.stdout) as Record<string, string>;
    expect(time['1.0.0']).toBe(OLD_DATE.toISOString());
    expect(time.created).toBe(OLD_DATE.toISOString());
    expect(time.modified).toBe(OLD_DATE.toISOString());
  });

  it('shows deprecation in the packument, full and abbreviated (as nobody)', async () => {
    const r = await runTool('npm', ['view', 'harness-deprecated', 'deprecated', '--json'], {
      cwd: scratch,
      user: 'nobody',
      registry: registry.url,
    });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(JSON.parse(r.stdout)).toBe('use harness-old instead');
    const corgi = (await (
      await fetch(`${registry.url}harness-deprecated`, { headers: { accept: 'application/vnd.npm.install-v1+json' } })
    ).json()) as any;
    expect(corgi.versions['2.0.0'].deprecated).toBe('use harness-old instead');
    const full = (await (await fetch(`${registry.url}@harness%2fwith-postinstall`)).json()) as any;
    expect(full.versions['1.0.0'].deprecated).toBeUndefined();
    expect(full.versions['1.0.0'].scripts).toEqual({ postinstall: 'node postinstall.js' });
  });

  it('npm install --ignore-scripts as nobody: files owned by nobody, postinstall not run', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await runTool('npm', ['install', '--ignore-scripts', '@harness/with-postinstall', 'harness-old'], {
      cwd: project,
      user: 'nobody',
      registry: registry.url,
    });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(existsSync(join(project, 'node_modules/@harness/with-postinstall/postinstall.js'))).toBe(true);
    expect(await readFile(join(project, 'node_modules/harness-old/index.js'), 'utf8')).toBe('module.exports = "old";\n');
    expect(await ownersUnder(project, 'node_modules')).toEqual([NOBODY]);
    expect(await ownersUnder(project, 'package-lock.json')).toEqual([NOBODY]);
    expect(existsSync(join(markerDir, 'postinstall-ran'))).toBe(false);
  });

  it('control: without --ignore-scripts the fixture postinstall really runs (as nobody)', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await runTool('npm', ['install', '@harness/with-postinstall'], { cwd: project, user: 'nobody', registry: registry.url });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(await readFile(join(markerDir, 'postinstall-ran'), 'utf8')).toBe(String(NOBODY));
  });

  it('publishes a new version while running, with its own time', async () => {
    const when = new Date(Date.now() - 1 * DAY);
    await registry.publish({ name: 'harness-old', version: '1.1.0', publishedAt: when });
    const r = await runTool('npm', ['view', 'harness-old', '--json'], { cwd: scratch, registry: registry.url });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const view = JSON.parse(r.stdout);
    expect(view.versions).toEqual(['1.0.0', '1.1.0']);
    expect(view['dist-tags'].latest).toBe('1.1.0');
    expect(view.time['1.1.0']).toBe(when.toISOString());
    expect(view.time.created).toBe(OLD_DATE.toISOString());
    expect(view.time.modified).toBe(when.toISOString());

    await registry.setTimes('harness-old', { '1.1.0': OLD_DATE });
    expect((await registry.readPackument('harness-old')).time['1.1.0']).toBe(OLD_DATE.toISOString());
  });

  it('re-publishes the same version with a different tarball (new integrity; or stale integrity with keepDist)', async () => {
    const before = (await registry.readPackument('harness-deprecated')).versions['2.0.0'].dist;
    const info = await registry.replaceTarball('harness-deprecated', '2.0.0', { 'index.js': 'module.exports = "swapped";\n' });
    const after = (await registry.readPackument('harness-deprecated')).versions['2.0.0'];
    expect(after.dist.integrity).toBe(info.integrity);
    expect(after.dist.integrity).not.toBe(before.integrity);
    expect(after.deprecated).toBe('use harness-old instead');
    expect(after.description).toBe('a deprecated fixture');

    const project = await makeProject({ owner: 'nobody' });
    const ok = await runTool('npm', ['install', '--ignore-scripts', 'harness-deprecated@2.0.0'], {
      cwd: project,
      user: 'nobody',
      registry: registry.url,
    });
    expect(ok.exitCode, describeRun(ok)).toBe(0);
    expect(await readFile(join(project, 'node_modules/harness-deprecated/index.js'), 'utf8')).toBe('module.exports = "swapped";\n');
    const installed = JSON.parse(await readFile(join(project, 'node_modules/harness-deprecated/package.json'), 'utf8'));
    expect(installed.description).toBe('a deprecated fixture');

    // Tarball swapped under unchanged metadata: npm must refuse it.
    await registry.replaceTarball('harness-deprecated', '2.0.0', { 'index.js': 'module.exports = "evil";\n' }, { keepDist: true });
    const project2 = await makeProject({ owner: 'nobody' });
    const bad = await runTool('npm', ['install', '--ignore-scripts', 'harness-deprecated@2.0.0'], {
      cwd: project2,
      user: 'nobody',
      registry: registry.url,
      timeoutMs: 30_000,
    });
    expect(bad.timedOut).toBe(false);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/EINTEGRITY|integrity/i);
  });
});

describe('logging npm', () => {
  let logging: LoggingNpm;
  beforeAll(async () => {
    logging = await makeLoggingNpm();
  });
  afterAll(() => logging?.cleanup());

  it('records the uid (per id -u) and the arguments of each call, then runs the real npm', async () => {
    const env = { PATH: `${logging.dir}:${SYSTEM_PATH}` };
    const asNobody = await runTool('npm', ['view', 'harness-old', 'version'], { cwd: scratch, user: 'nobody', registry: registry.url, env });
    expect(asNobody.exitCode, describeRun(asNobody)).toBe(0);
    expect(asNobody.stdout.trim()).toBe('1.1.0');
    const asRoot = await runTool('npm', ['--version'], { cwd: scratch, env, registry: registry.url });
    expect(asRoot.exitCode, describeRun(asRoot)).toBe(0);
    expect(asRoot.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await logging.readLog()).toEqual([
      { uid: NOBODY, cwd: scratch, args: ['view', 'harness-old', 'version'] },
      { uid: 0, cwd: scratch, args: ['--version'] },
    ]);
    await logging.clear();
    expect(await logging.readLog()).toEqual([]);
  });
});

describe('isolated environment and projects', () => {
  const printEnv = 'process.stdout.write(JSON.stringify({ env: process.env, tty: Boolean(process.stdin.isTTY), uid: process.getuid(), input: require("fs").readFileSync(0, "utf8") }))';

  it('builds the env from scratch: sandbox HOME/XDG/npm/pip dirs, CI=true, no PIP_FIND_LINKS, no TTY', async () => {
    const r = await runTool('node', ['-e', printEnv], {
      cwd: scratch,
      user: 'nobody',
      registry: registry.url,
      input: 'hello',
      env: { EXTRA: 'yes', LANG: undefined },
    });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.uid).toBe(NOBODY);
    expect(out.tty).toBe(false);
    expect(out.input).toBe('hello');
    const env = out.env as Record<string, string>;
    expect(env.CI).toBe('true');
    expect(env.EXTRA).toBe('yes');
    expect(env.LANG).toBeUndefined();
    expect(env.PIP_CONFIG_FILE).toBe('/dev/null');
    expect(Object.keys(env).filter((k) => k.startsWith('PIP_')).sort()).toEqual([
      'PIP_CACHE_DIR',
      'PIP_CONFIG_FILE',
      'PIP_DISABLE_PIP_VERSION_CHECK',
    ]);
    expect(Object.keys(env).filter((k) => /^npm_/i.test(k)).sort()).toEqual([
      'npm_config_cache',
      'npm_config_globalconfig',
      'npm_config_userconfig',
    ]);
    for (const key of ['HOME', 'XDG_CONFIG_HOME', 'XDG_STATE_HOME', 'npm_config_cache', 'PIP_CACHE_DIR', 'npm_config_userconfig']) {
      expect(env[key]!.startsWith(r.sandbox.dir + '/'), key).toBe(true);
    }
    expect(await readFile(env.npm_config_userconfig!, 'utf8')).toContain(`registry=${registry.url}\n`);
    expect(await ownersUnder(r.sandbox.dir)).toEqual([NOBODY]);
  });

  it('closes stdin when no input is given', async () => {
    const r = await runTool('node', ['-e', printEnv], { cwd: scratch });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tty: false, input: '', uid: 0 });
  });

  it('snapshots package.json, the lockfile and node_modules byte for byte', async () => {
    const project = await makeProject({ owner: 'nobody', files: { 'README.md': 'x' } });
    const r = await runTool('npm', ['install', '--ignore-scripts', 'harness-old@1.0.0'], { cwd: project, user: 'nobody', registry: registry.url });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const snap = await snapshotProject(project);
    expect(Object.keys(snap)).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'node_modules', 'node_modules/harness-old/index.js']),
    );
    expect(Object.keys(snap)).not.toContain('README.md');
    expect(await snapshotProject(project)).toEqual(snap);
    await writeFile(join(project, 'node_modules/harness-old/index.js'), 'module.exports = "changed";\n');
    expect(await snapshotProject(project)).not.toEqual(snap);
  });
});

describe('runBin', () => {
  const built = existsSync(join(repoRoot, 'bin/safe-npm.js')) && existsSync(join(repoRoot, 'dist'));
  it.skipIf(!built).each([
    ['root', undefined],
    ['nobody', 'nobody' as const],
  ])('runs bin/safe-npm.js --version (passthrough) as %s', async (_label, user) => {
    const r = await runBin('safe-npm', ['--version'], { cwd: scratch, user, registry: registry.url });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout.trim()).toMatch(/\d+\.\d+\.\d+/);
  });
});
