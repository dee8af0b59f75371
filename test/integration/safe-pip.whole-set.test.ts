/**
 * safe-pip vets the whole set pip would install, and installs exactly what it vetted (issue 5):
 * dependency paths for transitive findings, already-installed packages not re-reported, the release
 * cooldown (top-level, transitive, exact pins, off switch), and a wheel re-published with other
 * bytes between check and install. Real pip 23.0.1 (and pip >= 26 from a local wheel when this
 * machine has one) in venvs owned by nobody, a local index on 127.0.0.1 with chosen upload times.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel, PYTHON, type BuiltDist } from '../helpers/python-dists.js';
import { makeTempDir } from '../helpers/projects.js';
import { newVenv } from '../helpers/venvs.js';
import { makeSandbox, repoRoot, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type IndexProject, type SimpleIndex } from '../helpers/simple-index.js';
import { existsSync } from 'node:fs';
import { runSafePip, sandboxStore, uploadedRecently } from '../helpers/pip-runs.js';

const canRun = existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));
const newPipWheel = (() => {
  if (process.env.SAFE_PIP_TEST_PIP_WHEEL) return process.env.SAFE_PIP_TEST_PIP_WHEEL;
  try {
    const found = readdirSync('/opt/pypi/files').filter((f) => /^pip-(2[6-9])[.\d]*-py3-none-any\.whl$/.test(f)).sort().at(-1);
    return found ? join('/opt/pypi/files', found) : undefined;
  } catch {
    return undefined;
  }
})();
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

let work: string;
let dists: string;
let index: SimpleIndex;
let sandbox: Sandbox;
const swapped: Record<string, BuiltDist> = {};

function old(name: string, versions: string[], extra: Partial<Parameters<typeof buildWheel>[1]> = {}, more: Partial<IndexProject> = {}): IndexProject {
  return {
    name,
    projectUrls: { Source: `https://example.invalid/${name}` },
    files: versions.map((version, i) => ({ dist: buildWheel(dists, { name, version, ...extra }), uploaded: daysAgo(400 - i * 50), requires: extra.requires })),
    ...more,
  };
}

function freeze(venv: string): string {
  return execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'freeze', '--all'], { env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null' } }).toString();
}

const safePip = (venv: string, args: string[], env: Record<string, string | undefined> = {}) => runSafePip(sandbox, work, venv, args, { env });
const storeOf = () => sandboxStore(sandbox);

describe.skipIf(!canRun)('safe-pip: the whole set, the cooldown, what installs', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-whole-');
    dists = join(work, 'dists');
    mkdirSync(dists);
    mkdirSync(join(work, 'cache'));
    chmodSync(work, 0o755);
    sandbox = await makeSandbox();
    const other = join(work, 'other');
    mkdirSync(other);
    swapped.pip23 = buildWheel(other, { name: 'swap-me', version: '1.0', files: { 'swap_me/__init__.py': 'EVIL = True\n' } });
    swapped.pip26 = buildWheel(other, { name: 'swap-new', version: '1.0', files: { 'swap_new/__init__.py': 'EVIL = True\n' } });
    const fresh = old('fresh-lib', ['1.0', '1.1']);
    fresh.files.push({ dist: buildWheel(dists, { name: 'fresh-lib', version: '1.2' }), uploaded: hoursAgo(5) });
    index = await startSimpleIndex([
      old('top-app', ['1.0', '1.1', '1.2'], { requires: ['reqeusts>=1.0'] }),
      old('second-app', ['1.0', '1.1', '1.2'], { requires: ['reqeusts'] }),
      uploadedRecently(old('reqeusts', ['1.0', '1.1', '1.2'])),
      fresh,
      old('uses-fresh', ['1.0', '1.1', '1.2'], { requires: ['fresh-lib>=1.0'] }),
      old('swap-me', ['0.9', '1.0']),
      old('swap-new', ['0.9', '1.0'], {}, { coreMetadata: true }),
    ]);
    execFileSync('chmod', ['-R', 'a+rX', work]);
  }, 240_000);

  afterAll(async () => {
    await index?.close();
    await sandbox?.cleanup();
  });

  it('catches a look-alike dependency of a clean package and names the path to it', async () => {
    const venv = await newVenv();
    const before = freeze(venv);
    const r = await safePip(venv, ['install', '-i', index.url, 'top-app']);
    expect(r.exitCode, r.stderr).toBe(65);
    expect(r.stderr).toContain('reqeusts==1.2 (via top-app > reqeusts)');
    expect(r.stderr).toContain('requests');
    expect(freeze(venv)).toBe(before);
  });

  it('does not report again what is already installed (a trusted look-alike, then untrusted)', async () => {
    const venv = await newVenv();
    const store = await storeOf();
    store.trust('pypi', 'reqeusts');
    const first = await safePip(venv, ['install', '-i', index.url, 'top-app']);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain('reqeusts');
    store.untrust('pypi', 'reqeusts');
    // second-app needs reqeusts too: pip's set is only what is new, so it is not checked again.
    const second = await safePip(venv, ['install', '-i', index.url, 'second-app']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('reqeusts');
    expect(freeze(venv)).toMatch(/second-app==1\.2[\s\S]*top-app==1\.2/);
  });

  it('release cooldown: a fresh release resolves to the previous version, top-level and transitive, and says so', async () => {
    const venv = await newVenv();
    const top = await safePip(venv, ['install', '-i', index.url, 'fresh-lib']);
    expect(top.exitCode, top.stderr).toBe(0);
    expect(top.stderr).toContain('fresh-lib==1.2 is 5 hours old; installing 1.1');
    expect(freeze(venv)).toContain('fresh-lib==1.1');

    const venv2 = await newVenv();
    const dep = await safePip(venv2, ['install', '-i', index.url, 'uses-fresh']);
    expect(dep.exitCode, dep.stderr).toBe(0);
    expect(dep.stderr).toContain('fresh-lib==1.2 is 5 hours old; installing 1.1');
    expect(freeze(venv2)).toMatch(/fresh-lib==1\.1[\s\S]*uses-fresh==1\.2/);
  });

  it('release cooldown: an exact pin younger than the cooldown is a warn naming its age; --safe-yes installs it; 0 turns the cooldown off', async () => {
    const venv = await newVenv();
    const before = freeze(venv);
    const pinned = await safePip(venv, ['install', '-i', index.url, 'fresh-lib==1.2']);
    expect(pinned.exitCode, pinned.stderr).toBe(66);
    expect(pinned.stderr).toMatch(/fresh-lib==1\.2 is 5 hours old/);
    expect(freeze(venv)).toBe(before);
    const yes = await safePip(venv, ['install', '-i', index.url, 'fresh-lib==1.2', '--safe-yes']);
    expect(yes.exitCode, yes.stderr).toBe(0);
    expect(freeze(venv)).toContain('fresh-lib==1.2');

    const venv2 = await newVenv();
    const off = await safePip(venv2, ['install', '-i', index.url, 'fresh-lib', '--safe-yes'], { SAFE_PIP_MIN_RELEASE_AGE_HOURS: '0' });
    expect(off.exitCode, off.stderr).toBe(0);
    expect(off.stderr).not.toContain('installing 1.1');
    expect(freeze(venv2)).toContain('fresh-lib==1.2');
  });

  it.skipIf(!newPipWheel)('release cooldown on pip >= 26: the same guard keeps the fresh release out', async () => {
    const venv = await newVenv('nobody', [newPipWheel!]);
    const r = await safePip(venv, ['install', '-i', index.url, 'uses-fresh']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('fresh-lib==1.2 is 5 hours old; installing 1.1');
    expect(freeze(venv)).toContain('fresh-lib==1.1');
  });

  it('a wheel re-published with other bytes after the check: the vetted bytes install (pip 23 kept them)', async () => {
    const venv = await newVenv();
    let seen = false;
    index.onRequest = (path) => {
      if (!seen && path.endsWith('/swap_me-1.0-py3-none-any.whl')) {
        seen = true;
        setImmediate(() => index.swap('swap_me-1.0-py3-none-any.whl', swapped.pip23!));
      }
    };
    try {
      const r = await safePip(venv, ['install', '-i', index.url, 'swap-me']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(seen).toBe(true);
      const site = readdirSync(join(venv, 'lib')).map((d) => join(venv, 'lib', d, 'site-packages'))[0]!;
      expect(readFileSync(join(site, 'swap_me', '__init__.py'), 'utf8')).not.toContain('EVIL');
    } finally {
      index.onRequest = undefined;
    }
  });

  it.skipIf(!newPipWheel)('a wheel re-published with other bytes between resolve and download: pip stops on the hash, nothing installed (pip >= 26, PEP 658)', async () => {
    const venv = await newVenv('nobody', [newPipWheel!]);
    const before = freeze(venv);
    let swappedAt = '';
    index.onRequest = (path) => {
      if (!swappedAt && path.endsWith('/swap_new-1.0-py3-none-any.whl.metadata')) {
        swappedAt = path;
        setImmediate(() => index.swap('swap_new-1.0-py3-none-any.whl', swapped.pip26!));
      }
    };
    try {
      const r = await safePip(venv, ['install', '-i', index.url, 'swap-new']);
      expect(swappedAt, 'pip resolved from the core metadata').not.toBe('');
      // The index served other bytes than it listed: named in one line, could not verify (issue 14).
      expect(r.exitCode, r.stderr).toBe(68);
      expect(r.stderr).toMatch(/the index http:\/\/127\.0\.0\.1:\d+\/ served a file whose sha256 differs from the one the index lists \(swap_new-1\.0-py3-none-any\.whl\)/);
      expect(r.stderr).toContain('nothing was installed');
      expect(freeze(venv)).toBe(before);
    } finally {
      index.onRequest = undefined;
    }
  });
});
