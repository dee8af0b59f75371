/**
 * Root's safe-pip and a venv another user owns (attack trial of 2026-12-02): the venv's owner runs
 * code in every pip of theirs (a `.pth` file in site-packages), and owns safe-pip's work folder. None
 * of that may reach root: a report swapped for a set-id program, a pip.conf linked to a root-only
 * secret, a cache folder linked to a root folder, or pip's own commands run as root. Real pip 23.0.1
 * in venvs owned by nobody, a local index on 127.0.0.1; each test proves its hook ran.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lchownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { establishedProject, runSafePip } from '../helpers/pip-runs.js';
import { makeTempDir } from '../helpers/projects.js';
import { PYTHON } from '../helpers/python-dists.js';
import { makeSandbox, repoRoot, runTool, type Sandbox } from '../helpers/run-bin.js';
import { startSimpleIndex, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';

const NOBODY = 65534;
const canRun = existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));

let work: string;
let markers: string;
let index: SimpleIndex;
let sandbox: Sandbox;
/** A root-owned, empty pip config: hermetic, yet not /dev/null (which turns every config file off). */
let emptyConf: string;

function sitePackages(venv: string): string {
  const lib = join(venv, 'lib');
  return join(lib, readdirSync(lib).find((d) => d.startsWith('python'))!, 'site-packages');
}

/** A hook of the venv's owner: `code` runs at the start of every Python of that venv (a .pth file). */
function plantHook(venv: string, name: string, code: string): void {
  const dir = sitePackages(venv);
  writeFileSync(join(dir, `${name}.py`), code);
  writeFileSync(join(dir, `${name}.pth`), `import ${name}\n`);
  for (const f of [`${name}.py`, `${name}.pth`]) chownSync(join(dir, f), NOBODY, NOBODY);
}

const safePip = (venv: string, args: string[], env: Record<string, string> = {}) =>
  runSafePip(sandbox, work, venv, ['install', '-i', index.url, ...args], { env: { PIP_CONFIG_FILE: emptyConf, ...env } });

