/**
 * bin/safe-pip (as root) → the real pip of a venv owned by `nobody` (/usr/bin/python3 -m venv) →
 * a local index on 127.0.0.1 serving wheels and sdists built by the test. Proven on disk: markers
 * written by sdist build backends (absent unless vetted; owned by nobody when vetted), `pip freeze`
 * before/after, file owners.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSdist, buildWheel, PYTHON, type BuiltDist } from '../helpers/python-dists.js';
import { makeTempDir } from '../helpers/projects.js';
import { newVenv } from '../helpers/venvs.js';
import { makeSandbox, repoRoot, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type IndexProject, type SimpleIndex } from '../helpers/simple-index.js';
import { runSafePip, sandboxStore, uploadedRecently } from '../helpers/pip-runs.js';

const NOBODY = 65534;
const canRun = existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));

let work: string;
let dists: string;
let indexA: SimpleIndex;
let indexB: SimpleIndex;
const markers = { srcdep: '', direct: '' };
let directSdist: BuiltDist;

function oldWheels(name: string, versions: string[], extra: Partial<Parameters<typeof buildWheel>[1]> = {}): IndexProject {
  return {
    name,
    projectUrls: { Source: `https://example.invalid/${name}` },
    files: versions.map((version, i) => ({ dist: buildWheel(dists, { name, version, ...extra }), uploaded: daysAgo(400 - i * 50) })),
  };
}

function freeze(venv: string): string {
  return execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'freeze', '--all'], { env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null' } }).toString();
}

let sandbox: Sandbox;

const safePip = (venv: string, args: string[], env: Record<string, string | undefined> = {}) => runSafePip(sandbox, work, venv, args, { env });
const storeOf = () => sandboxStore(sandbox);

describe.skipIf(!canRun)('safe-pip with a local index', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-work-');
    dists = join(work, 'dists');
    mkdirSync(dists);
    mkdirSync(join(work, 'cache'));
    chmodSync(work, 0o755);
    markers.srcdep = join(work, 'markers', 'srcdep');
    markers.direct = join(work, 'markers', 'direct');
    mkdirSync(join(work, 'markers'), { mode: 0o777 });
    chmodSync(join(work, 'markers'), 0o777);
    sandbox = await makeSandbox();

    const srcdep: IndexProject = {
      name: 'srcdep',
      projectUrls: { Source: 'https://example.invalid/srcdep' },
      files: ['1.0', '1.1', '1.2'].map((version, i) => ({ dist: buildSdist(dists, { name: 'srcdep', version, marker: markers.srcdep }), uploaded: daysAgo(400 - i * 50) })),
    };
    const directDir = join(work, 'direct');
    mkdirSync(directDir);
    directSdist = buildSdist(directDir, { name: 'directpkg', version: '0.1', marker: markers.direct });
    indexA = await startSimpleIndex([
      oldWheels('quiet-widget', ['1.0', '1.1', '1.2']),
      oldWheels('app-wheel', ['1.0', '1.1', '1.2'], { requires: ['srcdep'] }),
      srcdep,
      oldWheels('internal-tool', ['0.9', '1.0', '1.1']),
      uploadedRecently(oldWheels('reqeusts', ['1.0', '1.1', '1.2'])),
      oldWheels('pth-pkg', ['1.0', '1.1', '1.2'], { files: { 'pth_pkg/__init__.py': '', 'zz_evil.pth': 'import os; os.system("touch /tmp/pwned")\n' } }),
    ]);
    indexB = await startSimpleIndex([oldWheels('internal-tool', ['99.0'])]);
    execFileSync('chmod', ['-R', 'a+rX', work]);
  }, 240_000);

  afterAll(async () => {
    await indexA?.close();
    await indexB?.close();
    await sandbox?.cleanup();
  });

  it('passes non-install commands straight to the real pip (same output, same exit code)', async () => {
    const venv = await newVenv();
    const real = execFileSync(join(venv, 'bin', 'pip'), ['--version']).toString();
    const ours = await safePip(venv, ['--version']);
    expect(ours.exitCode).toBe(0);
    expect(ours.stdout).toBe(real);
    const missing = await safePip(venv, ['show', 'no-such-package-here']);
    expect(missing.exitCode).toBe(1);
  });

  it('installs a clean wheel as the venv owner, pinned and hash-checked', async () => {
    const venv = await newVenv();
    const r = await safePip(venv, ['install', '-i', indexA.url, 'quiet-widget']);
    expect(r.stderr).not.toContain('internal error');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(freeze(venv)).toContain('quiet-widget==1.2');
    const site = readdirSync(join(venv, 'lib')).map((d) => join(venv, 'lib', d, 'site-packages'))[0]!;
    expect(statSync(join(site, 'quiet_widget')).uid).toBe(NOBODY);
    expect(statSync(join(site, 'quiet_widget-1.2.dist-info', 'RECORD')).uid).toBe(NOBODY);
  });

  it('withholds the build of a source-only dependency of a wheel, then builds it as the owner once approved', async () => {
    const venv = await newVenv();
    const before = freeze(venv);
    const r = await safePip(venv, ['install', '-i', indexA.url, 'app-wheel', '--safe-yes']);
    expect(r.exitCode, r.stderr).toBe(67);
    expect(r.stderr).toMatch(/srcdep.*needs a build/);
    expect(existsSync(markers.srcdep)).toBe(false);
    expect(freeze(venv)).toBe(before);

    const store = await storeOf();
    store.recordScriptDecision('pypi', { decision: 'allow', key: 'srcdep@1.2', at: new Date().toISOString() });
    const ok = await safePip(venv, ['install', '-i', indexA.url, 'app-wheel']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(statSync(markers.srcdep).uid).toBe(NOBODY);
    expect(readFileSync(markers.srcdep, 'utf8').trim().split('\n').every((l) => l === String(NOBODY))).toBe(true);
    expect(freeze(venv)).toMatch(/app-wheel==1\.2[\s\S]*srcdep==1\.2/);
    store.removeScriptDecision('pypi', 'srcdep@1.2');
  });

  it('never runs a direct-reference sdist given through -r (combined -Ur) without approval', async () => {
    const venv = await newVenv();
    const before = freeze(venv);
    const req = join(work, 'req-direct.txt');
    writeFileSync(req, `--index-url ${indexA.url}\nquiet-widget\ndirectpkg @ file://${directSdist.path}\n`);
    chmodSync(req, 0o644);
    const r = await safePip(venv, ['install', '-Ur', req]);
    expect(r.exitCode, r.stderr).toBe(67);
    expect(r.stderr).toContain('directpkg');
    expect(existsSync(markers.direct)).toBe(false);
    expect(freeze(venv)).toBe(before);
  });

  it('blocks a name offered by two indexes, naming both and their versions', async () => {
    const venv = await newVenv();
    const before = freeze(venv);
    const r = await safePip(venv, ['install', '-i', indexA.url, '--extra-ind', indexB.url, 'internal-tool']);
    expect(r.exitCode, r.stderr).toBe(65);
    expect(r.stderr).toContain(indexA.url);
    expect(r.stderr).toContain(indexB.url);
    expect(r.stderr).toContain('99.0');
    expect(freeze(venv)).toBe(before);
  });

  it('blocks a wheel that ships a .pth running code; nothing installed', async () => {
    const venv = await newVenv();
    const before = freeze(venv);
    const r = await safePip(venv, ['install', '-i', indexA.url, 'pth-pkg']);
    expect(r.exitCode, r.stderr).toBe(65);
    expect(r.stderr).toContain('zz_evil.pth');
    expect(freeze(venv)).toBe(before);
  });

  it('blocks a typosquat and suggests the real name', async () => {
    const venv = await newVenv();
    const r = await safePip(venv, ['install', '-i', indexA.url, 'reqeusts']);
    expect(r.exitCode, r.stderr).toBe(65);
    expect(r.stderr).toContain('requests');
  });

  it('refuses a root-owned venv and --user as root with a one-line way out', async () => {
    const venv = await newVenv('root');
    const r = await safePip(venv, ['install', '-i', indexA.url, 'quiet-widget']);
    expect(r.exitCode).toBe(65);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/owned by root.*chown/);
    const u = await safePip(venv, ['install', '--user', 'quiet-widget']);
    expect(u.exitCode).toBe(65);
    expect(u.stderr).toMatch(/--user/);
  });
});
