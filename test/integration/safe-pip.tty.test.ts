/**
 * safe-pip's interactive path in a real terminal (tmux): the report and the prompt appear, picking
 * the did-you-mean installs the popular project instead; a build prompt answered "yes" builds the
 * source-only dependency as the venv owner (marker stat'ed).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildSdist, buildWheel, PYTHON } from '../helpers/python-dists.js';
import { makeTempDir } from '../helpers/projects.js';
import { hasTmux, startTerminal, type Terminal } from '../helpers/tmux.js';
import { makeSandbox, repoRoot, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';
import { establishedProject, uploadedRecently } from '../helpers/pip-runs.js';

const canRun = hasTmux && existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));

let work: string;
let index: SimpleIndex;
let sandbox: Sandbox;

function freeze(venv: string): string {
  return execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'freeze', '--all'], { env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null' } }).toString();
}

let terminal: Terminal | undefined;

function startInTmux(venv: string, args: string[]): Terminal {
  terminal = startTerminal({
    cwd: work,
    env: { ...sandbox.env, PATH: `${join(venv, 'bin')}:${SYSTEM_PATH}`, SAFE_PIP_CACHE_ROOT: join(work, 'cache') },
    argv: [process.execPath, join(repoRoot, 'bin/safe-pip.js'), ...args],
    width: 200,
  });
  return terminal;
}

describe.skipIf(!canRun)('safe-pip in a terminal', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-tty-');
    const dists = join(work, 'dists');
    mkdirSync(dists);
    mkdirSync(join(work, 'cache'));
    mkdirSync(join(work, 'markers'), { mode: 0o777 });
    chmodSync(join(work, 'markers'), 0o777);
    const old = (name: string, extra: Partial<Parameters<typeof buildWheel>[1]> = {}) => establishedProject(dists, name, extra);
    index = await startSimpleIndex([
      old('requests'),
      uploadedRecently(old('reqeusts')),
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

  afterEach(() => terminal?.close());

  afterAll(async () => {
    await index?.close();
    await sandbox?.cleanup();
  });

  it('shows the report, asks, and installs the did-you-mean instead', async () => {
    const venv = await newVenv();
    const t = startInTmux(venv, ['install', '-i', index.url, 'reqeusts']);
    const asked = await t.waitFor(/what should happen\?/);
    expect(asked).toMatch(/reqeusts[\s\S]*block[\s\S]*requests/);
    expect(asked).toContain('Install "requests" instead');
    t.keys('Enter');
    const done = await t.waitFor(/EXIT=\d+/, 60_000);
    expect(done).toMatch(/EXIT=0/);
    const frozen = freeze(venv);
    expect(frozen).toContain('requests==1.2');
    expect(frozen).not.toContain('reqeusts');
  });

  it('asks before a source build; "yes" builds it as the venv owner and installs', async () => {
    const venv = await newVenv();
    const t = startInTmux(venv, ['install', '-i', index.url, 'app-wheel']);
    const asked = await t.waitFor(/Build srcdep==1\.2 now, running its code as nobody\?/);
    expect(asked).toContain('needs a build: runs its code');
    expect(existsSync(join(work, 'markers', 'srcdep'))).toBe(false);
    t.keys('y', 'Enter');
    const done = await t.waitFor(/EXIT=\d+/, 60_000);
    expect(done).toMatch(/EXIT=0/);
    expect(statSync(join(work, 'markers', 'srcdep')).uid).toBe(65534);
    expect(freeze(venv)).toMatch(/app-wheel==1\.2[\s\S]*srcdep==1\.2/);
  });
});
