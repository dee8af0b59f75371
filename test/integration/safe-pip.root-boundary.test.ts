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
import { makeSandbox, repoRoot, type Sandbox } from '../helpers/run-bin.js';
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
    const ran = readdirSync(markers).filter((m) => m.startsWith('list-as-'));
    expect(ran.length, 'the hook ran').toBeGreaterThan(0);
    expect(ran.filter((m) => m.startsWith('list-as-0-'))).toEqual([]);
  });
});
