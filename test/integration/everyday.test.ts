/**
 * Issue 9, safe-npm in everyday hands, end to end (bin/safe-npm.js → the real npm → Verdaccio): a
 * brand-new package installs under the cooldown once accepted; npm's own counts; an uninstall or a
 * no-op reinstall replays nothing and says nothing; a strict stop changes nothing and its advice
 * works; npx honours `yes=false` and runs a local bin without the install path; `safe check` vets the
 * tree a spec brings; not found is 65 every time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { chmod, cp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, makeTempDir, snapshotProject } from '../helpers/projects.js';
import { DEAD_REGISTRY, repoRoot, runBin, runTool, SYSTEM_PATH, type RunResult, type Sandbox, makeSandbox } from '../helpers/run-bin.js';
import { startVerdaccio, type VerdaccioServer } from '../helpers/verdaccio.js';
import { startAuditProxy, type Advisory } from '../helpers/audit-proxy.js';
import { fakeDeps } from '../helpers/fake-npm-deps.js';
import { lockProject } from '../../src/run/project-lock.js';
import { npmInstallFlow } from '../../src/flow/npm-install.js';
import type { NpmInvocation } from '../../src/npm/npm-invocation.js';
import { parseSpec } from '../../src/npm/parse-npm-args.js';
import type { spawnTreeWorker as SpawnTreeWorker } from '../../src/npm/tree-install.js';

const DAY = 86_400_000;
const old = new Date(Date.now() - 500 * DAY);
/** A folder anyone could plant, named by a registry package's own `file:` dependency. */
const plantedFolder = join(tmpdir(), `safe-npm-planted-folder-${process.pid}`);
let registry: VerdaccioServer;
let markers: string;
let cacheRoot: string;
let sandbox: Sandbox;
const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

function established(name: string, extra: Record<string, unknown> = {}, files: Record<string, string> = {}, versions = ['1.0.0', '1.1.0', '1.2.0']) {
  return versions.map((version) => ({
    name, version, publishedAt: old,
    packageJson: { description: name, repository: `https://example.invalid/${name}.git`, ...extra },
    files: { 'index.js': `module.exports = ${JSON.stringify(name)};\n`, ...files },
  }));
}

beforeAll(async () => {
  markers = await makeTempDir('safe-npm-everyday-markers-', 0o777);
  await chmod(markers, 0o1777);
  cacheRoot = await makeTempDir('safe-npm-cacheroot-');
  // Each run of the postinstall appends a line to a file in its own folder (the one place the sandbox
  // lets it write): how often it ran, whatever the clock.
  const logRun = `require('fs').appendFileSync('ran.log', 'ran\\n');\n`;
  registry = await startVerdaccio({
    packages: [
      ...established('plain-a'),
      ...established('plain-b', { bin: { 'plain-b': 'cli.js' } }, { 'cli.js': '#!/usr/bin/env node\nconsole.log("plain-b ran");\n' }),
      ...established('scripted', { scripts: { postinstall: 'node run.js' } }, { 'run.js': logRun }),
      // What its postinstall sees of the two folders above its project (written into its own folder).
      ...established('peeks', { scripts: { postinstall: 'node peek.js' } }, {
        'peek.js': [
          "const { readdirSync, writeFileSync } = require('fs'); const { dirname } = require('path');",
          "const project = dirname(dirname(process.cwd())); const list = (d) => { try { return readdirSync(d).sort(); } catch (e) { return e.code; } };",
          "writeFileSync('seen.json', JSON.stringify({ cwd: process.cwd(), above: list(dirname(project)), twoAbove: list(dirname(dirname(project))) }));",
          '',
        ].join('\n'),
      }),
      ...established('nest-b', {}, {}, ['1.0.0', '2.0.0']),
      ...established('nest-a', { dependencies: { 'nest-b': '^1.0.0' } }),
      ...established('uses-lookalike', { dependencies: { lodahs: '^1.0.0' } }),
      ...established('pulls-folder', { dependencies: { planted: `file:${plantedFolder}` } }),
      ...established('lodahs').map((p) => ({ ...p, publishedAt: new Date(Date.now() - 100 * DAY) })),
      ...established('lodash'),
      // Its own package for 500 days, one letter from express: established, installed as asked.
      ...established('expres'),
      ...established('funded', { funding: 'https://example.invalid/fund' }),
      // Advised against below 1.0.1 (audit-proxy.ts): the fix of vuln-a brings a look-alike.
      ...established('vuln-a', {}, {}, ['1.0.0']),
      ...established('vuln-a', { dependencies: { lodahs: '^1.0.0' } }, {}, ['1.0.1']),
      ...established('vuln-b', {}, {}, ['1.0.0', '1.0.1']),
      ...established('vuln-c', {}, {}, ['1.0.0']),
      // A colleague's package, published a minute ago: every version is younger than the cooldown.
      { name: 'brand-new-pkg', version: '1.0.0', publishedAt: new Date(Date.now() - 60_000), packageJson: { description: 'x', repository: 'https://example.invalid/x.git' } },
      { name: 'brand-new-bin', version: '1.0.0', publishedAt: new Date(Date.now() - 60_000), packageJson: { description: 'x', repository: 'https://example.invalid/x.git', bin: { 'brand-new-bin': 'cli.js' } }, files: { 'cli.js': '#!/usr/bin/env node\nconsole.log("brand-new-bin ran");\n' } },
    ],
  });
  sandbox = await makeSandbox({ registry: registry.url });
});

afterAll(async () => {
  await registry?.stop();
  rmSync(plantedFolder, { recursive: true, force: true });
});

/** safe-npm as root with one user store (trust, approvals) for the whole file. */
function safeNpm(args: string[], cwd: string, env: Record<string, string | undefined> = {}) {
  return runBin('safe-npm', args, { cwd, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, ...env } });
}

const ranLines = (project: string) => {
  const log = join(project, 'node_modules', 'scripted', 'ran.log');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
};

