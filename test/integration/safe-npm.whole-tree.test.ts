/**
 * Issue 5 end to end on Verdaccio: the whole tree is vetted before anything is written, what was
 * vetted is what installs, and the release cooldown picks older versions.
 */
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, makeTempDir, snapshotProject } from '../helpers/projects.js';
import { DEAD_REGISTRY, runBin, runTool, SYSTEM_PATH, type RunResult } from '../helpers/run-bin.js';
import { publishedRecently, startVerdaccio, type FixturePackage, type VerdaccioServer } from '../helpers/verdaccio.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms);
let registry: VerdaccioServer;
let cacheRoot: string;

const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** Three old versions, a repository, a description: nothing to say about it. */
function established(name: string, packageJson: Record<string, unknown> = {}, versions = ['1.0.0', '1.0.1', '1.0.2']): FixturePackage[] {
  return versions.map((version) => ({
    name, version, publishedAt: ago(400 * DAY),
    packageJson: { description: name, repository: `https://example.invalid/${name}`, ...packageJson },
    files: { 'index.js': `module.exports = ${JSON.stringify(`${name}@${version}`)};\n` },
  }));
}

function safeNpm(args: string[], cwd: string, env: Record<string, string> = {}) {
  return runBin('safe-npm', args, { cwd, registry: registry.url, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, ...env } });
}

beforeAll(async () => {
  cacheRoot = await makeTempDir('safe-npm-cacheroot-');
  registry = await startVerdaccio({
    packages: [
      ...publishedRecently(established('lodahs')),
      ...established('uses-lookalike', { dependencies: { lodahs: '^1.0.0' } }),
      // 1.0.3 adds an install script; published 3 days ago (outside the cooldown, inside "recent").
      ...established('script-adder'),
      { name: 'script-adder', version: '1.0.3', publishedAt: ago(3 * DAY), packageJson: { description: 's', repository: 'https://example.invalid/s', scripts: { postinstall: 'node steal.js' } }, files: { 'steal.js': '// pretend\n' } },
      ...established('uses-script-adder', { dependencies: { 'script-adder': '^1.0.0' } }),
      ...established('cooldown-lib'),
      { name: 'cooldown-lib', version: '1.1.0', publishedAt: ago(HOUR), packageJson: { description: 'c', repository: 'https://example.invalid/c' } },
      ...established('uses-cooldown-lib', { dependencies: { 'cooldown-lib': '^1.0.0' } }),
      ...established('swap-me'),
      ...established('plain-dep'),
      // 1.0.2 released 3 days ago: its checks need the full document (publisher, scripts, times).
      ...established('recent-lib').map((v) => (v.version === '1.0.2' ? { ...v, publishedAt: ago(3 * DAY) } : v)),
      // What npm leaves out is not vetted: an optional dependency the registry does not have, and a
      // look-alike that only installs on Windows.
      ...established('uses-missing-optional', { optionalDependencies: { 'never-published-zz': '^0.1.0' } }),
      ...established('chalkk', { os: ['win32'] }),
      ...established('uses-win-optional', { optionalDependencies: { chalkk: '^1.0.0' } }),
    ],
  });
});

afterAll(async () => {
  await registry?.stop();
});