describe.skipIf(!canRun)('root\'s safe-pip in a venv another user owns', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-root-boundary-');
    chmodSync(work, 0o755);
    const dists = join(work, 'dists');
    mkdirSync(dists);
    mkdirSync(join(work, 'cache'));
    markers = join(work, 'markers');
    mkdirSync(markers);
    index = await startSimpleIndex([establishedProject(dists, 'quiet-widget')]);
    execFileSync('chmod', ['-R', 'a+rX', work]);
    chmodSync(markers, 0o777);
    emptyConf = join(work, 'empty.conf');
    writeFileSync(emptyConf, '');
    sandbox = await makeSandbox();
  }, 240_000);

  afterAll(async () => {
    await index?.close();
    await sandbox?.cleanup();
  });

  it('--report FILE is pip\'s report, written by root with a plain mode: not the work folder\'s file, which its owner swapped for a set-id program; not through a planted link', async () => {
    const venv = await newVenv('nobody');
    // At the end of each pip run, the owner puts a set-id script where pip wrote its report.
    // (Its work folder is read at start: safe-pip's guard takes the variable out of the environment.)
    plantHook(venv, 'zzswap', `import atexit, glob, os
g = os.environ.get('SAFE_PIP_GUARD_CONFIG')
def swap():
    if not g:
        return
    for r in glob.glob(os.path.join(os.path.dirname(g), 'report-*.json')):
        os.unlink(r)
        with open(r, 'w') as f:
            f.write('#!/bin/sh\\nid\\n')
        os.chmod(r, 0o6755)
        open(os.path.join(${JSON.stringify(markers)}, 'swapped-%d' % os.getpid()), 'w').close()
atexit.register(swap)
`);
    const out = join(work, 'out');
    mkdirSync(out, { recursive: true });
    const dest = join(out, 'report.json');
    const r = await safePip(venv, ['--report', dest, 'quiet-widget']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(markers).filter((m) => m.startsWith('swapped-')).length, 'the hook swapped a report').toBeGreaterThan(0);
    const st = statSync(dest);
    expect(st.uid).toBe(0);
    expect((st.mode & 0o7777).toString(8)).toBe('644');
    expect(JSON.parse(readFileSync(dest, 'utf8')).install.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['quiet-widget']);

    // The place the report goes, a link someone planted to a root file: not written through.
    const victim = join(out, 'victim');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    const linked = join(out, 'linked.json');
    symlinkSync(victim, linked);
    const again = await safePip(venv, ['--force-reinstall', '--report', linked, 'quiet-widget']);
    expect(again.exitCode, again.stderr).toBe(64);
    expect(again.stderr).toMatch(/pip's report was not written: .*linked\.json is a link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect((statSync(victim).mode & 0o7777).toString(8)).toBe('600');
  });

  it('the venv\'s pip.conf is read as its owner: a link to a root-only file hands nothing of it to them', async () => {
    const venv = await newVenv('nobody');
    const secrets = join(work, 'secrets');
    mkdirSync(secrets, { mode: 0o700 });
    const secret = join(secrets, 'secret.ini');
    writeFileSync(secret, '[pypi]\npassword = TOPSECRET-root-token\n', { mode: 0o600 });
    symlinkSync(secret, join(venv, 'pip.conf'));
    lchownSync(join(venv, 'pip.conf'), NOBODY, NOBODY);
    // Every pip of the owner's copies the config it was given where they can read it.
    plantHook(venv, 'zzconf', `import os, shutil
c = os.environ.get('PIP_CONFIG_FILE')
if c and os.path.isfile(c):
    shutil.copy(c, os.path.join(${JSON.stringify(markers)}, 'conf-%d' % os.getpid()))
`);
    const r = await safePip(venv, ['quiet-widget']);
    expect(r.exitCode, r.stderr).toBe(0);
    const copies = readdirSync(markers).filter((m) => m.startsWith('conf-'));
    expect(copies.length, 'the hook copied the config it was given').toBeGreaterThan(0);
    for (const c of copies) expect(readFileSync(join(markers, c), 'utf8')).not.toContain('TOPSECRET');
  });

  it('a cache root another user can write is refused (64) before root makes anything in it: a link there to a root folder is not chowned to them', async () => {
    const venv = await newVenv('nobody');
    const cacheRoot = join(work, 'their-cache');
    mkdirSync(cacheRoot);
    chownSync(cacheRoot, NOBODY, NOBODY);
    const victim = join(work, 'root-folder');
    mkdirSync(victim, { mode: 0o700 });
    symlinkSync(victim, join(cacheRoot, `pip-${NOBODY}`));
    lchownSync(join(cacheRoot, `pip-${NOBODY}`), NOBODY, NOBODY);
    const r = await safePip(venv, ['quiet-widget'], { SAFE_PIP_CACHE_ROOT: cacheRoot });
    expect(r.exitCode, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/the cache root .*their-cache must belong to root and be writable by root only .*unset SAFE_PIP_CACHE_ROOT/);
    expect(statSync(victim).uid).toBe(0);
  });

  it('pip\'s own commands (list) run as the venv\'s owner, not as root: their code in it never runs as root', async () => {
    const venv = await newVenv('nobody');
    plantHook(venv, 'zzwho', `import os
open(os.path.join(${JSON.stringify(markers)}, 'list-as-%d-%d' % (os.getuid(), os.getpid())), 'w').close()
`);
    const r = await runSafePip(sandbox, work, venv, ['list', '--format', 'freeze'], { env: { PIP_CONFIG_FILE: emptyConf } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^pip==/m);
    expect(r.stderr).toMatch(/running .*pip as nobody, who owns its virtual environment/);
    // Root's cache folder (PIP_CACHE_DIR) is not theirs, and nobody's home is /nonexistent: no cache,
    // and no warning from pip about either.
    expect(r.stderr).not.toMatch(/WARNING|cache/i);
    const ran = readdirSync(markers).filter((m) => m.startsWith('list-as-'));
    expect(ran.length, 'the hook ran').toBeGreaterThan(0);
    expect(ran.filter((m) => m.startsWith('list-as-0-'))).toEqual([]);
  });

  it('root writes nothing in its work folder through a link its owner put there: a guard config, a pin list, pip.conf (a root file was overwritten and handed to them)', async () => {
    const venv = await newVenv('nobody');
    const victimDir = join(work, 'victim-write');
    mkdirSync(victimDir, { mode: 0o700 });
    const victim = join(victimDir, 'precious');
    writeFileSync(victim, 'root-secret\n', { mode: 0o600 });
    // In every pip of theirs: links, in the work folder, where root's next files go.
    plantHook(venv, 'zzplant', `import os
g = os.environ.get('SAFE_PIP_GUARD_CONFIG')
if g:
    d = os.path.dirname(g)
    for n in ['guard-%d.json' % i for i in range(1, 40)] + ['fetch-hashed.txt', 'fetch-unhashed.txt', 'final-requirements.txt']:
        p = os.path.join(d, n)
        if not os.path.lexists(p):
            try:
                os.symlink(${JSON.stringify(victim)}, p)
                open(os.path.join(${JSON.stringify(markers)}, 'planted-%d' % os.getpid()), 'w').close()
            except OSError:
                pass
`);
    const out = join(work, 'their-downloads');
    mkdirSync(out);
    chownSync(out, NOBODY, NOBODY);
    const r = await runSafePip(sandbox, work, venv, ['download', '-i', index.url, '-d', out, 'quiet-widget'], { env: { PIP_CONFIG_FILE: emptyConf } });
    expect(readdirSync(markers).filter((m) => m.startsWith('planted-')).length, 'the hook planted links').toBeGreaterThan(0);
    expect(r.exitCode, r.stderr).toBe(65);
    expect(r.stderr).toMatch(/its work folder was changed under it \(\S+: a link\); stopped, nothing was installed/);
    expect(readFileSync(victim, 'utf8')).toBe('root-secret\n');
    expect(statSync(victim).uid).toBe(0);
  });

  it('through the shims too: root\'s `pip list` and `python3 -m pip list` in their venv run as them', async () => {
    const venv = await newVenv('nobody');
    plantHook(venv, 'zzshim', `import os
open(os.path.join(${JSON.stringify(markers)}, 'shim-as-%d-%d' % (os.getuid(), os.getpid())), 'w').close()
`);
    const env = { PATH: `${join(repoRoot, 'shims')}:${join(venv, 'bin')}:${sandbox.env.PATH}`, PIP_CONFIG_FILE: emptyConf, SAFE_PIP_CACHE_ROOT: join(work, 'cache') };
    for (const [file, args] of [['pip', ['list']], ['python3', ['-m', 'pip', 'list']]] as const) {
      const r = await runTool(file, [...args], { cwd: work, sandbox, env });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^pip\s/m);
    }
    const ran = readdirSync(markers).filter((m) => m.startsWith('shim-as-'));
    expect(ran.length, 'the hook ran').toBeGreaterThan(0);
    expect(ran.filter((m) => m.startsWith('shim-as-0-'))).toEqual([]);
  });

  it('a venv whose pyvenv.cfg its owner moved beside the interpreter is still theirs: root\'s `python3 -m pip list` through the shim runs as them', async () => {
    const venv = await newVenv('nobody');
    execFileSync('mv', [join(venv, 'pyvenv.cfg'), join(venv, 'bin', 'pyvenv.cfg')]);
    plantHook(venv, 'zzmoved', `import os
open(os.path.join(${JSON.stringify(markers)}, 'moved-as-%d-%d' % (os.getuid(), os.getpid())), 'w').close()
`);
    const env = { PATH: `${join(repoRoot, 'shims')}:${join(venv, 'bin')}:${sandbox.env.PATH}`, PIP_CONFIG_FILE: emptyConf, SAFE_PIP_CACHE_ROOT: join(work, 'cache') };
    for (const [file, args] of [['python3', ['-m', 'pip', 'list']], ['pip', ['list']]] as const) {
      const r = await runTool(file, [...args], { cwd: work, sandbox, env });
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const ran = readdirSync(markers).filter((m) => m.startsWith('moved-as-'));
    expect(ran.length, 'the hook ran').toBeGreaterThan(0);
    expect(ran.filter((m) => m.startsWith('moved-as-0-'))).toEqual([]);
  });

  it('a venv of root\'s whose site-packages another user owns runs as them; one they can write, not at all (65)', async () => {
    const venv = await newVenv('root');
    chownSync(sitePackages(venv), NOBODY, NOBODY);
    plantHook(venv, 'zzsite', `import os
open(os.path.join(${JSON.stringify(markers)}, 'site-as-%d-%d' % (os.getuid(), os.getpid())), 'w').close()
`);
    const r = await runSafePip(sandbox, work, venv, ['list'], { env: { PIP_CONFIG_FILE: emptyConf } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/running .*pip as nobody/);
    // Root's own, but open to others: nobody's code could be in it; refused.
    chownSync(sitePackages(venv), 0, 0);
    chmodSync(sitePackages(venv), 0o777);
    const open = await runSafePip(sandbox, work, venv, ['list'], { env: { PIP_CONFIG_FILE: emptyConf } });
    expect(open.exitCode, open.stderr).toBe(65);
    expect(open.stderr).toMatch(/root will not run .*pip: .*site-packages is writable by group or others/);
    const ran = readdirSync(markers).filter((m) => m.startsWith('site-as-'));
    expect(ran.length, 'the hook ran').toBeGreaterThan(0);
    expect(ran.filter((m) => m.startsWith('site-as-0-'))).toEqual([]);
  });

  it('--report FILE whose folder another user can redirect is not written (64): a link there to a root folder', async () => {
    const venv = await newVenv('nobody');
    const rootFolder = join(work, 'root-reports');
    mkdirSync(rootFolder, { mode: 0o700 });
    writeFileSync(join(rootFolder, 'report.json'), 'precious\n', { mode: 0o600 });
    const theirs = join(work, 'their-folder');
    mkdirSync(theirs);
    chownSync(theirs, NOBODY, NOBODY);
    symlinkSync(rootFolder, join(theirs, 'out'));
    lchownSync(join(theirs, 'out'), NOBODY, NOBODY);
    const r = await safePip(venv, ['--report', join(theirs, 'out', 'report.json'), 'quiet-widget']);
    expect(r.exitCode, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/pip's report was not written to .*: .*their-folder \(uid 65534\) can be changed by someone other than root/);
    expect(readFileSync(join(rootFolder, 'report.json'), 'utf8')).toBe('precious\n');
  });

  it('update-db with a cache folder another user controls (root with their XDG_CACHE_HOME) writes no file of root\'s through their link', async () => {
    const victimDir = join(work, 'victim-feed');
    mkdirSync(victimDir, { mode: 0o700 });
    const victim = join(victimDir, 'file');
    writeFileSync(victim, 'root-only\n', { mode: 0o600 });
    const theirCache = join(work, 'their-cache-home');
    mkdirSync(join(theirCache, 'safe-npm'), { recursive: true });
    spawnChown(theirCache);
    for (const name of ['malicious-pypi.failed.json', 'malicious-pypi.json']) {
      symlinkSync(victim, join(theirCache, 'safe-npm', name));
      lchownSync(join(theirCache, 'safe-npm', name), NOBODY, NOBODY);
    }
    const r = await runSafePip(sandbox, work, undefined, ['safe', 'update-db', '--url', 'http://127.0.0.1:9/feed.zip'], { env: { XDG_CACHE_HOME: theirCache } });
    // Refused before anything is downloaded or written (it was written safely, as a new file, before
    // root stopped using another user's cache folder at all).
    expect(r.exitCode, r.stderr).toBe(64);
    expect(r.stderr).toMatch(/root does not use the known-malicious feed in .*\(uid 65534\) can be changed by someone other than root, who could empty it; nothing was downloaded; unset XDG_CACHE_HOME/);
    expect(readFileSync(victim, 'utf8')).toBe('root-only\n');
  });
});

function spawnChown(dir: string): void {
  execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, dir]);
}

