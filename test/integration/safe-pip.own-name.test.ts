/**
 * Every command safe-pip advises names it as the user typed it (issue 9, pip side): through the
 * shims (shims/ first on PATH, as `safe setup` or a PATH install leaves it) the advice says
 * `pip3 safe …` / `python3 -m pip safe …`, and following it through the shim works — safe-pip
 * itself need not be on PATH; run directly, the same advice says `safe-pip safe …`. Real pip 23.0.1
 * in a venv owned by nobody, a local index on 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { establishedProject, runSafePip, uploadedRecently } from '../helpers/pip-runs.js';
import { makeTempDir } from '../helpers/projects.js';
import { PYTHON } from '../helpers/python-dists.js';
import { makeSandbox, repoRoot, runTool, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { startSimpleIndex, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';

const canRun = existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));

let work: string;
let index: SimpleIndex;
const sandboxes: Sandbox[] = [];

function freeze(venv: string): string {
  return execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'freeze', '--all'], { env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null' } }).toString();
}

/** A new sandbox (its own per-user store): each scenario trusts on its own. */
async function sandbox(): Promise<Sandbox> {
  const s = await makeSandbox();
  sandboxes.push(s);
  return s;
}

/** What the user types (`pip3 …`, `python3 -m pip …`) with the shims first on PATH, then the venv; no safe-pip on PATH. */
function typed(s: Sandbox, venv: string, line: string) {
  const [file, ...args] = line.split(' ');
  return runTool(file!, args, {
    cwd: work,
    sandbox: s,
    timeoutMs: 120_000,
    env: { PATH: `${join(repoRoot, 'shims')}:${join(venv, 'bin')}:${s.env.PATH}`, SAFE_PIP_CACHE_ROOT: join(work, 'cache') },
  });
}

/** The command a stop advises (after "run: "), as printed. */
function advised(stderr: string): string {
  const m = stderr.match(/run: ((?:\S+ )+?safe trust \S+)/);
  expect(m, stderr).not.toBeNull();
  return m![1]!;
}

describe.skipIf(!canRun)('safe-pip names itself as the user typed it', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-own-name-');
    const dists = join(work, 'dists');
    mkdirSync(dists);
    mkdirSync(join(work, 'cache'));
    chmodSync(work, 0o755);
    index = await startSimpleIndex([uploadedRecently(establishedProject(dists, 'reqeusts'))]);
    execFileSync('chmod', ['-R', 'a+rX', work]);
  }, 240_000);

  afterAll(async () => {
    await index?.close();
    for (const s of sandboxes) await s.cleanup();
  });

  /**
   * `<pip> install reqeusts` through the shim stops (65) advising `<pip> safe trust reqeusts`; that
   * command, typed through the shim, trusts it; the same install then goes through.
   */
  async function stopTrustInstall(pip: string): Promise<{ s: Sandbox; venv: string }> {
    const s = await sandbox();
    const venv = await newVenv();
    const install = `${pip} install -i ${index.url} reqeusts`;
    const stopped = await typed(s, venv, install);
    expect(stopped.exitCode, stopped.stderr).toBe(65);
    expect(stopped.stderr).not.toContain('safe-pip safe');
    const advice = advised(stopped.stderr);
    expect(advice).toBe(`${pip} safe trust reqeusts`);
    const trust = await typed(s, venv, advice);
    expect(trust.exitCode, trust.stderr).toBe(0);
    expect(trust.stdout).toBe('trusted reqeusts\n');
    const again = await typed(s, venv, install);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(freeze(venv)).toContain('reqeusts==1.2');
    return { s, venv };
  }

  it('through shims/pip3: a look-alike stop advises `pip3 safe trust reqeusts`; following it through the shim, the rerun installs', async () => {
    const { s, venv } = await stopTrustInstall('pip3');
    const list = await typed(s, venv, 'pip safe list');
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toContain('reqeusts');
    // The known-malicious notice (no feed in this sandbox) names the command as typed too.
    const check = await typed(s, venv, 'pip3 safe check --offline requests');
    expect(check.stdout).toContain('no known-malicious feed yet');
    expect(check.stdout).toContain('run: pip3 safe update-db');
  });

  it('through shims/python3: `python3 -m pip install` advises `python3 -m pip safe trust`, which works through the shim', async () => {
    await stopTrustInstall('python3 -m pip');
  });

  it('run directly, the same stop advises `safe-pip safe trust reqeusts`', async () => {
    const s = await sandbox();
    const venv = await newVenv();
    const stopped = await runSafePip(s, work, venv, ['install', '-i', index.url, 'reqeusts']);
    expect(stopped.exitCode, stopped.stderr).toBe(65);
    expect(advised(stopped.stderr)).toBe('safe-pip safe trust reqeusts');
  });
});