describe('the whole tree is vetted before anything is written', () => {
  it('a clean package whose dependency is a look-alike is caught, with its path; nothing changes', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const before = await snapshotProject(project);
    const r = await safeNpm(['install', 'uses-lookalike'], project);
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stderr).toMatch(/lodahs@1\.0\.2 \(via uses-lookalike\)\n(  .*\n)*?  ✖ block "lodahs" looks like the popular package "lodash"/);
    expect(r.stderr).toContain('  lodahs@1.0.2 (via uses-lookalike): blocked');
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('a dependency whose new release adds an install script is a warn with before/after and its path', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'uses-script-adder'], project);
    expect(r.exitCode, show(r)).toBe(66);
    expect(r.stderr).toMatch(/script-adder@1\.0\.3 \(via uses-script-adder\)\n(  .*\n)*?  ! warn script-adder@1\.0\.3 adds a postinstall script: node steal\.js \(1\.0\.2, the previous release, had no install scripts\)/);
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
  });

  it('a fresh transitive release inside the cooldown resolves to the previous version, and says so', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'uses-cooldown-lib'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).toMatch(/safe-npm: cooldown-lib@1\.1\.0 is (an hour|\d+ minutes) old; installing 1\.0\.2/);
    expect(JSON.parse(readFileSync(join(project, 'node_modules/cooldown-lib/package.json'), 'utf8')).version).toBe('1.0.2');
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/cooldown-lib'].version).toBe('1.0.2');
  });

  it('packages already installed are not re-reported; only the new one is checked', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const first = await safeNpm(['install', 'plain-dep', 'uses-script-adder', '--safe-yes'], project);
    expect(first.exitCode, show(first)).toBe(0);
    const second = await safeNpm(['install', 'plain-dep@1.0.1'], project);
    expect(second.exitCode, show(second)).toBe(0);
    // Its withheld script was listed when it arrived; it is not said again on every install.
    expect(second.stderr).not.toContain('script-adder@1.0.3 (via');
    expect(second.stderr).not.toContain('approve with: safe-npm safe approve script-adder');
    expect(second.stderr).not.toContain('installed earlier');
  });

  it('npm ci on a lockfile with a flagged entry is stopped before anything is installed', async () => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', dependencies: { 'uses-lookalike': '^1.0.0' } } });
    // A lockfile written by plain npm (as a teammate would commit it).
    const lock = await runTool('npm', ['install', '--package-lock-only', '--ignore-scripts'], { cwd: project, registry: registry.url, user: 'nobody' });
    expect(lock.exitCode, show(lock)).toBe(0);
    const before = await snapshotProject(project);
    const r = await safeNpm(['ci'], project);
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stderr).toContain('lodahs@1.0.2 (via uses-lookalike)');
    expect(await snapshotProject(project)).toEqual(before);
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
  });

  it('what npm leaves out is not vetted: an optional dependency the registry lacks, one for another platform (the same tree as npm\'s, exit 0)', async () => {
    for (const pkg of ['uses-missing-optional', 'uses-win-optional']) {
      const project = await makeProject({ owner: 'nobody' });
      const r = await safeNpm(['install', pkg], project);
      expect(r.exitCode, show(r)).toBe(0);
      // Before: "never-published-zz@ (via …) comes from a URL, not the registry" (66), "chalkk looks like chalk" (65).
      expect(r.stderr).not.toMatch(/never-published-zz|chalkk/);
      expect(readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.')).sort()).toEqual([pkg]);
    }
  });

  it('npm ci --omit=dev vets only what it installs: a flagged dev dependency does not stop it (without --omit it does)', async () => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', dependencies: { 'plain-dep': '^1.0.0' }, devDependencies: { 'uses-lookalike': '^1.0.0' } } });
    const lock = await runTool('npm', ['install', '--package-lock-only', '--ignore-scripts'], { cwd: project, registry: registry.url, user: 'nobody' });
    expect(lock.exitCode, show(lock)).toBe(0);
    const all = await safeNpm(['ci'], project);
    expect(all.exitCode, show(all)).toBe(65);
    const production = await safeNpm(['ci', '--omit=dev'], project);
    expect(production.exitCode, show(production)).toBe(0);
    expect(production.stderr).not.toContain('lodahs');
    expect(readdirSync(join(project, 'node_modules')).filter((n) => !n.startsWith('.')).sort()).toEqual(['plain-dep']);
  });

  it.each([['nobody'], ['root']] as const)('npm install in an up-to-date %s-owned project reads no registry document, as npm: it works with the registry down and every cache empty', async (owner) => {
    const project = await makeProject({ owner });
    expect((await safeNpm(['install', 'uses-script-adder', 'plain-dep', '--safe-yes'], project)).exitCode).toBe(0);
    const before = await snapshotProject(project);
    const emptyCaches = { SAFE_NPM_CACHE_ROOT: await makeTempDir('safe-npm-cacheroot-empty-'), npm_config_cache: await makeTempDir('safe-npm-npm-cache-empty-', 0o777), npm_config_registry: DEAD_REGISTRY };
    const installedFolder = statSync(join(project, 'node_modules')).ino;
    const r = await safeNpm(['install'], project, emptyCaches);
    // Before: 68, "the registry … cannot be reached": every installed entry's document was read for vetting.
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout).toContain('up to date');
    expect(await snapshotProject(project)).toEqual(before);
    // Root-owned: the staged copy of an unchanged tree is not swapped in (it was, folder by folder).
    expect(statSync(join(project, 'node_modules')).ino).toBe(installedFolder);
  });

  it('a package.json anyone can write above the temp folder ({"type":"commonjs"} in /tmp) does not stop npm\'s engine', async () => {
    // The engine runs from a private area in the temp folder as the build identity: node takes the
    // module type from the nearest package.json, which without one of ours was the planted one.
    // Like /tmp: anyone may write there (sticky: what root makes there stays root's; a temp folder
    // open to others without the sticky bit is refused to root, see root-temp-dir.ts).
    const sharedTemp = await makeTempDir('safe-npm-shared-tmp-', 0o777);
    chmodSync(sharedTemp, 0o1777);
    writeFileSync(join(sharedTemp, 'package.json'), '{"type":"commonjs"}\n');
    const project = await makeProject({ owner: 'root' });
    const r = await safeNpm(['install', 'plain-dep'], project, { TMPDIR: sharedTemp });
    // Before: exit 1, "SyntaxError: Cannot use import statement outside a module".
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(project, 'node_modules/plain-dep/package.json'))).toBe(true);
  });

  it('npm ci of a clean lockfile installs it as the project owner', async () => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', dependencies: { 'plain-dep': '^1.0.0' } } });
    const lock = await runTool('npm', ['install', '--package-lock-only', '--ignore-scripts'], { cwd: project, registry: registry.url, user: 'nobody' });
    expect(lock.exitCode, show(lock)).toBe(0);
    const r = await safeNpm(['ci'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(readFileSync(join(project, 'node_modules/plain-dep/index.js'), 'utf8')).toContain('plain-dep@1.0.2');
  });

  it('with the vetted tarball already in the cache, the install gets the vetted bytes, never the swapped ones', async () => {
    const warmCache = await makeTempDir('safe-npm-warm-cache-');
    const first = await makeProject({ owner: 'nobody' });
    expect((await safeNpm(['install', 'plain-dep@1.0.0'], first, { SAFE_NPM_CACHE_ROOT: warmCache })).exitCode).toBe(0);
    const vetted = readFileSync(join(first, 'node_modules/plain-dep/index.js'), 'utf8');
    // Same version, different bytes: a lockfile pins the integrity, the cache answers by integrity.
    await registry.replaceTarball('plain-dep', '1.0.0', { 'index.js': 'module.exports = "evil";\n' }, { keepDist: true });
    const second = await makeProject({ owner: 'nobody', packageJson: JSON.parse(readFileSync(join(first, 'package.json'), 'utf8')) });
    writeFileSync(join(second, 'package-lock.json'), readFileSync(join(first, 'package-lock.json')));
    chownSync(join(second, 'package-lock.json'), 65534, 65534);
    const r = await safeNpm(['install'], second, { SAFE_NPM_CACHE_ROOT: warmCache });
    expect(r.exitCode, show(r)).toBe(0);
    expect(readFileSync(join(second, 'node_modules/plain-dep/index.js'), 'utf8')).toBe(vetted);
  });

  it('npm ci keeps what vetting read of each document for the next run, until npm\'s cache holds a newer one', async () => {
    const ownCache = await makeTempDir('safe-npm-cacheroot-');
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', dependencies: { 'recent-lib': '^1.0.0', 'plain-dep': '^1.0.0' } } });
    const lock = await runTool('npm', ['install', '--package-lock-only', '--ignore-scripts'], { cwd: project, registry: registry.url, user: 'nobody' });
    expect(lock.exitCode, show(lock)).toBe(0);
    const ci = async () => {
      rmSync(join(project, 'node_modules'), { recursive: true, force: true });
      return safeNpm(['ci'], project, { SAFE_NPM_CACHE_ROOT: ownCache, SAFE_NPM_TIMING: '1' });
    };
    const first = await ci();
    expect(first.exitCode, show(first)).toBe(0);
    expect(first.stderr).toMatch(/ms documents for 2 entries \(1 full\)/);
    // Same lockfile, same documents in npm's cache: the reductions are read back, no document parsed.
    const second = await ci();
    expect(second.exitCode, show(second)).toBe(0);
    expect(second.stderr).toMatch(/ms documents for 2 entries \(0 full\)/);
    // The registry deprecates the locked version; once npm has fetched the new document (any npm
    // command with this cache), the kept reduction no longer stands for it.
    await registry.deprecate('recent-lib', '1.0.2', 'use plain-dep');
    const npmCache = join(ownCache, 'nobody', 'npm');
    expect(existsSync(join(npmCache, '_cacache')), `npm's cache of the owner is ${npmCache}`).toBe(true);
    const view = await runTool('npm', ['view', 'recent-lib', 'deprecated', '--prefer-online', '--cache', npmCache], { cwd: project, registry: registry.url, user: 'nobody' });
    expect(view.stdout, show(view)).toContain('use plain-dep');
    const third = await ci();
    expect(third.exitCode, show(third)).toBe(66);
    expect(third.stderr).toContain('recent-lib@1.0.2 is deprecated: use plain-dep');
    expect(third.stderr).toMatch(/ms documents for 2 entries \(1 full\)/);
  });

  it('npm update: resolved and vetted like an install; package.json is left alone unless --save, as npm does', async () => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', dependencies: { 'plain-dep': '^1.0.0' } } });
    const lock = await runTool('npm', ['install', '--package-lock-only', '--ignore-scripts', 'plain-dep@1.0.0', '--save-exact=false'], { cwd: project, registry: registry.url, user: 'nobody' });
    expect(lock.exitCode, show(lock)).toBe(0);
    const manifest = readFileSync(join(project, 'package.json'), 'utf8');
    const r = await safeNpm(['update'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'node_modules/plain-dep/package.json'), 'utf8')).version).toBe('1.0.2');
    expect(readFileSync(join(project, 'package.json'), 'utf8')).toBe(manifest);
  });
});