describe('installs as npm would', () => {
  it('a folder a registry package links by its own `file:` spec is vetted as a local source named by someone else (it went in silently: any folder on the machine, as the package\'s code)', async () => {
    mkdirSync(plantedFolder, { recursive: true, mode: 0o755 });
    writeFileSync(join(plantedFolder, 'package.json'), '{"name":"planted","version":"1.0.0"}\n');
    writeFileSync(join(plantedFolder, 'index.js'), 'module.exports = "planted";\n');
    for (const owner of ['nobody', 'root'] as const) {
      const project = await makeProject({ owner });
      const before = await snapshotProject(project);
      const r = await safeNpm(['install', 'pulls-folder'], project);
      expect(r.exitCode, show(r)).toBe(66);
      expect(r.stderr).toContain(`comes from a local folder, not the registry`);
      expect(await snapshotProject(project)).toEqual(before);
    }
  });

  it('an established package one letter from a popular one installs as asked, and says so in one line (it installed without a word: `npm i expres`)', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'expres'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).toMatch(/^safe-npm: "expres" looks like the popular package "express" .*, but is an established package .*; installing it as asked$/m);
    expect(existsSync(join(project, 'node_modules', 'expres'))).toBe(true);
  });

  it('a brand-new package (every version a minute old) installs once accepted (--safe-yes), under the default cooldown', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const asked = await safeNpm(['install', 'brand-new-pkg'], project);
    expect(asked.exitCode, show(asked)).toBe(66);
    const r = await safeNpm(['install', 'brand-new-pkg', '--safe-yes'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'node_modules/brand-new-pkg/package.json'), 'utf8')).version).toBe('1.0.0');
  });

  it('a folder or tarball that is not there is one line naming the user\'s path (64), not a confirmation whose --safe-yes fails in our staging copy', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const before = await snapshotProject(project);
    for (const [spec, says] of [['./no-such-folder', `no such folder ${join(project, 'no-such-folder')}`], ['./nope.tgz', `no such file ${join(project, 'nope.tgz')}`]]) {
      const r = await safeNpm(['install', spec!, '--safe-yes'], project);
      expect(r.exitCode, show(r)).toBe(64);
      expect(r.stderr).toBe(`safe-npm: cannot install "${spec}": ${says}\n`);
    }
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('"added N packages" counts nested installs as npm does, timed in npm\'s format', async () => {
    const ours = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'nest-a', 'nest-b@2'], ours);
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(ours, 'node_modules/nest-a/node_modules/nest-b'))).toBe(true);
    const plain = await makeProject({ owner: 'nobody' });
    const npm = await runTool('npm', ['install', 'nest-a', 'nest-b@2'], { cwd: plain, sandbox, env: { PATH: SYSTEM_PATH } });
    const count = (out: string) => /(added \d+ packages?)/.exec(out)?.[1];
    expect(count(npm.stdout), show(npm)).toBe('added 3 packages');
    expect(count(r.stdout)).toBe(count(npm.stdout));
    expect(r.stdout).toMatch(/^added 3 packages in \d+(ms|s)$/m);
  });

  it('--dry-run lists each change as npm does ("add nest-b 2.0.0"), in npm\'s order, and writes nothing', async () => {
    const ours = await makeProject({ owner: 'root' });
    const before = await snapshotProject(ours);
    const r = await safeNpm(['install', '--dry-run', 'nest-a', 'nest-b@2'], ours);
    expect(r.exitCode, show(r)).toBe(0);
    const plain = await makeProject({ owner: 'root' });
    const npm = await runTool('npm', ['install', '--dry-run', 'nest-a', 'nest-b@2'], { cwd: plain, sandbox, env: { PATH: SYSTEM_PATH } });
    const changes = (out: string) => out.split('\n').filter((line) => /^(add|remove|change) /.test(line));
    expect(changes(npm.stdout), show(npm)).toHaveLength(3);
    expect(changes(r.stdout), show(r)).toEqual(changes(npm.stdout));
    expect(await snapshotProject(ours)).toEqual(before);
  });

  it('uninstalling an unrelated package runs no install script again; a no-op reinstall says nothing about old scripts', async () => {
    const project = await makeProject({ owner: 'nobody' });
    expect((await safeNpm(['safe', 'approve', 'scripted@1.2.0'], project)).exitCode).toBe(0);
    const installed = await safeNpm(['install', 'scripted', 'plain-a'], project);
    expect(installed.exitCode, show(installed)).toBe(0);
    const ran = ranLines(project);
    expect(ran).toBeGreaterThan(0);
    const r = await safeNpm(['uninstall', 'plain-a'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(project, 'node_modules/plain-a'))).toBe(false);
    expect(ranLines(project)).toBe(ran);
    // Unapproved (another user's store), then the same install again: it was listed once, when it was installed.
    const other = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', dependencies: { scripted: '^1.0.0' } } });
    const fresh = await makeSandbox({ registry: registry.url });
    const plain = (args: string[]) => runBin('safe-npm', args, { cwd: other, sandbox: fresh, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    const first = await plain(['install']);
    expect(first.exitCode, show(first)).toBe(0);
    expect(first.stderr).toContain('approve with: safe-npm safe approve scripted@1.2.0');
    const again = await plain(['install']);
    expect(again.exitCode, show(again)).toBe(0);
    expect(again.stderr).not.toContain('installed earlier');
  });

  it('install scripts withheld in CI: the advice followed as printed (approve, then the rebuild it names) runs the script', async () => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', dependencies: { scripted: '^1.0.0' } } });
    const fresh = await makeSandbox({ registry: registry.url });
    const run = (args: string[]) => runBin('safe-npm', args, { cwd: project, sandbox: fresh, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    const first = await run(['install']);
    expect(first.exitCode, show(first)).toBe(0);
    expect(ranLines(project)).toBe(0);
    const commands = [...first.stderr.matchAll(/(?:approve with|then run them): safe-npm (.+)$/gm)].map((m) => m[1]!.split(' '));
    expect(commands, show(first)).toEqual([['safe', 'approve', 'scripted@1.2.0'], ['rebuild']]);
    for (const args of commands) expect((await run(args)).exitCode).toBe(0);
    expect(ranLines(project)).toBe(1);
  });

  it('denied (as at the prompt), then the advice followed (approve, rebuild): approving lifts the deny and the script runs', async () => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'p', version: '1.0.0', dependencies: { scripted: '^1.0.0' } } });
    const fresh = await makeSandbox({ registry: registry.url });
    const run = (args: string[]) => runBin('safe-npm', args, { cwd: project, sandbox: fresh, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    expect((await run(['safe', 'deny', 'scripted'])).exitCode).toBe(0);
    expect((await run(['install'])).exitCode).toBe(0);
    expect(ranLines(project)).toBe(0);
    const approved = await run(['safe', 'approve', 'scripted@1.2.0']);
    expect(approved.stdout, show(approved)).toBe('removed the deny on scripted\napproved scripted@1.2.0 [postinstall: node run.js]\n');
    const rebuilt = await run(['rebuild']);
    expect(rebuilt.exitCode, show(rebuilt)).toBe(0);
    expect(ranLines(project)).toBe(1);
  });

  it('a local tarball\'s install script: the advice approves it where it is installed (name@version is no registry version), and followed, the rebuild runs it', async () => {
    const work = await makeTempDir('safe-npm-local-tgz-');
    const source = join(work, 'locpkg');
    mkdirSync(source);
    writeFileSync(join(source, 'package.json'), JSON.stringify({ name: 'locpkg', version: '1.0.0', scripts: { postinstall: 'node run.js' } }));
    writeFileSync(join(source, 'run.js'), `require('fs').appendFileSync('ran.log', 'ran\\n');\n`);
    const packed = await runTool('npm', ['pack', '--silent', source], { cwd: work, sandbox });
    expect(packed.exitCode, show(packed)).toBe(0);
    const project = await makeProject({ owner: 'root' });
    const installed = await safeNpm(['install', join(work, packed.stdout.trim()), '--safe-yes'], project);
    expect(installed.exitCode, show(installed)).toBe(0);
    const advice = /approve with: safe-npm (.+)$/m.exec(installed.stderr)?.[1]?.split(' ');
    expect(advice, show(installed)).toEqual(['safe', 'approve', 'node_modules/locpkg']);
    const approved = await safeNpm(advice!, project);
    expect(approved.exitCode, show(approved)).toBe(0);
    expect(approved.stdout).toContain('approved locpkg@1.0.0 as installed at node_modules/locpkg');
    const rebuilt = await safeNpm(['rebuild'], project);
    expect(rebuilt.exitCode, show(rebuilt)).toBe(0);
    expect(readFileSync(join(project, 'node_modules/locpkg/ran.log'), 'utf8')).toBe('ran\n');
    // npm rebuild's own last line (it said nothing).
    expect(rebuilt.stdout.trim().split('\n').at(-1)).toBe('rebuilt dependencies successfully');
  });

  it('a linked folder\'s install script (file:./local/x): the install names it as withheld (it said nothing; rebuild did), the advice names its path, and that approves it (it was refused as no registry version)', async () => {
    const project = await makeProject({ owner: 'root' });
    mkdirSync(join(project, 'local', 'evf'), { recursive: true });
    writeFileSync(join(project, 'local', 'evf', 'package.json'), JSON.stringify({ name: 'evf', version: '1.0.0', scripts: { install: `node -e "require('fs').writeFileSync('ran', '1')"` } }));
    const installed = await safeNpm(['install', './local/evf', '--safe-yes'], project);
    expect(installed.exitCode, show(installed)).toBe(0);
    expect(installed.stderr).toMatch(/install scripts withheld[^]*evf@1\.0\.0 \[install: .*approve with: safe-npm safe approve local\/evf$/m);
    const listed = await safeNpm(['rebuild'], project);
    const advice = /approve with: safe-npm (.+)$/m.exec(listed.stderr)?.[1]?.split(' ');
    expect(advice, show(listed)).toEqual(['safe', 'approve', 'local/evf']);
    const approved = await safeNpm(advice!, project);
    expect(approved.exitCode, show(approved)).toBe(0);
    expect(approved.stdout).toContain('approved evf@1.0.0 as installed at local/evf (its scripts and the files they run by name');
    expect((await safeNpm(['rebuild'], project)).exitCode).toBe(0);
    expect(existsSync(join(project, 'local', 'evf', 'ran'))).toBe(true);
  });

  it('link ../folder in root\'s project links the folder as npm does (the relative path was read inside the staging copy: ENOENT); npm\'s global half is said, not made', async () => {
    const work = await makeTempDir('safe-npm-link-');
    mkdirSync(join(work, 'locpkg'));
    writeFileSync(join(work, 'locpkg', 'package.json'), '{"name":"locpkg","version":"1.0.0"}\n');
    const project = join(work, 'p');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}\n');
    const r = await safeNpm(['link', '../locpkg', '--safe-yes'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(readlinkSync(join(project, 'node_modules', 'locpkg'))).toBe('../../locpkg');
    expect(realpathSync(join(project, 'node_modules', 'locpkg'))).toBe(join(work, 'locpkg'));
    expect(r.stderr).toMatch(/^safe-npm: linked into the project only: npm's global link of .*locpkg .* is not made/m);
  });

  it.each(['root', 'nobody'] as const)('--json prints npm\'s summary object, --silent nothing, as npm does (%s\'s project; they printed the text line)', async (owner) => {
    const mine = await makeProject({ owner });
    const npms = await makeProject({ owner });
    const json = await safeNpm(['install', '--json', 'plain-a'], mine);
    expect(json.exitCode, show(json)).toBe(0);
    const plain = await runTool('npm', ['install', '--json', 'plain-a'], { cwd: npms, sandbox });
    expect(plain.exitCode, show(plain)).toBe(0);
    const normal = (text: string, dir: string) => JSON.parse(text.split(dir).join('<project>'));
    expect(normal(json.stdout, mine)).toEqual(normal(plain.stdout, npms));
    const silent = await safeNpm(['install', '--silent', 'plain-b'], mine);
    expect(silent.exitCode, show(silent)).toBe(0);
    expect(silent.stdout).toBe('');
    expect(existsSync(join(mine, 'node_modules/plain-b/package.json'))).toBe(true);
  });

  it('an absolute file: folder in root\'s project is linked as npm links it (the link was made relative from the staging copy: committed, it dangled)', async () => {
    const work = await makeTempDir('safe-npm-absolute-file-');
    const lib = join(work, 'libs', 'abs-lib');
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, 'package.json'), '{"name":"abs-lib","version":"1.0.0"}\n');
    const make = (name: string) => {
      const dir = join(work, 'apps', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', dependencies: { 'abs-lib': `file:${lib}` } }));
      return dir;
    };
    const ours = make('ours');
    const r = await safeNpm(['install'], ours);
    expect(r.exitCode, show(r)).toBe(0);
    const plain = make('plain');
    expect((await runTool('npm', ['install', '--ignore-scripts'], { cwd: plain, sandbox })).exitCode).toBe(0);
    expect(readlinkSync(join(ours, 'node_modules', 'abs-lib'))).toBe(readlinkSync(join(plain, 'node_modules', 'abs-lib')));
    expect(realpathSync(join(ours, 'node_modules', 'abs-lib'))).toBe(realpathSync(lib));
  });

  it('install with no package named in a folder without package.json: npm\'s ENOENT exit (254) in one line, nothing written (it said "up to date", 0)', async () => {
    const empty = await makeTempDir('safe-npm-no-package-json-');
    const r = await safeNpm(['install'], empty);
    expect(r.exitCode, show(r)).toBe(254);
    expect(r.stderr).toBe(`safe-npm: no package.json in ${empty}: npm install with no package named installs a project, and there is none here (npm init -y makes one)\n`);
    expect(readdirSync(empty)).toEqual([]);
  });

  it.each(['root', 'nobody'] as const)('a package.json without a name (%s\'s project): the lockfile is named after the folder, as npm names it', async (owner) => {
    const project = await makeProject({ owner, packageJson: {} });
    const r = await safeNpm(['install', 'plain-a'], project);
    expect(r.exitCode, show(r)).toBe(0);
    for (const lock of ['package-lock.json', 'node_modules/.package-lock.json']) {
      expect(JSON.parse(readFileSync(join(project, lock), 'utf8')).name, lock).toBe(basename(project));
    }
  });

  it('approved scripts in root\'s project below a folder the script user cannot enter (mode 700, as root\'s home): they run, at the project\'s own path, and see nothing else of that folder — in bubblewrap at the install, without it at the rebuild', async () => {
    const closed = await makeTempDir('safe-npm-closed-home-');
    await chmod(closed, 0o700);
    const work = join(closed, 'work');
    const project = join(work, 'p');
    mkdirSync(project, { recursive: true, mode: 0o755 });
    await chmod(work, 0o755);
    writeFileSync(join(closed, 'root-secret.txt'), 'secret\n', { mode: 0o644 });
    writeFileSync(join(work, 'other-project.txt'), 'x\n', { mode: 0o644 });
    writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}\n');
    const seenPath = join(project, 'node_modules', 'peeks', 'seen.json');
    const expected = { cwd: join(project, 'node_modules', 'peeks'), above: ['p'], twoAbove: ['work'] };
    expect((await safeNpm(['safe', 'approve', 'scripted@1.2.0'], project)).exitCode).toBe(0);
    expect((await safeNpm(['safe', 'approve', 'peeks@1.2.0'], project)).exitCode).toBe(0);
    const r = await safeNpm(['install', 'scripted', 'peeks'], project, { SAFE_NPM_SANDBOX: 'auto' });
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stderr).not.toContain('cannot enter');
    expect(ranLines(project)).toBe(1);
    expect(JSON.parse(readFileSync(seenPath, 'utf8'))).toEqual(expected);
    // The rebuild the install advises works there too, here without the sandbox (a pid namespace only).
    rmSync(seenPath);
    const rebuilt = await safeNpm(['rebuild'], project, { SAFE_NPM_SANDBOX: 'off' });
    expect(rebuilt.exitCode, show(rebuilt)).toBe(0);
    expect(ranLines(project)).toBe(2);
    expect(JSON.parse(readFileSync(seenPath, 'utf8'))).toEqual(expected);
  });

  it('root\'s project of mode 700 inside a folder of mode 700: the line names the project folder (bubblewrap failed with "Permission denied" and no advice); followed, the rebuild runs the script behind the window', async () => {
    const closed = await makeTempDir('safe-npm-closed-both-');
    await chmod(closed, 0o700);
    const project = join(closed, 'p');
    mkdirSync(project, { mode: 0o700 });
    writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}\n');
    expect((await safeNpm(['safe', 'approve', 'scripted@1.2.0'], project)).exitCode).toBe(0);
    const r = await safeNpm(['install', 'scripted'], project);
    expect(r.exitCode, show(r)).toBe(1);
    expect(r.stderr).toContain(`who cannot enter ${project} (mode 700); make it enterable (chmod o+x ${project})`);
    expect(r.stderr).not.toContain('bwrap');
    await chmod(project, 0o701);
    const rebuilt = await safeNpm(['rebuild'], project);
    expect(rebuilt.exitCode, show(rebuilt)).toBe(0);
    expect(ranLines(project)).toBe(1);
  });

  it('approved scripts in root\'s project whose own folder the script user cannot enter (mode 700): one line saying so and what changes it, no sandbox error; followed, the rebuild runs the script', async () => {
    const project = await makeProject({ owner: 'root' });
    await chmod(project, 0o700);
    expect((await safeNpm(['safe', 'approve', 'scripted@1.2.0'], project)).exitCode).toBe(0);
    const r = await safeNpm(['install', 'scripted'], project);
    expect(r.exitCode, show(r)).toBe(1);
    expect(existsSync(join(project, 'node_modules/scripted'))).toBe(true);
    expect(ranLines(project)).toBe(0);
    const escaped = project.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(r.stderr).toMatch(new RegExp(`^safe-npm: approved install scripts run as "[^"]+", who cannot enter ${escaped} \\(mode 700\\); make it enterable \\(chmod o\\+x ${escaped}\\) or keep the project elsewhere, then run: safe-npm rebuild$`, 'm'));
    expect(r.stderr).not.toContain('bwrap');
    await chmod(project, 0o701);
    const rebuilt = await safeNpm(['rebuild'], project);
    expect(rebuilt.exitCode, show(rebuilt)).toBe(0);
    expect(ranLines(project)).toBe(1);
  });

  it('a bad run-as user or cache root (root\'s project): the advice is the command that changes it as typed (unset the variable that set it, or npm safe config set …); followed, the install goes through', async () => {
    const project = await makeProject({ owner: 'root' });
    const fresh = await makeSandbox({ registry: registry.url });
    const viaShim = (args: string[], env: Record<string, string> = {}) =>
      runTool(join(repoRoot, 'shims', 'npm'), args, { cwd: project, sandbox: fresh, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, ...env } });
    const fromEnv = await viaShim(['install', 'plain-a'], { SAFE_NPM_RUN_AS_USER: 'no-such-user-9' });
    expect(fromEnv.exitCode, show(fromEnv)).toBe(64);
    expect(fromEnv.stderr).toBe('safe-npm: the install user "no-such-user-9" does not exist (create it, or: unset SAFE_NPM_RUN_AS_USER)\n');
    expect((await viaShim(['safe', 'config', 'set', 'runAsUser', 'no-such-user-9'])).exitCode).toBe(0);
    const fromFile = await viaShim(['install', 'plain-a']);
    expect(fromFile.stderr).toBe('safe-npm: the install user "no-such-user-9" does not exist (create it, or: npm safe config set runAsUser _safe-npm)\n');
    expect((await viaShim(['safe', 'config', 'set', 'runAsUser', '_safe-npm'])).exitCode).toBe(0);
    const r = await viaShim(['install', 'plain-a']);
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(project, 'node_modules/plain-a'))).toBe(true);
    const loose = await makeTempDir('safe-npm-loose-cache-root-', 0o777);
    const looseRoot = await viaShim(['install', 'plain-b'], { SAFE_NPM_CACHE_ROOT: loose });
    expect(looseRoot.exitCode, show(looseRoot)).toBe(64);
    expect(looseRoot.stderr).toContain(`(chown root: ${loose} && chmod go-w ${loose}, or: unset SAFE_NPM_CACHE_ROOT)`);
  });

  it('a user\'s own uninstall is npm\'s own command (its output), scripts off where the lockfile brings a package back, under the project lock', async () => {
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    const project = await makeProject({ owner: 'nobody' });
    const run = (args: string[], env: Record<string, string> = {}) => runBin('safe-npm', args, { cwd: project, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH, ...env } });
    const installed = await run(['install', 'scripted', 'plain-a']);
    expect(installed.exitCode, show(installed)).toBe(0);
    expect(ranLines(project)).toBe(0); // not approved: not run
    // The lockfile still lists `scripted`; npm's uninstall puts it back, and would run its postinstall.
    await rm(join(project, 'node_modules', 'scripted'), { recursive: true });
    const held = await lockProject(project, { timeoutSeconds: 1, onWait: () => {} });
    const busy = await run(['uninstall', 'plain-a'], { SAFE_NPM_LOCK_TIMEOUT: '1' });
    await held.release();
    expect(busy.exitCode, show(busy)).toBe(75);
    expect(existsSync(join(project, 'node_modules/plain-a'))).toBe(true);
    const r = await run(['uninstall', 'plain-a']);
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout).toMatch(/^(added 1 package, and )?removed 1 package/m);
    expect(existsSync(join(project, 'node_modules/plain-a'))).toBe(false);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).not.toHaveProperty('plain-a');
    expect(existsSync(join(project, 'node_modules/scripted/package.json'))).toBe(true);
    expect(ranLines(project)).toBe(0);
  });

  it('a user\'s `npm install` in an up-to-date project is npm\'s own command (its output, none of the whole flow); one whose diff would write a package is vetted first: a blocked one stops it, nothing changes', async () => {
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    const project = await makeProject({ owner: 'nobody' });
    const run = (args: string[]) => runBin('safe-npm', args, { cwd: project, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH, SAFE_NPM_TIMING: '1' } });
    // What an earlier, unguarded npm left: a look-alike among the dependencies.
    const plain = await runTool('npm', ['install', 'plain-a', 'lodahs', '--ignore-scripts'], { cwd: project, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH } });
    expect(plain.exitCode, show(plain)).toBe(0);
    const upToDate = await run(['install']);
    expect(upToDate.exitCode, show(upToDate)).toBe(0);
    expect(upToDate.stdout).toMatch(/^up to date/m);
    expect(upToDate.stderr, 'none of the whole flow\'s timing marks').not.toMatch(/safe-npm: \d+ ms/);
    // npm's diff now adds it back (its folder is gone; the record of it is older than node_modules).
    await rm(join(project, 'node_modules', 'lodahs'), { recursive: true });
    const before = await snapshotProject(project);
    const stopped = await run(['install']);
    expect(stopped.exitCode, show(stopped)).toBe(65);
    expect(stopped.stdout + stopped.stderr).toContain('looks like the popular package "lodash"');
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('install-strategy=linked (a project\'s .npmrc): the tree is npm\'s own, store and links, in root\'s project and a user\'s; a look-alike still stops (every such install stopped: "the folder differs from npm\'s record")', async () => {
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    for (const owner of ['root', 'nobody'] as const) {
      const files = { '.npmrc': 'install-strategy=linked\n' };
      const as = owner === 'nobody' ? { sandbox: userSandbox, user: nobody } : { sandbox };
      const ours = await makeProject({ owner, files });
      const installed = await runBin('safe-npm', ['install', 'nest-a', 'plain-a'], { cwd: ours, ...as, env: { PATH: SYSTEM_PATH } });
      expect(installed.exitCode, `${owner}: ${show(installed)}`).toBe(0);
      const twin = await makeProject({ owner, files });
      const plain = await runTool('npm', ['install', '--ignore-scripts', 'nest-a', 'plain-a'], { cwd: twin, ...as, env: { PATH: SYSTEM_PATH } });
      expect(plain.exitCode, show(plain)).toBe(0);
      expect(readdirSync(join(ours, 'node_modules', '.store')).length, owner).toBeGreaterThan(0);
      expect(await snapshotProject(ours), owner).toEqual(await snapshotProject(twin));
      const before = await snapshotProject(ours);
      const stopped = await runBin('safe-npm', ['install', 'lodahs'], { cwd: ours, ...as, env: { PATH: SYSTEM_PATH } });
      expect(stopped.exitCode, show(stopped)).toBe(65);
      expect(await snapshotProject(ours)).toEqual(before);
    }
  });

  it('after our own install of a fresh project (staged, committed), the next bare `npm install` is npm\'s own command (the commit wrote package.json after npm\'s record: the project looked changed, the whole flow ran)', async () => {
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    const project = await makeProject({ owner: 'nobody' });
    const run = (args: string[]) => runBin('safe-npm', args, { cwd: project, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH, SAFE_NPM_TIMING: '1' } });
    const first = await run(['install', 'plain-a']);
    expect(first.exitCode, show(first)).toBe(0);
    expect(first.stderr, 'a fresh project is installed in a staging copy').toMatch(/safe-npm: \d+ ms staged/);
    const again = await run(['install']);
    expect(again.exitCode, show(again)).toBe(0);
    expect(again.stdout).toMatch(/^up to date/m);
    expect(again.stderr, 'none of the whole flow\'s timing marks').not.toMatch(/safe-npm: \d+ ms/);
  });

  it('an uninstall or prune that would also install a package the project lacks vets it first: a blocked one stops it and nothing changes (user and root)', async () => {
    // npm's engine reifies the whole ideal tree on a removal: a dependency added to package.json by hand
    // (or a deleted node_modules) is installed along with it. Unvetted before: lodahs went in silently.
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    const addByHand = (project: string) => {
      const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
      pkg.dependencies.lodahs = '^1.0.0';
      writeFileSync(join(project, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    };
    const users = await makeProject({ owner: 'nobody' });
    const asUser = (args: string[]) => runBin('safe-npm', args, { cwd: users, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH } });
    expect((await asUser(['install', 'plain-a', 'plain-b'])).exitCode).toBe(0);
    addByHand(users);
    const before = await snapshotProject(users);
    const stopped = await asUser(['uninstall', 'plain-a']);
    expect(stopped.exitCode, show(stopped)).toBe(65);
    expect(stopped.stdout + stopped.stderr).toContain('looks like the popular package "lodash"');
    expect(await snapshotProject(users)).toEqual(before);

    const roots = await makeProject({ owner: 'root' });
    expect((await safeNpm(['install', 'plain-a', 'plain-b'], roots)).exitCode).toBe(0);
    addByHand(roots);
    const rootBefore = await snapshotProject(roots);
    for (const args of [['uninstall', 'plain-a'], ['prune']]) {
      const r = await safeNpm(args, roots);
      expect(r.exitCode, show(r)).toBe(65);
      expect(await snapshotProject(roots)).toEqual(rootBefore);
    }
    expect(existsSync(join(roots, 'node_modules/lodahs'))).toBe(false);
  });

  it('what counts as installed is what is on disk: a hidden lockfile listing a deleted folder, and a lockfile entry sent to another tarball (integrity removed), are vetted', async () => {
    // Before: the hidden lockfile alone said "installed", and version alone said "the same".
    const gone = await makeProject({ owner: 'root' });
    expect((await runTool('npm', ['install', 'plain-a', 'plain-b', 'lodahs', '--ignore-scripts'], { cwd: gone, sandbox })).exitCode).toBe(0);
    await rm(join(gone, 'node_modules', 'lodahs'), { recursive: true });
    const goneBefore = await snapshotProject(gone);
    for (const args of [['uninstall', 'plain-b'], ['install']]) {
      const r = await safeNpm(args, gone);
      expect(r.exitCode, show(r)).toBe(65);
      expect(r.stdout + r.stderr).toContain('looks like the popular package "lodash"');
      expect(await snapshotProject(gone)).toEqual(goneBefore);
    }

    const swapped = await makeProject({ owner: 'root' });
    expect((await runTool('npm', ['install', 'plain-a', 'plain-b', '--ignore-scripts'], { cwd: swapped, sandbox })).exitCode).toBe(0);
    const lockPath = join(swapped, 'package-lock.json');
    const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
    const entry = lock.packages['node_modules/plain-a'];
    entry.resolved = `${registry.url.replace(/\/$/, '')}/lodahs/-/lodahs-${entry.version}.tgz`;
    delete entry.integrity;
    writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
    const swappedBefore = await snapshotProject(swapped);
    const removal = await safeNpm(['uninstall', 'plain-b'], swapped);
    expect(removal.exitCode, show(removal)).toBe(65);
    expect(removal.stdout + removal.stderr).toContain('plain-a@1.2.0: the lockfile fetches it from another tarball');
    expect(await snapshotProject(swapped)).toEqual(swappedBefore);
    await rm(join(swapped, 'node_modules'), { recursive: true });
    const ci = await safeNpm(['ci'], swapped);
    expect(ci.exitCode, show(ci)).toBe(65);
    expect(existsSync(join(swapped, 'node_modules', 'plain-a'))).toBe(false);
  });

  it('a second trial\'s tricks: a planted folder is no installed package, another scope or host is no registry tarball, a sha1 lockfile is the registry\'s', async () => {
    const base = registry.url.replace(/\/$/, '');
    // npm ci writes every entry anew: a folder planted with a matching version (and npm's record of it)
    // counted as installed, and the blocked package it stands for went in unvetted.
    const planted = await makeProject({ owner: 'root' });
    expect((await runTool('npm', ['install', 'plain-a', 'lodahs', '--ignore-scripts'], { cwd: planted, sandbox })).exitCode).toBe(0);
    const hidden = readFileSync(join(planted, 'node_modules', '.package-lock.json'), 'utf8');
    await rm(join(planted, 'node_modules'), { recursive: true });
    mkdirSync(join(planted, 'node_modules', 'lodahs'), { recursive: true });
    writeFileSync(join(planted, 'node_modules', 'lodahs', 'package.json'), '{"name":"lodahs","version":"1.2.0"}\n');
    writeFileSync(join(planted, 'node_modules', '.package-lock.json'), hidden);
    const ci = await safeNpm(['ci'], planted);
    expect(ci.exitCode, show(ci)).toBe(65);
    expect(readdirSync(join(planted, 'node_modules', 'lodahs'))).toEqual(['package.json']);
    // An install that npm decides to rewrite over a planted folder (its bin missing): stopped by npm's
    // own diff before anything is written, with what to do; done, it installs.
    const stub = await makeProject({ owner: 'root' });
    expect((await safeNpm(['install', 'plain-b'], stub)).exitCode).toBe(0);
    await rm(join(stub, 'node_modules', 'plain-b', 'cli.js'));
    await rm(join(stub, 'node_modules', '.bin'), { recursive: true });
    const rewritten = await safeNpm(['install'], stub);
    expect(rewritten.exitCode, show(rewritten)).toBe(1);
    expect(rewritten.stderr).toContain('remove node_modules/plain-b and run again');
    expect(existsSync(join(stub, 'node_modules', 'plain-b', 'cli.js'))).toBe(false);
    await rm(join(stub, 'node_modules', 'plain-b'), { recursive: true });
    const again = await safeNpm(['install'], stub);
    expect(again.exitCode, show(again)).toBe(0);
    expect(existsSync(join(stub, 'node_modules', 'plain-b', 'cli.js'))).toBe(true);

    const sent = await makeProject({ owner: 'root' });
    expect((await runTool('npm', ['install', 'plain-a', '--ignore-scripts'], { cwd: sent, sandbox })).exitCode).toBe(0);
    const lockPath = join(sent, 'package-lock.json');
    const original = readFileSync(lockPath, 'utf8');
    const tamper = (edit: (entry: Record<string, unknown>) => void) => {
      const lock = JSON.parse(original);
      edit(lock.packages['node_modules/plain-a']);
      writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
    };
    for (const resolved of [`${base}/@them/plain-a/-/plain-a-1.2.0.tgz`, 'http://127.0.0.1:9/plain-a/-/plain-a-1.2.0.tgz']) {
      tamper((e) => { e.resolved = resolved; delete e.integrity; });
      await rm(join(sent, 'node_modules'), { recursive: true, force: true });
      const r = await safeNpm(['ci'], sent);
      expect(r.exitCode, `${resolved}\n${show(r)}`).not.toBe(0);
      expect(existsSync(join(sent, 'node_modules', 'plain-a'))).toBe(false);
    }
    // An older lockfile's sha1 integrity is the registry's shasum: npm installs it, and so do we.
    const shasum = ((await (await fetch(`${base}/plain-a`)).json()) as { versions: Record<string, { dist: { shasum: string } }> }).versions['1.2.0']!.dist.shasum;
    tamper((e) => { e.integrity = `sha1-${Buffer.from(shasum, 'hex').toString('base64')}`; });
    const sha1 = await safeNpm(['ci'], sent);
    expect(sha1.exitCode, show(sha1)).toBe(0);
  });

  it('says what npm says after an install: the packages looking for funding, unless --no-fund (it was never said)', async () => {
    const mine = await makeProject({ owner: 'root' });
    const npms = await makeProject({ owner: 'root' });
    // The test sandbox's npmrc says fund=false: npm's default is asked for here.
    const ours = await safeNpm(['install', 'funded', '--fund'], mine);
    const plain = await runTool('npm', ['install', 'funded', '--fund'], { cwd: npms, sandbox });
    const text = (out: string) => out.replace(/ in [\d.]+m?s/g, ' in <time>');
    expect(plain.stdout).toContain('1 package is looking for funding');
    expect(text(ours.stdout), show(ours)).toBe(text(plain.stdout));
    const quiet = await safeNpm(['install', 'plain-a', '--no-fund'], mine);
    expect(quiet.stdout, show(quiet)).not.toContain('funding');
  });

  it('install --no-save and dedupe vet the whole tree they install (a package the project lacks was unvetted); a dedupe is npm\'s', async () => {
    const project = await makeProject({ owner: 'root' });
    expect((await safeNpm(['install', 'plain-a', 'nest-a'], project)).exitCode).toBe(0);
    const twin = await makeProject({ owner: 'root' });
    await rm(twin, { recursive: true });
    await cp(project, twin, { recursive: true });
    const plain = await runTool('npm', ['dedupe'], { cwd: twin, sandbox });
    const deduped = await safeNpm(['dedupe'], project);
    expect(deduped.exitCode, show(deduped)).toBe(plain.exitCode);
    expect(await snapshotProject(project)).toEqual(await snapshotProject(twin));

    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    pkg.dependencies.lodahs = '^1.0.0';
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    const before = await snapshotProject(project);
    for (const args of [['install', 'plain-b', '--no-save'], ['dedupe']]) {
      const r = await safeNpm(args, project);
      expect(r.exitCode, show(r)).toBe(65);
      expect(r.stdout + r.stderr).toContain('looks like the popular package "lodash"');
      expect(await snapshotProject(project)).toEqual(before);
    }
  });

  it('a global install vets the tree the package brings (only the named package was checked: its look-alike dependency went in); a clean one installs as npm -g does', async () => {
    const cwd = await makeTempDir('safe-npm-global-cwd-');
    const prefix = await makeTempDir('safe-npm-global-prefix-');
    const stopped = await safeNpm(['install', '-g', '--prefix', prefix, 'uses-lookalike'], cwd);
    expect(stopped.exitCode, show(stopped)).toBe(65);
    expect(stopped.stdout + stopped.stderr).toContain('lodahs@1.2.0 (via uses-lookalike)');
    expect(readdirSync(prefix)).toEqual([]);
    const installed = await safeNpm(['install', '-g', '--prefix', prefix, 'nest-a'], cwd);
    expect(installed.exitCode, show(installed)).toBe(0);
    const plainPrefix = await makeTempDir('safe-npm-global-plain-');
    expect((await runTool('npm', ['install', '-g', '--prefix', plainPrefix, 'nest-a'], { cwd, sandbox })).exitCode).toBe(0);
    const tree = (dir: string) => readdirSync(join(dir, 'lib', 'node_modules', 'nest-a', 'node_modules')).sort();
    expect(tree(prefix)).toEqual(tree(plainPrefix));
    expect(readFileSync(join(prefix, 'lib', 'node_modules', 'nest-a', 'node_modules', 'nest-b', 'package.json'), 'utf8')).toBe(readFileSync(join(plainPrefix, 'lib', 'node_modules', 'nest-a', 'node_modules', 'nest-b', 'package.json'), 'utf8'));
  });

  // A developer's own CLI in a root-owned folder (one test each: together they outran the timeout under CI's load).
  const makeOwnCli = async () => {
    const work = await makeTempDir('safe-npm-global-dot-');
    const cli = join(work, 'my-cli');
    mkdirSync(cli);
    writeFileSync(join(cli, 'package.json'), '{"name":"my-cli","version":"1.0.0","bin":{"my-cli":"cli.js"}}\n');
    writeFileSync(join(cli, 'cli.js'), '#!/usr/bin/env node\nconsole.log("my-cli ran");\n');
    return { work, cli };
  };

  it('root\'s `npm i -g .` and `npm link` (a developer\'s own CLI) link the folder and its bin as npm does (npm ran in the private prefix: "." was that folder, ENOENT; then EPERM on the bin; link aimed at /usr)', async () => {
    const { cli } = await makeOwnCli();
    const ours = await makeTempDir('safe-npm-global-dot-prefix-');
    // One's own folder is said, not asked (it stopped with 66 without --safe-yes, while `npm link` of it passed).
    const r = await safeNpm(['install', '-g', '.', '--prefix', ours], cli);
    expect(r.exitCode, show(r)).toBe(0);
    const plain = await makeTempDir('safe-npm-global-dot-plain-');
    expect((await runTool('npm', ['install', '-g', '.', '--prefix', plain], { cwd: cli, sandbox })).exitCode).toBe(0);
    for (const path of ['lib/node_modules/my-cli', 'bin/my-cli']) {
      expect(realpathSync(join(ours, path)), path).toBe(realpathSync(join(plain, path)));
    }
    expect(spawnSync(join(ours, 'bin', 'my-cli'), { encoding: 'utf8' }).stdout).toBe('my-cli ran\n');
    // `npm link` alone is the same global link (it aimed at /usr as the build user: EACCES and npm's stack).
    const linked = await makeTempDir('safe-npm-global-link-prefix-');
    const link = await safeNpm(['link'], cli, { npm_config_prefix: linked });
    expect(link.exitCode, show(link)).toBe(0);
    expect(realpathSync(join(linked, 'lib', 'node_modules', 'my-cli'))).toBe(realpathSync(cli));
    expect(spawnSync(join(linked, 'bin', 'my-cli'), { encoding: 'utf8' }).stdout).toBe('my-cli ran\n');
  });

  it('root\'s `npm unlink <pkg>` of a package linked from its folder removes its bin too, as npm does (the bin link was left dangling)', async () => {
    const { cli } = await makeOwnCli();
    const prefix = await makeTempDir('safe-npm-unlink-prefix-');
    expect((await safeNpm(['link'], cli, { npm_config_prefix: prefix })).exitCode).toBe(0);
    const project = await makeProject({ owner: 'root' });
    const linked = await safeNpm(['link', 'my-cli'], project, { npm_config_prefix: prefix });
    expect(linked.exitCode, show(linked)).toBe(0);
    expect(spawnSync(join(project, 'node_modules', '.bin', 'my-cli'), { encoding: 'utf8' }).stdout).toBe('my-cli ran\n');
    const unlinked = await safeNpm(['unlink', 'my-cli'], project, { npm_config_prefix: prefix });
    expect(unlinked.exitCode, show(unlinked)).toBe(0);
    expect(existsSync(join(project, 'node_modules', 'my-cli'))).toBe(false);
    expect(readdirSync(join(project, 'node_modules', '.bin'))).toEqual([]);
  });

  it('root\'s npx of its own CLI folder, and of its tarball without -p, runs the bin', async () => {
    const { work, cli } = await makeOwnCli();
    // npx of the same root-owned folder (EPERM: npm's bin linker, as the build user, chmod-ed its bin),
    // and of its tarball without -p ("could not determine which command to run"): the bin runs.
    const folderRun = await safeNpm(['exec', '--yes', '--package', cli, '--', 'my-cli'], work);
    expect(folderRun.exitCode, show(folderRun)).toBe(0);
    expect(folderRun.stdout).toBe('my-cli ran\n');
    const packed = spawnSync('npm', ['pack'], { cwd: cli, encoding: 'utf8' });
    expect(packed.status, packed.stderr).toBe(0);
    const tarballRun = await safeNpm(['exec', '--yes', '--', `./my-cli/${packed.stdout.trim()}`], work);
    expect(tarballRun.exitCode, show(tarballRun)).toBe(0);
    expect(tarballRun.stdout).toBe('my-cli ran\n');
  });

  it('root\'s `npm i -g .` and npx of a folder whose bin links outside it are refused (npm\'s linker made the target executable)', async () => {
    const work = await makeTempDir('safe-npm-global-dot-');
    // A folder whose bin is a link to a file outside it (a cloned repository can hold one): npm's
    // linker, as root, made that file executable (0600 → 0755: a secret readable by all). Refused.
    const secret = join(work, 'secret');
    writeFileSync(secret, 'secret\n', { mode: 0o600 });
    const linking = join(work, 'links-out');
    mkdirSync(linking);
    writeFileSync(join(linking, 'package.json'), '{"name":"links-out","version":"1.0.0","bin":{"links-out":"cli.js"}}\n');
    symlinkSync(secret, join(linking, 'cli.js'));
    const outPrefix = await makeTempDir('safe-npm-global-links-out-');
    const globalOut = await safeNpm(['install', '-g', '.', '--prefix', outPrefix], linking);
    expect(globalOut.exitCode, show(globalOut)).not.toBe(0);
    expect(globalOut.stderr).toContain('outside the package');
    const npxOut = await safeNpm(['exec', '--yes', '--package', linking, '--', 'links-out'], work);
    expect(npxOut.exitCode, show(npxOut)).toBe(65);
    expect(npxOut.stderr).toContain('outside the package');
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    expect(existsSync(join(outPrefix, 'bin', 'links-out'))).toBe(false);
  });

  it('root\'s `npm i -g .` of a folder naming its bins by `directories.bin` links each file there', async () => {
    const work = await makeTempDir('safe-npm-global-dot-');
    // A folder naming its bins by `directories.bin` only: npm links each file there (none were).
    const dirBins = join(work, 'dir-bins');
    mkdirSync(join(dirBins, 'bin'), { recursive: true });
    writeFileSync(join(dirBins, 'package.json'), '{"name":"dir-bins","version":"1.0.0","directories":{"bin":"bin"}}\n');
    writeFileSync(join(dirBins, 'bin', 'dir-tool'), '#!/usr/bin/env node\nconsole.log("dir-tool ran");\n');
    const dirPrefix = await makeTempDir('safe-npm-global-dir-bins-');
    const dirInstall = await safeNpm(['install', '-g', '.', '--prefix', dirPrefix], dirBins);
    expect(dirInstall.exitCode, show(dirInstall)).toBe(0);
    expect(spawnSync(join(dirPrefix, 'bin', 'dir-tool'), { encoding: 'utf8' }).stdout).toBe('dir-tool ran\n');
  });

  const linkWithLookalike = { name: 'lp', version: '1.0.0', dependencies: { lodahs: '^1.0.0' } };
  const linkClean = { name: 'lp', version: '1.0.0', dependencies: { 'plain-b': '^1.0.0' } };

  it('link <pkg> vets both halves: the global install of the package (its tree) and what the project lacks (a user); a clean one is npm link\'s tree', async () => {
    // npm link installs a package missing from the global folder there, then reifies the project with
    // a link to it, installing whatever else the project lacks. Before: only the name was checked —
    // a user's link installed lodahs (in package.json) and 57 packages unvetted; root's died with
    // npm's EACCES stack (the build user cannot write the global folder).
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    const userPrefix = await makeTempDir('safe-npm-link-prefix-');
    mkdirSync(join(userPrefix, 'lib'));
    spawnSync('chown', ['-R', '65534:65534', userPrefix]);
    const asUser = (args: string[], cwd: string) => runBin('safe-npm', args, { cwd, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH, npm_config_prefix: userPrefix } });
    const users = await makeProject({ owner: 'nobody', packageJson: linkWithLookalike });
    const before = await snapshotProject(users);
    const stopped = await asUser(['link', 'plain-a'], users);
    expect(stopped.exitCode, show(stopped)).toBe(65);
    expect(stopped.stdout + stopped.stderr).toContain('looks like the popular package "lodash"');
    expect(await snapshotProject(users)).toEqual(before);
    // The global half ran first, vetted, as npm's does.
    expect(existsSync(join(userPrefix, 'lib', 'node_modules', 'plain-a', 'package.json'))).toBe(true);
    // A package whose own tree holds the look-alike stops at the global half: nothing installed.
    const brings = await asUser(['link', 'uses-lookalike'], await makeProject({ owner: 'nobody' }));
    expect(brings.exitCode, show(brings)).toBe(65);
    expect(brings.stdout + brings.stderr).toContain('lodahs@1.2.0 (via uses-lookalike)');
    expect(existsSync(join(userPrefix, 'lib', 'node_modules', 'uses-lookalike'))).toBe(false);

    const mine = await makeProject({ owner: 'nobody', packageJson: linkClean });
    const linked = await asUser(['link', 'plain-a', 'nest-a'], mine);
    expect(linked.exitCode, show(linked)).toBe(0);
    const twin = await makeProject({ owner: 'nobody', packageJson: linkClean });
    const plain = await runTool('npm', ['link', 'plain-a', 'nest-a'], { cwd: twin, sandbox: userSandbox, user: nobody, env: { npm_config_prefix: userPrefix } });
    expect(plain.exitCode, show(plain)).toBe(0);
    for (const dir of ['plain-a', 'nest-a']) {
      expect(realpathSync(join(mine, 'node_modules', dir))).toBe(join(userPrefix, 'lib', 'node_modules', dir));
      expect(readlinkSync(join(mine, 'node_modules', dir))).toBe(readlinkSync(join(twin, 'node_modules', dir)));
    }
    const hidden = (dir: string) => readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8');
    expect(hidden(mine)).toBe(hidden(twin));
    expect(readFileSync(join(mine, 'package.json'), 'utf8')).toBe(readFileSync(join(twin, 'package.json'), 'utf8'));
  });

  it('link <pkg> as root: the global half is root\'s own vetted -g install (handed over), the project\'s half is staged; --prefix, a global link from the environment, -w', async () => {
    const rootPrefix = await makeTempDir('safe-npm-link-root-prefix-');
    const roots = await makeProject({ owner: 'root', packageJson: linkWithLookalike });
    const rootBefore = await snapshotProject(roots);
    const rootStopped = await safeNpm(['link', 'plain-a'], roots, { npm_config_prefix: rootPrefix });
    expect(rootStopped.exitCode, show(rootStopped)).toBe(65);
    expect(await snapshotProject(roots)).toEqual(rootBefore);
    const rootClean = await makeProject({ owner: 'root', packageJson: linkClean });
    const rootLinked = await safeNpm(['link', 'plain-a'], rootClean, { npm_config_prefix: rootPrefix });
    expect(rootLinked.exitCode, show(rootLinked)).toBe(0);
    expect(realpathSync(join(rootClean, 'node_modules', 'plain-a'))).toBe(join(rootPrefix, 'lib', 'node_modules', 'plain-a'));
    expect(statSync(join(rootPrefix, 'lib', 'node_modules', 'plain-a', 'package.json')).uid).toBe(0);
    expect(existsSync(join(rootClean, 'node_modules', 'plain-b', 'package.json'))).toBe(true);

    // --prefix makes the project its own global prefix: one lock for both halves (it waited on itself).
    const own = await makeProject({ owner: 'root' });
    const selfPrefixed = await safeNpm(['link', 'plain-a', '--prefix', own], own, { SAFE_NPM_LOCK_TIMEOUT: '20' });
    expect(selfPrefixed.exitCode, show(selfPrefixed)).toBe(0);
    expect(realpathSync(join(own, 'node_modules', 'plain-a'))).toBe(join(own, 'lib', 'node_modules', 'plain-a'));
    // A global link of packages is npm's own error (ELINKGLOBAL), from the environment too; into
    // workspaces it is refused in one line (its global half would be npm's, unvetted).
    const globalEnv = await safeNpm(['link', 'plain-a'], rootClean, { npm_config_prefix: rootPrefix, npm_config_global: 'true' });
    expect(globalEnv.exitCode, show(globalEnv)).toBe(1);
    expect(globalEnv.stderr).toContain('ELINKGLOBAL');
    const ws = await safeNpm(['link', 'plain-a', '-w', 'a'], rootClean, { npm_config_prefix: rootPrefix });
    expect(ws.exitCode, show(ws)).toBe(64);
    expect(ws.stderr).toMatch(/^safe-npm: npm link into workspaces is not vetted by safe-npm/m);
  });

  it('root\'s npx of a tarball typed relative, and a package.json `file:` tarball (root and workspace), install the tarball meant, not one planted in the temp folder (npm read them from the private prefix / the staging copy)', async () => {
    const unique = `safe-npm-planted-${process.pid}-${Date.now()}.tgz`;
    const work = await makeTempDir('safe-npm-relative-root-');
    const pack = (dir: string, said: string) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tool', version: '1.0.0', bin: { tool: 'cli.js' } }));
      writeFileSync(join(dir, 'cli.js'), `#!/usr/bin/env node\nconsole.log(${JSON.stringify(said)});\n`);
      const packed = spawnSync('npm', ['pack'], { cwd: dir, encoding: 'utf8' });
      expect(packed.status, packed.stderr).toBe(0);
      return join(dir, packed.stdout.trim());
    };
    const clean = pack(join(work, 'src-clean'), 'the tarball meant');
    const planted = pack(join(work, 'src-planted'), 'planted');
    // Two levels above root's private folders (/tmp/safe-npm-…/prefix, …/stage/<name>) is the temp folder.
    const plantedAt = join(tmpdir(), unique);
    cpSync(planted, plantedAt);
    try {
      const cwd = join(work, 'R', 'A', 'P', 'sub');
      mkdirSync(cwd, { recursive: true });
      cpSync(clean, join(work, 'R', 'A', unique));
      const ran = await safeNpm(['exec', '--yes', '--safe-yes', `--package=../../${unique}`, '--', 'tool'], cwd);
      expect(ran.exitCode, show(ran)).toBe(0);
      expect(ran.stdout).toContain('the tarball meant');

      const project = join(work, 'R3', 'a', 'b', 'P');
      mkdirSync(join(project, 'ws'), { recursive: true });
      cpSync(clean, join(work, 'R3', unique));
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', workspaces: ['ws'], dependencies: { tool: `file:../../../${unique}` } }));
      const installed = await safeNpm(['install', '--safe-yes'], project);
      expect(installed.exitCode, show(installed)).toBe(0);
      expect(readFileSync(join(project, 'node_modules', 'tool', 'cli.js'), 'utf8')).toContain('the tarball meant');
      // The same tarball named from a workspace (one level further down).
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', workspaces: ['ws'] }));
      writeFileSync(join(project, 'ws', 'package.json'), JSON.stringify({ name: 'ws', version: '1.0.0', dependencies: { tool: `file:../../../../${unique}` } }));
      rmSync(join(project, 'node_modules'), { recursive: true, force: true });
      rmSync(join(project, 'package-lock.json'), { force: true });
      const fromWorkspace = await safeNpm(['install', '--safe-yes'], project);
      expect(fromWorkspace.exitCode, show(fromWorkspace)).toBe(0);
      expect(readFileSync(join(project, 'node_modules', 'tool', 'cli.js'), 'utf8')).toContain('the tarball meant');
    } finally {
      rmSync(plantedAt, { force: true });
    }
  });

  it('root\'s -g and npx of a tarball install the copy that was vetted: the tarball gone once the run has taken it changes nothing (npm read it again after vetting: another user could swap it in between)', async () => {
    const work = await makeTempDir('safe-npm-tarball-copy-');
    const src = join(work, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'package.json'), JSON.stringify({ name: 'copied-tool', version: '1.0.0', bin: { 'copied-tool': 'cli.js' } }));
    writeFileSync(join(src, 'cli.js'), '#!/usr/bin/env node\nconsole.log("copied-tool ran");\n');
    const packed = spawnSync('npm', ['pack', '--pack-destination', work], { cwd: src, encoding: 'utf8' });
    expect(packed.status, packed.stderr).toBe(0);
    const original = join(work, packed.stdout.trim());
    const keep = join(work, 'kept.tgz');
    cpSync(original, keep);
    /** The run, with the tarball removed the moment the run has read its configuration (and taken its copy). */
    const runRemovingAtStart = (args: string[], env: Record<string, string> = {}) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      cpSync(keep, original);
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'safe-npm.js'), ...args], {
        cwd: work, env: { ...sandbox.env, PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_TIMING: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes(' ms config loaded\n')) rmSync(original, { force: true });
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const prefix = await makeTempDir('safe-npm-tarball-copy-prefix-');
    const global = await runRemovingAtStart(['install', '-g', original, '--prefix', prefix]);
    expect(global.code, global.stderr).toBe(0);
    expect(existsSync(original)).toBe(false);
    expect(spawnSync(join(prefix, 'bin', 'copied-tool'), { encoding: 'utf8' }).stdout).toBe('copied-tool ran\n');
    const npx = await runRemovingAtStart(['exec', '--yes', '--', original]);
    expect(npx.code, npx.stderr).toBe(0);
    expect(npx.stdout).toContain('copied-tool ran');
    // Not a file: one line, 64 (a folder named .tgz ended in "internal error", 70; a FIFO blocked the run beyond Ctrl-C).
    mkdirSync(join(work, 'folder.tgz'));
    spawnSync('mkfifo', [join(work, 'fifo.tgz')]);
    for (const odd of ['folder.tgz', 'fifo.tgz']) {
      const r = await runBin('safe-npm', ['install', '-g', `./${odd}`, '--prefix', prefix], { cwd: work, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot }, timeoutMs: 30_000 });
      expect(r.exitCode, show(r)).toBe(64);
      expect(r.stderr).toContain('is not a file');
    }
    // Root's own tarball in a folder only root may enter (`~/x.tgz` in root's home of mode 700): the build
    // user cannot read it, but nobody else can change it or its folders either: root reads it, as plain
    // npm does (it stopped with 64, "cannot read the tarball").
    const rootOnly = await makeTempDir('safe-npm-tarball-root-only-', 0o700);
    cpSync(keep, join(rootOnly, 'mine.tgz'));
    const ownPrefix = await makeTempDir('safe-npm-tarball-root-only-prefix-');
    const own = await runBin('safe-npm', ['install', '-g', join(rootOnly, 'mine.tgz'), '--prefix', ownPrefix], { cwd: work, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    expect(own.exitCode, show(own)).toBe(0);
    expect(spawnSync(join(ownPrefix, 'bin', 'copied-tool'), { encoding: 'utf8' }).stdout).toBe('copied-tool ran\n');
    // ...but not one in a folder another user owns (they could swap it for a link to any file of root's).
    const othersFolder = await makeTempDir('safe-npm-tarball-others-', 0o700);
    cpSync(keep, join(othersFolder, 'theirs.tgz'));
    spawnSync('chown', ['12345:12345', othersFolder]);
    const theirs = await runBin('safe-npm', ['install', '-g', join(othersFolder, 'theirs.tgz'), '--prefix', ownPrefix], { cwd: work, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    expect(theirs.exitCode, show(theirs)).toBe(64);
    expect(theirs.stderr).toContain('cannot read the tarball');
    // ...nor root's own file reached through a link another user made (in their folder: they chose which
    // of root's files it is; a link to /etc/shadow was copied for the build user).
    const linkFolder = await makeTempDir('safe-npm-tarball-link-');
    symlinkSync(join(rootOnly, 'mine.tgz'), join(linkFolder, 'via-link.tgz'));
    spawnSync('chown', ['-h', '12345:12345', join(linkFolder, 'via-link.tgz')]);
    spawnSync('chown', ['12345:12345', linkFolder]);
    const viaLink = await runBin('safe-npm', ['install', '-g', join(linkFolder, 'via-link.tgz'), '--prefix', ownPrefix], { cwd: work, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    expect(viaLink.exitCode, show(viaLink)).toBe(64);
    expect(viaLink.stderr).toContain('cannot read the tarball');
  });

  it('root installing another user\'s project reads its `file:` dependencies as that user: a folder only root may read is not copied for them (its package.json landed in a folder of theirs and in their lockfile)', async () => {
    const holder = await makeTempDir('safe-npm-root-only-holder-');
    const secret = join(holder, 'closed', 'secret');
    mkdirSync(secret, { recursive: true });
    chmodSync(join(holder, 'closed'), 0o700);
    writeFileSync(join(secret, 'package.json'), '{"name":"leak","version":"9.9.9-secret"}\n', { mode: 0o600 });
    const projectDir = join(holder, 'p');
    mkdirSync(projectDir);
    writeFileSync(join(projectDir, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', dependencies: { leak: 'file:../closed/secret' } }));
    spawnSync('chown', ['-R', '65534:65534', projectDir]);
    const r = await safeNpm(['install'], projectDir);
    expect(r.exitCode, show(r)).toBe(0);
    // As npm run by the owner: a link to a folder it cannot read, nothing of it read.
    expect(readlinkSync(join(projectDir, 'node_modules', 'leak'))).toBe('../../closed/secret');
    expect(readFileSync(join(projectDir, 'package-lock.json'), 'utf8')).not.toContain('9.9.9-secret');
  });

  it('root will not write a workspace whose way another user can change (a parent folder of theirs: they swapped the workspace for a link to a root folder, whose package.json and node_modules root replaced)', async () => {
    const project = await makeProject({ owner: 'root', packageJson: { name: 'ws', version: '1.0.0', workspaces: ['packages/*'] } });
    mkdirSync(join(project, 'packages', 'web'), { recursive: true });
    writeFileSync(join(project, 'packages', 'web', 'package.json'), '{"name":"web","version":"1.0.0"}\n');
    spawnSync('chown', ['65534:65534', join(project, 'packages')]);
    const before = await snapshotProject(project);
    const r = await safeNpm(['install', 'plain-a', '-w', 'web'], project);
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stderr).toContain(`root will not write ${join(project, 'packages', 'web')}: ${join(project, 'packages')} (uid 65534) can be changed by someone other than root`);
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('a user in a project they cannot write: one line and 64 at once, nothing changed (it resolved and vetted the whole tree, then "internal error", 70)', async () => {
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    const project = await makeProject({ owner: 'root' });
    const before = await snapshotProject(project);
    const r = await runBin('safe-npm', ['install', 'plain-a'], { cwd: project, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH } });
    expect(r.exitCode, show(r)).toBe(64);
    expect(r.stderr.trim()).toBe(`safe-npm: you cannot write ${project} (it is uid 0's): npm would fail there too (EACCES); run in a project of your own, or as its owner; nothing was changed`);
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('root will not write a root-owned project in a folder another user owns (they swapped it for a link to another root folder mid-run, and root\'s commit replaced that folder\'s package.json and node_modules)', async () => {
    const home = await makeTempDir('safe-npm-redirectable-');
    spawnSync('chown', ['65534:65534', home]);
    const project = join(home, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}\n');
    const before = readdirSync(project);
    const r = await safeNpm(['install', 'plain-a'], project);
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stderr).toContain(`root will not write ${project}: ${home} (uid 65534) can be changed by someone other than root`);
    expect(readdirSync(project)).toEqual(before);
    // The same project where only root can change the way to it installs as before.
    const safePlace = await makeProject({ owner: 'root' });
    expect((await safeNpm(['install', 'plain-a'], safePlace)).exitCode).toBe(0);
  });

  it('root\'s project with a `file:~/x.tgz` dependency installs it from root\'s home, the lockfile npm\'s (npm\'s engine took `~` for the build user\'s HOME: ENOENT)', async () => {
    const src = await makeTempDir('safe-npm-home-dep-src-');
    writeFileSync(join(src, 'package.json'), JSON.stringify({ name: 'home-dep', version: '1.0.0' }));
    const packed = spawnSync('npm', ['pack', '--pack-destination', sandbox.home], { cwd: src, encoding: 'utf8' });
    expect(packed.status, packed.stderr).toBe(0);
    const packageJson = { name: 'p', version: '1.0.0', dependencies: { 'home-dep': `file:~/${packed.stdout.trim()}` } };
    const ours = await makeProject({ owner: 'root', packageJson });
    const r = await safeNpm(['install'], ours);
    expect(r.exitCode, show(r)).toBe(0);
    expect(JSON.parse(readFileSync(join(ours, 'node_modules', 'home-dep', 'package.json'), 'utf8')).name).toBe('home-dep');
    const twin = await makeProject({ owner: 'root', packageJson });
    expect((await runTool('npm', ['install'], { cwd: twin, sandbox })).exitCode).toBe(0);
    expect(readFileSync(join(ours, 'package-lock.json'), 'utf8')).toBe(readFileSync(join(twin, 'package-lock.json'), 'utf8'));
  });

  it('an absolute `file:` dependency of a root-owned project: the lockfiles are npm\'s, byte for byte (they named the folder relative to the staging copy; the next npm ci failed)', async () => {
    const work = await makeTempDir('safe-npm-absolute-file-');
    chmodSync(work, 0o755);
    const lib = join(work, 'lib', 'local-tool');
    mkdirSync(lib, { recursive: true });
    writeFileSync(join(lib, 'package.json'), '{"name":"local-tool","version":"1.0.0"}');
    const beside = join(work, 'beside');
    mkdirSync(beside);
    writeFileSync(join(beside, 'package.json'), '{"name":"beside","version":"1.0.0"}');
    const twins = ['plain', 'ours'].map((name) => {
      const dir = join(work, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', dependencies: { 'local-tool': `file:${lib}`, beside: 'file:../beside' } }));
      return dir;
    });
    spawnSync('chmod', ['-R', 'a+rX', work]);
    const [plain, ours] = twins as [string, string];
    const npm = await runTool('npm', ['install'], { cwd: plain, sandbox, env: { PATH: SYSTEM_PATH } });
    expect(npm.exitCode, show(npm)).toBe(0);
    const r = await safeNpm(['install'], ours);
    expect(r.exitCode, show(r)).toBe(0);
    for (const file of ['package-lock.json', join('node_modules', '.package-lock.json')]) {
      expect(readFileSync(join(ours, file), 'utf8'), file).toBe(readFileSync(join(plain, file), 'utf8'));
    }
    expect(readlinkSync(join(ours, 'node_modules', 'local-tool'))).toBe(readlinkSync(join(plain, 'node_modules', 'local-tool')));
    // The project's own npm ci, from the lockfile written: the folder is found.
    rmSync(join(ours, 'node_modules'), { recursive: true });
    const ci = await runTool('npm', ['ci'], { cwd: ours, sandbox, env: { PATH: SYSTEM_PATH } });
    expect(ci.exitCode, show(ci)).toBe(0);
    expect(realpathSync(join(ours, 'node_modules', 'local-tool'))).toBe(lib);
  });

  it('a folder or tarball typed relative to a subfolder is the one npm installs, -g and -w (npm ran from the project root and read another: a planted ../t.tgz went in)', async () => {
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    const work = await makeTempDir('safe-npm-relative-');
    const project = join(work, 'P');
    const pack = (dir: string, pkg: object) => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
      const packed = spawnSync('npm', ['pack', '--pack-destination', dirname(dir)], { cwd: dir, encoding: 'utf8' });
      expect(packed.status, packed.stderr).toBe(0);
      return join(dirname(dir), packed.stdout.trim());
    };
    // The one meant (P/t.tgz, typed ../t.tgz from P/sub) and the one planted beside the project (../t.tgz from P).
    const clean = pack(join(project, 'src-clean'), { name: 'tool', version: '1.0.0' });
    const planted = pack(join(work, 'src-planted'), { name: 'tool', version: '1.0.0', dependencies: { lodahs: '^1.0.0' } });
    spawnSync('mv', [clean, join(project, 't.tgz')]);
    spawnSync('mv', [planted, join(work, 't.tgz')]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', workspaces: ['a'] }));
    mkdirSync(join(project, 'a'));
    writeFileSync(join(project, 'a', 'package.json'), '{"name":"a","version":"1.0.0"}');
    mkdirSync(join(project, 'sub'));
    const prefix = join(work, 'prefix');
    mkdirSync(join(prefix, 'lib'), { recursive: true });
    spawnSync('chown', ['-R', '65534:65534', work]);
    const asUser = (args: string[]) => runBin('safe-npm', args, { cwd: join(project, 'sub'), sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH, npm_config_prefix: prefix } });
    const global = await asUser(['install', '-g', '../t.tgz', '--safe-yes']);
    expect(global.exitCode, show(global)).toBe(0);
    expect(JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', 'tool', 'package.json'), 'utf8')).dependencies).toBeUndefined();
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'tool', 'node_modules', 'lodahs'))).toBe(false);
    const inWorkspace = await asUser(['install', '../t.tgz', '-w', 'a', '--safe-yes']);
    expect(inWorkspace.exitCode, show(inWorkspace)).toBe(0);
    expect(existsSync(join(project, 'node_modules', 'lodahs'))).toBe(false);
    expect(JSON.parse(readFileSync(join(project, 'a', 'package.json'), 'utf8')).dependencies.tool).toBe('file:../t.tgz');
  });

  it('audit fix vets the versions it moves to and what they bring (it ran unvetted); a clean fix is npm audit fix\'s tree and words, an unfixable one its report and exit 1, a failed endpoint its error', async () => {
    const advisory = (id: number, name: string): Advisory => ({ id, title: `${name} is bad`, severity: 'high', vulnerable_versions: '<1.0.1', url: `https://example.invalid/${id}`, cwe: [], cvss: { score: 7, vectorString: null } });
    const proxy = await startAuditProxy(registry.url, { 'vuln-a': [advisory(1001, 'vuln-a')], 'vuln-b': [advisory(1002, 'vuln-b')], 'vuln-c': [{ ...advisory(1003, 'vuln-c'), vulnerable_versions: '<9.0.0' }] });
    try {
      const auditSandbox = await makeSandbox({ registry: proxy.url });
      const make = async (spec: string) => {
        const project = await makeProject({ owner: 'root' });
        const r = await runTool('npm', ['install', spec, '--ignore-scripts', '--no-audit'], { cwd: project, sandbox: auditSandbox });
        expect(r.exitCode, show(r)).toBe(0);
        return project;
      };
      const fix = (cwd: string) => runBin('safe-npm', ['audit', 'fix'], { cwd, sandbox: auditSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });

      const bad = await make('vuln-a@1.0.0');
      const before = await snapshotProject(bad);
      const stopped = await fix(bad);
      expect(stopped.exitCode, show(stopped)).toBe(65);
      expect(stopped.stdout + stopped.stderr).toContain('lodahs@1.2.0 (via vuln-a)');
      expect(await snapshotProject(bad)).toEqual(before);
      expect(proxy.bulkRequests()).toBeGreaterThan(0);
      // npm's own refusal without a lockfile (it applied the fix, 0).
      const noLock = await runBin('safe-npm', ['audit', 'fix', '--package-lock=false'], { cwd: bad, sandbox: auditSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
      expect(noLock.exitCode, show(noLock)).toBe(1);
      expect(noLock.stderr).toContain('fix cannot be used without a package-lock');
      expect(await snapshotProject(bad)).toEqual(before);
      const lockless = await makeProject({ owner: 'root' });
      const noLockfile = await runBin('safe-npm', ['audit', 'fix'], { cwd: lockless, sandbox: auditSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
      expect(noLockfile.exitCode, show(noLockfile)).toBe(1);
      expect(noLockfile.stderr).toContain('ENOLOCK');

      const mine = await make('vuln-b@1.0.0');
      const fixed = await fix(mine);
      expect(fixed.exitCode, show(fixed)).toBe(0);
      const twin = await make('vuln-b@1.0.0');
      const plain = await runTool('npm', ['audit', 'fix', '--ignore-scripts'], { cwd: twin, sandbox: auditSandbox });
      expect(plain.exitCode, show(plain)).toBe(0);
      // npm's own words after the fix (the time aside): the packages audited, and its report.
      const words = (text: string) => text.replace(/ in [\d.]+m?s\n/, ' in <time>\n');
      expect(words(fixed.stdout)).toBe(words(plain.stdout));
      expect(fixed.stdout).toContain('found 0 vulnerabilities');
      const lock = (dir: string) => JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')).packages;
      expect(lock(mine)['node_modules/vuln-b'].version).toBe('1.0.1');
      expect(lock(mine)).toEqual(lock(twin));
      expect(readFileSync(join(mine, 'package.json'), 'utf8')).toBe(readFileSync(join(twin, 'package.json'), 'utf8'));

      // No fix to be had: npm's report of what is left, and its exit code (1).
      const unfixable = await make('vuln-c@1.0.0');
      const left = await fix(unfixable);
      const plainLeft = await runTool('npm', ['audit', 'fix', '--ignore-scripts'], { cwd: await make('vuln-c@1.0.0'), sandbox: auditSandbox });
      expect(plainLeft.exitCode, show(plainLeft)).toBe(1);
      expect(left.exitCode, show(left)).toBe(1);
      expect(words(left.stdout)).toBe(words(plainLeft.stdout));
      expect(left.stdout).toContain('vuln-c is bad');
      // --json: npm's summary with the whole report under "audit" (it lacked "audit"); --force: npm's
      // warning as it starts (it said nothing).
      const jsonFix = await runBin('safe-npm', ['audit', 'fix', '--json', '--force'], { cwd: unfixable, sandbox: auditSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
      const plainJson = await runTool('npm', ['audit', 'fix', '--json', '--force', '--ignore-scripts'], { cwd: await make('vuln-c@1.0.0'), sandbox: auditSandbox });
      expect(jsonFix.exitCode, show(jsonFix)).toBe(plainJson.exitCode);
      expect(JSON.parse(jsonFix.stdout)).toEqual(JSON.parse(plainJson.stdout));
      expect(JSON.parse(jsonFix.stdout).audit.vulnerabilities['vuln-c'].severity).toBe('high');
      expect(jsonFix.stderr).toContain('npm warn using --force Recommended protections disabled.');
      expect(plainJson.stderr).toContain('npm warn using --force Recommended protections disabled.');

      // In a workspace (-w): npm's own audit fix runs, after the same fix was resolved and vetted.
      const ws = await makeProject({ owner: 'root', packageJson: { name: 'ws-root', version: '1.0.0', workspaces: ['packages/a'] } });
      mkdirSync(join(ws, 'packages', 'a'), { recursive: true });
      writeFileSync(join(ws, 'packages', 'a', 'package.json'), '{"name":"a","version":"1.0.0"}\n');
      expect((await runTool('npm', ['install', 'vuln-a@1.0.0', '-w', 'packages/a', '--ignore-scripts', '--no-audit'], { cwd: ws, sandbox: auditSandbox })).exitCode).toBe(0);
      const wsBefore = await snapshotProject(ws);
      const inWorkspace = await runBin('safe-npm', ['audit', 'fix', '-w', 'packages/a'], { cwd: ws, sandbox: auditSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
      expect(inWorkspace.exitCode, show(inWorkspace)).toBe(65);
      expect(inWorkspace.stdout + inWorkspace.stderr).toContain('lodahs@1.2.0 (via');
      expect(await snapshotProject(ws)).toEqual(wsBefore);
    } finally {
      await proxy.stop();
    }
    // A registry without the endpoint (this machine's mirror): npm's warning and error, exit 1.
    const refusing = await startAuditProxy(registry.url, null);
    try {
      const refusingSandbox = await makeSandbox({ registry: refusing.url });
      const project = await makeProject({ owner: 'root' });
      expect((await runTool('npm', ['install', 'vuln-b@1.0.0', '--ignore-scripts', '--no-audit'], { cwd: project, sandbox: refusingSandbox })).exitCode).toBe(0);
      const r = await runBin('safe-npm', ['audit', 'fix'], { cwd: project, sandbox: refusingSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
      expect(r.exitCode, show(r)).toBe(1);
      // The endpoint's answer as npm prints it (a JSON body was "[object Object]").
      const plainRefused = await runTool('npm', ['audit', 'fix', '--ignore-scripts'], { cwd: project, sandbox: refusingSandbox });
      expect(r.stdout).toBe(plainRefused.stdout);
      expect(r.stderr).toContain('npm warn audit 405 Method Not Allowed');
      expect(r.stderr).toContain('npm error audit endpoint returned an error');
      // --json: the error's fields as npm prints them (the response's date aside).
      const asJson = await runBin('safe-npm', ['audit', 'fix', '--json'], { cwd: project, sandbox: refusingSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
      const plainJson = await runTool('npm', ['audit', 'fix', '--json', '--ignore-scripts'], { cwd: project, sandbox: refusingSandbox });
      expect(asJson.exitCode, show(asJson)).toBe(1);
      expect(plainJson.exitCode, show(plainJson)).toBe(1);
      const fields = (text: string) => {
        const error = JSON.parse(text) as { headers?: Record<string, unknown> };
        delete error.headers?.date;
        return error;
      };
      expect(fields(asJson.stdout)).toEqual(fields(plainJson.stdout));
      expect(fields(asJson.stdout)).toMatchObject({ statusCode: 405, method: 'POST' });
    } finally {
      await refusing.stop();
    }
    // An endpoint answering a right-to-left override: the same JSON data, the character as a \u escape (npm prints it raw).
    const hostile = await startAuditProxy(registry.url, null, '{"error":"Method \u202eNot Allowed"}');
    try {
      const hostileSandbox = await makeSandbox({ registry: hostile.url });
      const project = await makeProject({ owner: 'root' });
      expect((await runTool('npm', ['install', 'vuln-b@1.0.0', '--ignore-scripts', '--no-audit'], { cwd: project, sandbox: hostileSandbox })).exitCode).toBe(0);
      const ours = await runBin('safe-npm', ['audit', 'fix', '--json'], { cwd: project, sandbox: hostileSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
      const plain = await runTool('npm', ['audit', 'fix', '--json', '--ignore-scripts'], { cwd: project, sandbox: hostileSandbox });
      expect(plain.stdout).toContain('\u202e');
      expect(ours.stdout, show(ours)).not.toContain('\u202e');
      expect(ours.stdout).toContain('\\u202e');
      expect(JSON.parse(ours.stdout).body).toEqual(JSON.parse(plain.stdout).body);
    } finally {
      await hostile.stop();
    }
  });

  it.each(['root', 'nobody'] as const)('an install in a workspace (-w) vets what it adds (only the named package was checked); a clean one is npm\'s (%s\'s project)', async (owner) => {
    const make = async () => {
      const project = await makeProject({ owner, packageJson: { name: 'ws-root', version: '1.0.0', workspaces: ['packages/a'] } });
      mkdirSync(join(project, 'packages', 'a'), { recursive: true });
      writeFileSync(join(project, 'packages', 'a', 'package.json'), '{"name":"a","version":"1.0.0"}\n');
      if (owner === 'nobody') spawnSync('chown', ['-R', '65534:65534', project]);
      return project;
    };
    const project = await make();
    const stopped = await safeNpm(['install', 'uses-lookalike', '-w', 'packages/a'], project);
    expect(stopped.exitCode, show(stopped)).toBe(65);
    expect(stopped.stdout + stopped.stderr).toContain('lodahs@1.2.0 (via');
    expect(existsSync(join(project, 'node_modules', 'lodahs'))).toBe(false);
    const installed = await safeNpm(['install', 'nest-a', '-w', 'packages/a'], project);
    expect(installed.exitCode, show(installed)).toBe(0);
    const twin = await make();
    expect((await runTool('npm', ['install', 'nest-a', '-w', 'packages/a'], { cwd: twin, sandbox })).exitCode).toBe(0);
    const view = (dir: string) => JSON.stringify(JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')).packages);
    expect(view(project)).toBe(view(twin));
    // A removal in the workspace installs what is missing there too: vetted the same way.
    const pkg = JSON.parse(readFileSync(join(project, 'packages', 'a', 'package.json'), 'utf8'));
    pkg.dependencies.lodahs = '^1.0.0';
    writeFileSync(join(project, 'packages', 'a', 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    const removal = await safeNpm(['uninstall', 'nest-a', '-w', 'packages/a'], project);
    expect(removal.exitCode, show(removal)).toBe(65);
    expect(existsSync(join(project, 'node_modules', 'lodahs'))).toBe(false);
  }, 120_000);

  it('npx / exec vets the tree the package brings before installing it, root\'s and a user\'s (only the named package was checked)', async () => {
    const cwd = await makeTempDir('safe-npm-exec-tree-');
    for (const args of [['exec', '--', 'uses-lookalike'], ['exec', '--package=uses-lookalike', '--', 'true']]) {
      const r = await safeNpm(args, cwd);
      expect(r.exitCode, show(r)).toBe(65);
      expect(r.stdout + r.stderr).toContain('lodahs@1.2.0 (via uses-lookalike)');
    }
    // As an ordinary user npm exec installs into npx's cache: the tree is vetted first there too.
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    const userCwd = await makeProject({ owner: 'nobody' });
    const asUser = (args: string[]) => runBin('safe-npm', args, { cwd: userCwd, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH } });
    const user = await asUser(['exec', '--yes', '--package=uses-lookalike', '--', 'true']);
    expect(user.exitCode, show(user)).toBe(65);
    expect(user.stdout + user.stderr).toContain('lodahs@1.2.0 (via uses-lookalike)');
    expect(existsSync(join(userSandbox.env.npm_config_cache!, '_npx'))).toBe(false);
    // A clean one installs and runs; the second run finds it in npx's cache (nothing resolved again).
    const first = await runBin('safe-npm', ['exec', '--yes', '--', 'plain-b'], { cwd: userCwd, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH, SAFE_NPM_TIMING: '1' } });
    expect(first.stdout.trim(), show(first)).toBe('plain-b ran');
    expect(first.stderr).toContain('tree resolved');
    const second = await runBin('safe-npm', ['exec', '--yes', '--', 'plain-b'], { cwd: userCwd, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH, SAFE_NPM_TIMING: '1' } });
    expect(second.stdout.trim(), show(second)).toBe('plain-b ran');
    expect(second.stderr).not.toContain('tree resolved');
    // Vetted, the user's exec is npm's own in our process (a second node and npm's load saved): among
    // the command's ancestors, the process npm titled `npm exec …` is the one the test started, no
    // safe-npm above a second npm; it ran with scripts off, and its exit code is the run's.
    writeFileSync(join(userCwd, 'ancestors.js'), `
      const { readFileSync } = require('fs');
      const chain = [];
      for (let pid = process.ppid; pid > 1 && chain.length < 5;) {
        chain.push(readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').join(' '));
        pid = Number(readFileSync('/proc/' + pid + '/stat', 'utf8').split(') ')[1].split(' ')[1]);
      }
      console.log(JSON.stringify({ chain, ignoreScripts: process.env.npm_config_ignore_scripts, nodeGyp: process.env.npm_config_node_gyp }));
      process.exitCode = 3;
    `);
    spawnSync('chown', ['65534:65534', join(userCwd, 'ancestors.js')]);
    const handed = await asUser(['exec', '--yes', '--package=plain-b', '--', 'node', 'ancestors.js']);
    expect(handed.exitCode, show(handed)).toBe(3);
    const seen = JSON.parse(handed.stdout) as { chain: string[]; ignoreScripts: string; nodeGyp: string };
    // npm's own node-gyp, as plain npx gives it (it was ours: our npm config loader had set it in our environment).
    expect(seen.nodeGyp).toMatch(/\/npm\/node_modules\/node-gyp\//);
    expect(seen.chain.some((c) => c.startsWith('npm exec ')), seen.chain.join('\n')).toBe(true);
    expect(seen.chain.some((c) => c.includes('bin/safe-npm.js')), seen.chain.join('\n')).toBe(false);
    expect(seen.ignoreScripts).toBe('true');
    // A decoy folder naming the packages is not the one npm uses (vetting goes on), and npm's own
    // folder naming other packages is refused: npm would install them along, unvetted.
    const npxDir = join(userSandbox.env.npm_config_cache!, '_npx');
    mkdirSync(join(npxDir, 'decoy', 'node_modules', 'uses-lookalike'), { recursive: true });
    writeFileSync(join(npxDir, 'decoy', 'package.json'), JSON.stringify({ _npx: { packages: ['uses-lookalike'] } }));
    writeFileSync(join(npxDir, 'decoy', 'node_modules', 'uses-lookalike', 'package.json'), JSON.stringify({ name: 'uses-lookalike', version: '1.2.0' }));
    spawnSync('chown', ['-R', '65534:65534', npxDir]);
    const decoyed = await asUser(['exec', '--yes', '--package=uses-lookalike', '--', 'true']);
    expect(decoyed.exitCode, show(decoyed)).toBe(65);
    const { npxCacheFolder } = await import('../../src/npm/exec-cache.js');
    const own = npxCacheFolder(userSandbox.env.npm_config_cache!, [{ raw: 'plain-a' }]);
    mkdirSync(own, { recursive: true });
    writeFileSync(join(own, 'package.json'), JSON.stringify({ dependencies: { lodahs: '^1.0.0' } }));
    spawnSync('chown', ['-R', '65534:65534', npxDir]);
    const foreign = await asUser(['exec', '--yes', '--package=plain-a', '--', 'true']);
    expect(foreign.exitCode, show(foreign)).toBe(65);
    expect(foreign.stderr).toContain('names other packages than these in its package.json; remove that folder');
    expect(existsSync(join(own, 'node_modules', 'lodahs'))).toBe(false);
  });

  it('in a terminal that reports no size (0×0, as under `script`): no spinner loop, the install ends as usual', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const command = `${process.execPath} ${join(repoRoot, 'bin', 'safe-npm.js')} install plain-a`;
    const r = await runTool('script', ['-qec', `stty rows 0 cols 0; ${command}`, '/dev/null'], {
      cwd: project, sandbox, timeoutMs: 60_000,
      // An interactive terminal as a person has it: no CI variable (ora draws nothing under CI), a TERM.
      env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, CI: undefined, TERM: 'xterm' },
    });
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout.length, 'a spinner redrawing forever').toBeLessThan(10_000);
    expect(existsSync(join(project, 'node_modules/plain-a/package.json'))).toBe(true);
  });

  it('--safe-strict-scripts: the project\'s own unapproved install script stops a plain install and npm ci (67) before anything is written; approved as told, it installs', async () => {
    const project = await makeProject({ owner: 'nobody', packageJson: { name: 'own-scripts', version: '1.0.0', dependencies: { 'plain-a': '^1.0.0' }, scripts: { postinstall: 'node -e "require(\'fs\').writeFileSync(\'own-ran\', \'x\')"' } } });
    const strictSandbox = await makeSandbox({ registry: registry.url });
    const run = (args: string[]) => runBin('safe-npm', args, { cwd: project, sandbox: strictSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    const before = await snapshotProject(project);
    const r = await run(['install', '--safe-strict-scripts']);
    expect(r.exitCode, show(r)).toBe(67);
    expect(await snapshotProject(project)).toEqual(before);
    const advice = /approve with: safe-npm (safe approve \.) \(in /m.exec(r.stderr);
    expect(advice, r.stderr).not.toBeNull();
    expect((await run(advice![1]!.split(' '))).exitCode).toBe(0);
    const again = await run(['install', '--safe-strict-scripts']);
    expect(again.exitCode, show(again)).toBe(0);
    expect(existsSync(join(project, 'node_modules/plain-a/package.json'))).toBe(true);
    // npm ci of that lockfile by someone who has not approved it (another store): stopped before node_modules is touched.
    const installed = await snapshotProject(project);
    const other = await makeSandbox({ registry: registry.url });
    const ci = await runBin('safe-npm', ['ci', '--safe-strict-scripts'], { cwd: project, sandbox: other, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    expect(ci.exitCode, show(ci)).toBe(67);
    expect(await snapshotProject(project)).toEqual(installed);
  });

  it('--safe-strict-scripts stops (67) before anything is written; approving as told, the same command installs and runs the script', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const strictSandbox = await makeSandbox({ registry: registry.url });
    const run = (args: string[]) => runBin('safe-npm', args, { cwd: project, sandbox: strictSandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
    const before = await snapshotProject(project);
    const r = await run(['install', 'scripted', '--safe-strict-scripts']);
    expect(r.exitCode, show(r)).toBe(67);
    expect(await snapshotProject(project)).toEqual(before);
    const advice = /approve with: safe-npm (safe approve scripted@1\.2\.0)$/m.exec(r.stderr);
    expect(advice, r.stderr).not.toBeNull();
    expect((await run(advice![1]!.split(' '))).exitCode).toBe(0);
    const ran = ranLines(project);
    const again = await run(['install', 'scripted', '--safe-strict-scripts']);
    expect(again.exitCode, show(again)).toBe(0);
    expect(ranLines(project)).toBe(ran + 1);
  });
});

describe('npx', () => {
  /** The npx shim, as a user would type npx, in `cwd`. */
  const npxIn = (cwd: string) => (args: string[]) => runTool(join(repoRoot, 'shims', 'npx'), args, { cwd, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot } });
  it('honours npm\'s yes=false: nothing is installed or run (as plain npx refuses)', async () => {
    const cwd = await makeTempDir('safe-npm-npx-no-');
    for (const args of [['--no', 'plain-b'], ['plain-b']]) {
      const env = args[0] === '--no' ? {} : { npm_config_yes: 'false' };
      const r = await runTool(join(repoRoot, 'shims', 'npx'), args, { cwd, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, ...env } });
      expect(r.exitCode, show(r)).toBe(1);
      expect(r.stdout).not.toContain('plain-b ran');
      // npm's words and npm's naming (the version npx would have installed).
      expect(r.stderr).toContain('npm error npx canceled due to missing packages and no YES option: ["plain-b@1.2.0"]\n');
      expect(r.stderr).not.toMatch(/^safe-npm:/m);
    }
  });

  it('a user\'s npx of the same local tarball twice runs it twice (the second run was refused: npx\'s cache "names other packages")', async () => {
    const nobody = { uid: 65534, gid: 65534 };
    const userSandbox = await makeSandbox({ registry: registry.url, owner: nobody });
    const work = await makeProject({ owner: 'nobody', packageJson: { name: 'local-tool', version: '1.0.0', bin: { 'local-tool': 'cli.js' } }, files: { 'cli.js': '#!/usr/bin/env node\nconsole.log("local-tool ran");\n' } });
    const packed = spawnSync('npm', ['pack', '--pack-destination', work], { cwd: work, encoding: 'utf8' });
    expect(packed.status, packed.stderr).toBe(0);
    const tarball = join(work, packed.stdout.trim());
    spawnSync('chown', ['65534:65534', tarball]);
    for (const run of [1, 2]) {
      const r = await runBin('safe-npm', ['exec', '--yes', `--package=${tarball}`, '--', 'local-tool'], { cwd: work, sandbox: userSandbox, user: nobody, env: { PATH: SYSTEM_PATH } });
      expect(r.exitCode, `run ${run}: ${show(r)}`).toBe(0);
      expect(r.stdout.trim()).toBe('local-tool ran');
    }
  });

  it('root\'s npx -c runs the shell string as npm does (it ran nothing, exit 1), with npm\'s yes=false too when no package is named (it refused); a command that is not there is the shell\'s "not found" (127)', async () => {
    // plain-b@1.0.0: root keeps what it installed by exact version; the next test wants plain-b@1.2.0 new.
    const npx = npxIn(await makeTempDir('safe-npm-npx-call-'));
    const called = await npx(['--yes', '-p', 'plain-b@1.0.0', '-c', 'plain-b; echo "$0 called"; exit 5']);
    expect(called.exitCode, show(called)).toBe(5);
    expect(called.stdout).toMatch(/^plain-b ran\n.* called\n$/);
    const args = await npx(['--yes', '-p', 'plain-b@1.0.0', '--', 'plain-b', 'it\'s; touch /tmp/never']);
    expect(args.exitCode, show(args)).toBe(0);
    expect(args.stdout.trim()).toBe('plain-b ran');
    expect(existsSync('/tmp/never')).toBe(false);
    const missing = await npx(['--yes', '-p', 'plain-b@1.0.0', '--', 'no-such-command-here']);
    expect(missing.exitCode, show(missing)).toBe(127);
    expect(missing.stderr).toMatch(/no-such-command-here: not found/);    // No package named, npm's yes=false (root's ~/.npmrc had it): npm installs nothing and runs the
    // command; so does root's (it refused: "npx canceled due to missing packages …: []", exit 1).
    const cwd = await makeTempDir('safe-npm-npx-call-no-');
    const shellOnly = await runTool(join(repoRoot, 'shims', 'npx'), ['-c', 'echo "shell only"; exit 4'], { cwd, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, npm_config_yes: 'false' } });
    expect(shellOnly.exitCode, show(shellOnly)).toBe(4);
    expect(shellOnly.stdout).toBe('shell only\n');
  });

  it('names what it installs as npm does (name@version, the version vetted) in its warning, the findings and the stop advice', async () => {
    const npx = npxIn(await makeTempDir('safe-npm-npx-named-'));
    const ran = await npx(['plain-b']);
    expect(ran.exitCode, show(ran)).toBe(0);
    expect(ran.stderr).toContain('npm warn exec The following package was not found and will be installed: plain-b@1.2.0\n');
    expect(ran.stdout.trim()).toBe('plain-b ran');
    const asked = await npx(['brand-new-pkg']);
    expect(asked.exitCode, show(asked)).toBe(66);
    expect(asked.stderr).toMatch(/^brand-new-pkg@1\.0\.0\n {2}! warn "brand-new-pkg" was first published/m);
    expect(asked.stderr).toContain('\n  brand-new-pkg@1.0.0: needs your confirmation;');
  });

  it('a stop for a warning advises --safe-yes where npx takes it (before the package name); followed as written, the command runs', async () => {
    const npx = npxIn(await makeTempDir('safe-npm-npx-yes-'));
    const asked = await npx(['brand-new-bin']);
    expect(asked.exitCode, show(asked)).toBe(66);
    expect(asked.stderr).toContain('brand-new-bin@1.0.0: needs your confirmation; run again with --safe-yes before the package name (npx --safe-yes …) (or SAFE_NPM_YES=1) to accept it');
    const r = await npx(['--safe-yes', 'brand-new-bin']);
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout.trim()).toBe('brand-new-bin ran');
  });

  it('a package without a bin (as root): exit 1 as npm\'s (it was 64), the advice names the command the way it was run (npx -p, or exec --package= … --), and followed, it runs', async () => {
    const cwd = await makeTempDir('safe-npm-npx-nobin-');
    const npx = npxIn(cwd);
    const viaNpx = await npx(['plain-a']);
    expect(viaNpx.exitCode, show(viaNpx)).toBe(1);
    expect(viaNpx.stderr).toContain('safe-npm: could not determine which command to run; name it: npx -p plain-a <command>\n');
    const followedNpx = await npx(['-p', 'plain-a', 'node', '-e', 'console.log("ran")']);
    expect(followedNpx.stdout.trim(), show(followedNpx)).toBe('ran');
    const viaExec = await safeNpm(['exec', 'plain-a'], cwd);
    expect(viaExec.exitCode, show(viaExec)).toBe(1);
    expect(viaExec.stderr).toContain('safe-npm: could not determine which command to run; name it: safe-npm exec --package=plain-a -- <command>\n');
    const followedExec = await safeNpm(['exec', '--package=plain-a', '--', 'node', '-e', 'console.log("ran")'], cwd);
    expect(followedExec.stdout.trim(), show(followedExec)).toBe('ran');
  });

  it('a bin in npm\'s global folder runs as plain npx runs it (as root, with and without yes=false): nothing installed, nothing fetched', async () => {
    // npm's global prefix moved (npm_config_prefix) to a folder whose bin holds a command the registry does not have.
    const globalPrefix = await makeTempDir('safe-npm-npx-global-');
    mkdirSync(join(globalPrefix, 'bin'));
    writeFileSync(join(globalPrefix, 'bin', 'tb-global-tool'), '#!/bin/sh\necho "global tool ran $1"\n', { mode: 0o755 });
    const cwd = await makeTempDir('safe-npm-npx-global-cwd-');
    for (const extra of [[], ['--no']]) {
      const plain = await runTool('npx', [...extra, 'tb-global-tool', 'x'], { cwd, sandbox, env: { PATH: SYSTEM_PATH, npm_config_prefix: globalPrefix, npm_config_registry: DEAD_REGISTRY } });
      const r = await runTool(join(repoRoot, 'shims', 'npx'), [...extra, 'tb-global-tool', 'x'], { cwd, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, npm_config_prefix: globalPrefix, npm_config_registry: DEAD_REGISTRY } });
      // Before: 68 (the registry asked for a package "tb-global-tool"), or npx's refusal with --no.
      expect(r.exitCode, show(r)).toBe(plain.exitCode);
      expect(r.stdout.trim(), show(r)).toBe('global tool ran x');
      expect(plain.stdout.trim()).toBe('global tool ran x');
    }
    // Straight to npm, as a project bin is: safe-npm's own flow (here: its unreadable config) is not on the way.
    const config = await makeTempDir('safe-npm-npx-global-config-');
    mkdirSync(join(config, 'safe-npm'));
    writeFileSync(join(config, 'safe-npm', 'config.json'), '{ not json');
    const direct = await runTool(join(repoRoot, 'shims', 'npx'), ['tb-global-tool', 'y'], { cwd, sandbox, env: { PATH: SYSTEM_PATH, XDG_CONFIG_HOME: config, npm_config_prefix: globalPrefix, npm_config_registry: DEAD_REGISTRY } });
    expect(direct.exitCode, show(direct)).toBe(0);
    expect(direct.stdout.trim()).toBe('global tool ran y');
  });

  it('a bin already installed in the project runs straight away, without the install path (no registry needed)', async () => {
    const project = await makeProject({ owner: 'root' });
    expect((await safeNpm(['install', 'plain-b'], project)).exitCode).toBe(0);
    const r = await runTool(join(repoRoot, 'shims', 'npx'), ['plain-b'], { cwd: project, sandbox, env: { PATH: SYSTEM_PATH, npm_config_registry: DEAD_REGISTRY } });
    expect(r.exitCode, show(r)).toBe(0);
    expect(r.stdout.trim()).toBe('plain-b ran');
  });
});

describe('safe check', () => {
  it('vets the tree a spec brings, with the install\'s findings and path; --no-deps the package alone; a dead registry is 68', async () => {
    const cwd = await makeTempDir('safe-npm-check-');
    const r = await safeNpm(['safe', 'check', 'uses-lookalike'], cwd);
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stdout).toContain('lodahs@1.2.0 (via uses-lookalike)');
    expect(r.stdout).toContain('looks like the popular package "lodash"');
    expect((await safeNpm(['safe', 'check', '--no-deps', 'uses-lookalike'], cwd)).exitCode).toBe(0);
    // The count is of the tree checked, not of the lines shown: nest-a and nest-b, both ok.
    const clean = await safeNpm(['safe', 'check', 'nest-a'], cwd);
    expect(clean.stdout, show(clean)).toMatch(/^2 checked: 2 ok, 0 warn, 0 block$/m);
    const dead = await safeNpm(['safe', 'check', 'uses-lookalike'], cwd, { npm_config_registry: DEAD_REGISTRY });
    expect(dead.exitCode, show(dead)).toBe(68);
  });
});

describe('not found is 65, every time', () => {
  it('a free name one typo from a popular one is one finding (the typo\'s, with its did-you-mean), in the report and the stop list; no advice that would not help', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'lodasj'], project);
    expect(r.exitCode, show(r)).toBe(65);
    expect(r.stderr.match(/✖ block .*/g), r.stderr).toEqual(['✖ block "lodasj" does not exist: a free name one typo from the popular package "lodash" (one letter changed)']);
    expect(r.stderr).toContain('\n  lodasj: not on the registry; check the name (did you mean "lodash"?)\n');
    expect(r.stderr).not.toContain('safe trust');
  });

  it('50 runs with npm\'s real engine (five at a time), half of them stopping after the engine has failed and exited, all exit 65', async () => {
    // The built worker (dist/): the engine's own file is forked as JavaScript.
    const { spawnTreeWorker } = (await import(join(repoRoot, 'dist/npm/tree-install.js'))) as { spawnTreeWorker: typeof SpawnTreeWorker };
    // How each waiting run's engine ended: it must have failed on its own before the stop cancelled it.
    const waitedEngineEnds: string[] = [];
    const runOnce = async (i: number) => {
      const t = await fakeDeps({ packuments: {} });
      let engineFailed: Promise<unknown> = Promise.resolve();
      const cache = await makeTempDir('safe-npm-engine-cache-');
      t.deps.spawnTreeWorker = (mode) => {
        const worker = spawnTreeWorker({ realNpm: '/usr/bin/npm', mode, env: { PATH: SYSTEM_PATH, HOME: sandbox.home } });
        return {
          mode: worker.mode,
          cancel: () => worker.cancel(),
          start(request) {
            const tree = worker.start({ ...request, cacheDir: cache, options: { ...request.options, registry: registry.url } });
            engineFailed = tree.resolved.then(
              () => { if (i % 2) waitedEngineEnds.push('resolved'); },
              (error: { code?: string }) => { if (i % 2) waitedEngineEnds.push(error.code ?? 'error'); },
            );
            return tree;
          },
        };
      };
      // Every other run answers "not found" only once the engine has reported its own 404 (it then
      // exits): the stop then cancels a worker that is gone — the moment the old EPIPE crash needed.
      const registryOf = t.deps.createRegistry;
      t.deps.createRegistry = async (config, cacheDir) => {
        const client = await registryOf(config, cacheDir);
        return { ...client, packument: async (name) => (i % 2 ? (await engineFailed, client.packument(name)) : client.packument(name)) };
      };
      return npmInstallFlow(install(['not-a-real-package-zzzz-123']), t.deps);
    };
    const codes: number[] = [];
    for (let batch = 0; batch < 10; batch++) codes.push(...await Promise.all([0, 1, 2, 3, 4].map((k) => runOnce(batch * 5 + k))));
    expect(codes).toEqual(Array(50).fill(65));
    // The engine really ran, and had failed and exited on its own in every run that waited for it (npm's
    // 404, or under heavy load another registry error: either way a worker that is gone when cancelled).
    expect(waitedEngineEnds, waitedEngineEnds.join(' ')).toHaveLength(25);
    expect(waitedEngineEnds.filter((end) => end === 'resolved')).toEqual([]);
    expect(waitedEngineEnds.filter((end) => end === 'E404').length, waitedEngineEnds.join(' ')).toBeGreaterThan(0);
  }, 120_000);
});

function install(args: string[]): NpmInvocation {
  const specs = args.map((a) => parseSpec(a, process.cwd()));
  return {
    kind: 'install', command: 'install', typedCommand: 'install', specs, positionals: args, global: false, workspaces: false,
    npmArgs: ['install', ...args], ownFlags: { yes: false, strictScripts: false, project: false, other: {} }, cliConfig: {},
  };
}
