/**
 * `pip lock` (pip >= 25.1) resolves and builds sdists like `pip download`, so safe-pip intercepts it
 * (the shim routes it, safe-pip vets it, then runs the user's `pip lock` under the build guard with
 * only vetted builds allowed). On a pip without `lock` (23.0.1 here) it is pip's own usage error,
 * passed through. The newer pip comes from a local wheel when this machine has one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSdist, buildWheel, PYTHON } from '../helpers/python-dists.js';
import { makeTempDir } from '../helpers/projects.js';
import { makeSandbox, repoRoot, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';
import { runSafePip, establishedProject } from '../helpers/pip-runs.js';

const NOBODY = 65534;
const canRun = existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));
/** A pip >= 25.1 wheel on this machine (SAFE_PIP_TEST_PIP_WHEEL, or root's local wheel index). */
const newPipWheel = (() => {
  if (process.env.SAFE_PIP_TEST_PIP_WHEEL) return process.env.SAFE_PIP_TEST_PIP_WHEEL;
  const dir = '/opt/pypi/files';
  try {
    const found = readdirSync(dir).filter((f) => /^pip-(2[6-9]|25\.[1-9])[.\d]*-py3-none-any\.whl$/.test(f)).sort().at(-1);
    return found ? join(dir, found) : undefined;
  } catch {
    return undefined;
  }
})();

let work: string;
let index: SimpleIndex;
let sandbox: Sandbox;

const safePip = (venv: string, args: string[], cwd: string) => runSafePip(sandbox, work, venv, args, { cwd });

async function nobodyDir(): Promise<string> {
  const d = await makeTempDir('safe-pip-lock-out-');
  execFileSync('chown', [`${NOBODY}:${NOBODY}`, d]);
  return d;
}

describe.skipIf(!canRun)('safe-pip lock', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-lock-');
    const dists = join(work, 'dists');
    mkdirSync(dists);
    mkdirSync(join(work, 'cache'));
    mkdirSync(join(work, 'markers'), { mode: 0o777 });
    chmodSync(join(work, 'markers'), 0o777);
    const old = (name: string, extra: Partial<Parameters<typeof buildWheel>[1]> = {}) => establishedProject(dists, name, extra);
    index = await startSimpleIndex([
      old('quiet-widget'),
      old('app-wheel', { requires: ['srcdep'] }),
      {
        name: 'srcdep',
        projectUrls: { Source: 'https://example.invalid/srcdep' },
        files: ['1.0', '1.1', '1.2'].map((version, i) => ({ dist: buildSdist(dists, { name: 'srcdep', version, marker: join(work, 'markers', 'srcdep') }), uploaded: daysAgo(400 - i * 50) })),
      },
    ]);
    sandbox = await makeSandbox();
    execFileSync('chmod', ['-R', 'a+rX', work]);
  }, 120_000);

  afterAll(async () => {
    await index?.close();
    await sandbox?.cleanup();
  });

  it('on pip 23.0.1 (no lock command): exactly what the real pip does', async () => {
    const venv = await newVenv();
    const out = await nobodyDir();
    const real = spawnSync(join(venv, 'bin', 'pip'), ['lock', 'quiet-widget'], { env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null' }, encoding: 'utf8' });
    const ours = await safePip(venv, ['lock', 'quiet-widget'], out);
    expect(ours.exitCode).toBe(real.status);
    expect(ours.stderr).toContain('unknown command "lock"');
  });

  it.skipIf(!newPipWheel)('on pip >= 25.1: withholds an unvetted build (no lock file, no code ran), locks a clean set as the folder owner', async () => {
    const venv = await newVenv('nobody', [newPipWheel!]);
    const out = await nobodyDir();
    const withheld = await safePip(venv, ['lock', '-i', index.url, 'app-wheel'], out);
    expect(withheld.exitCode, withheld.stderr).toBe(67);
    expect(withheld.stderr).toMatch(/srcdep.*needs a build/);
    expect(existsSync(join(work, 'markers', 'srcdep'))).toBe(false);
    expect(existsSync(join(out, 'pylock.toml'))).toBe(false);

    const ok = await safePip(venv, ['lock', '-i', index.url, 'quiet-widget'], out);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(statSync(join(out, 'pylock.toml')).uid).toBe(NOBODY);
    expect(readFileSync(join(out, 'pylock.toml'), 'utf8')).toMatch(/name = "quiet-widget"[\s\S]*version = "1\.2"/);
  });
});
