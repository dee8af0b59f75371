import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineCodeFolder } from '../../src/npm/tree-install.js';
import type { InstallMode } from '../../src/npm/install-mode.js';
import { makeTempDir } from '../helpers/projects.js';
import { makeSandbox, runBin, SYSTEM_PATH, type RunResult } from '../helpers/run-bin.js';

/**
 * npm's engine keeps the code V8 compiled for npm's modules between runs (code-cache.ts; issue 9:
 * its start is the critical path of root's small installs and uninstalls). Whoever can write that
 * code runs code in the engine, so it lives only in a folder of the engine's own user, at a path
 * nobody else can change, none for a uid other software shares, and is read only from a file that
 * user owns. (A file of its own: engineCodeFolder makes folders as another user, which a worker
 * thread cannot.)
 */
const asRoot = process.getuid?.() === 0;
const nobody = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' };
const staging = (dedicated: boolean, user = nobody): InstallMode => ({ kind: 'staging', user, scriptUser: user, dedicated });

const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

describe.runIf(asRoot)('root\'s project: npm\'s engine, as the install identity, keeps npm\'s compiled code beside its npm cache', () => {
  it('the first run makes the folder, the next keeps the code, the third compiles nothing; a file that is not the identity\'s is not read', async () => {
    // A root-owned project with an installed local folder: no registry needed.
    const template = await makeTempDir('safe-npm-code-project-');
    mkdirSync(join(template, 'local'));
    writeFileSync(join(template, 'local', 'package.json'), '{"name":"local","version":"1.0.0"}\n');
    writeFileSync(join(template, 'package.json'), '{"name":"p","version":"1.0.0","dependencies":{"local":"file:./local"}}\n');
    const sandbox = await makeSandbox();
    const plain = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: template, env: { ...sandbox.env, PATH: SYSTEM_PATH }, encoding: 'utf8' });
    expect(plain.status, plain.stderr).toBe(0);
    const cacheRoot = await makeTempDir('safe-npm-code-cacheroot-');
    const uninstall = async () => {
      const project = await makeTempDir('safe-npm-code-run-');
      await rm(project, { recursive: true });
      await cp(template, project, { recursive: true });
      const r = await runBin('safe-npm', ['uninstall', 'local'], { cwd: project, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_TIMING: '1' } });
      expect(r.exitCode, show(r)).toBe(0);
      expect(existsSync(join(project, 'node_modules', 'local'))).toBe(false);
      expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies ?? {}).toEqual({});
      return /npm's modules: ([^)]*)\)/.exec(r.stderr)?.[1];
    };
    // The flow makes <cacheRoot>/<identity> (for npm's cache) during the first run: nothing to keep code in before.
    expect(await uninstall()).toBe('no kept code');
    const identity = readdirSync(cacheRoot)[0]!;
    const uid = statSync(join(cacheRoot, identity)).uid;
    expect(uid).not.toBe(0);
    expect(await uninstall()).toMatch(/^0 from kept code, [1-9]\d{2,} compiled$/);
    const folder = join(cacheRoot, identity, 'engine-code');
    const [file] = readdirSync(folder);
    expect(statSync(folder)).toMatchObject({ uid });
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, file!))).toMatchObject({ uid });
    expect(statSync(join(folder, file!)).mode & 0o777).toBe(0o600);
    expect(await uninstall()).toMatch(/^[1-9]\d{2,} from kept code, 0 compiled$/);
    // Someone else's file in its place (root's here): not read, and written anew as the identity's.
    chownSync(join(folder, file!), 0, 0);
    expect(await uninstall()).toMatch(/^0 from kept code, [1-9]\d{2,} compiled$/);
    expect(statSync(join(folder, file!))).toMatchObject({ uid });
  });
});

describe('engineCodeFolder', () => {
  it('one\'s own: in one\'s cache folder, made private; none for a relative one', async () => {
    const home = await makeTempDir('safe-npm-code-folder-');
    const folder = engineCodeFolder({ kind: 'self' }, { XDG_CACHE_HOME: join(home, 'cache') });
    expect(folder).toBe(join(home, 'cache', 'safe-npm', 'engine-code'));
    expect(statSync(folder!).mode & 0o777).toBe(0o700);
    expect(engineCodeFolder({ kind: 'self' }, { HOME: home })).toBe(join(home, '.cache', 'safe-npm', 'engine-code'));
    expect(engineCodeFolder({ kind: 'self' }, { XDG_CACHE_HOME: 'cache' })).toBeUndefined();
  });

  it.runIf(asRoot)('the install identity\'s: beside its npm cache under the cache root, made as it; none before the flow made its folder, none through a link', async () => {
    const cacheRoot = await makeTempDir('safe-npm-code-root-');
    expect(engineCodeFolder(staging(true), {}, cacheRoot)).toBeUndefined();
    expect(existsSync(join(cacheRoot, 'nobody'))).toBe(false);
    mkdirSync(join(cacheRoot, 'nobody'), { mode: 0o700 });
    chownSync(join(cacheRoot, 'nobody'), nobody.uid, nobody.gid);
    const folder = engineCodeFolder(staging(true), {}, cacheRoot);
    expect(folder).toBe(join(cacheRoot, 'nobody', 'engine-code'));
    expect(statSync(folder!)).toMatchObject({ uid: nobody.uid });
    expect(statSync(folder!).mode & 0o777).toBe(0o700);
    // A uid other software shares (the nobody fallback): none, whatever the folder.
    expect(engineCodeFolder(staging(false), {}, cacheRoot)).toBeUndefined();
    // Its folder a link (to one of root's): none.
    const other = await makeTempDir('safe-npm-code-root-');
    symlinkSync(join(cacheRoot, 'nobody'), join(other, 'nobody'));
    expect(engineCodeFolder(staging(true), {}, other)).toBeUndefined();
    expect(engineCodeFolder(staging(true), {}, undefined)).toBeUndefined();
  });

  it.runIf(asRoot)('a project owner\'s: in their home, made as them; none without a home of theirs', async () => {
    const home = await makeTempDir('safe-npm-code-home-');
    const owner = { ...nobody, home };
    const asOwner: InstallMode = { kind: 'as-owner', user: owner, scriptUser: owner };
    expect(engineCodeFolder(asOwner, {})).toBeUndefined(); // root's folder: not their home
    chownSync(home, nobody.uid, nobody.gid);
    const folder = engineCodeFolder(asOwner, {});
    expect(folder).toBe(join(home, '.cache', 'safe-npm', 'engine-code'));
    expect(statSync(join(home, '.cache')).uid).toBe(nobody.uid);
    expect(statSync(folder!).uid).toBe(nobody.uid);
  });
});
