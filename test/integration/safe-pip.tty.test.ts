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
import { makeSandbox, repoRoot, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type IndexProject, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
const canRun = hasTmux && existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));

let work: string;
let index: SimpleIndex;
let sandbox: Sandbox;
const session = `safe-pip-tty-${process.pid}`;

function freeze(venv: string): string {
  return execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'freeze', '--all'], { env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null' } }).toString();
}

const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-J', '-S', '-200', '-t', session], { encoding: 'utf8' });

async function waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; screen:\n${text}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

function startInTmux(venv: string, args: string[]): void {
  const env: Record<string, string> = { ...sandbox.env, PATH: `${join(venv, 'bin')}:${SYSTEM_PATH}`, SAFE_PIP_CACHE_ROOT: join(work, 'cache'), TERM: 'xterm-256color' };
  delete env.CI;
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  execFileSync('tmux', [
    'new-session', '-d', '-s', session, '-x', '200', '-y', '50', '-c', work,
    'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    'sh', '-c', `${process.execPath} ${join(repoRoot, 'bin/safe-pip.js')} ${quoted}; echo "EXIT=$?"; sleep 60`,
  ]);
}

describe.skipIf(!canRun)('safe-pip in a terminal', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-tty-');
    const dists = join(work, 'dists');
    mkdirSync(dists);
    mkdirSync(join(work, 'cache'));
    mkdirSync(join(work, 'markers'), { mode: 0o777 });
    chmodSync(join(work, 'markers'), 0o777);
    const old = (name: string, extra: Partial<Parameters<typeof buildWheel>[1]> = {}): IndexProject => ({
      name,
      projectUrls: { Source: `https://example.invalid/${name}` },
      files: ['1.0', '1.1', '1.2'].map((version, i) => ({ dist: buildWheel(dists, { name, version, ...extra }), uploaded: daysAgo(400 - i * 50) })),
    });
    index = await startSimpleIndex([
      old('requests'),
      old('reqeusts'),
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

  afterEach(() => {
    try {
      execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    } catch { /* already gone */ }
  });

  afterAll(async () => {
    await index?.close();
    await sandbox?.cleanup();
  });

  it('shows the report, asks, and installs the did-you-mean instead', async () => {
    const venv = await newVenv();
    startInTmux(venv, ['install', '-i', index.url, 'reqeusts']);
    const asked = await waitFor(/what should happen\?/);
    expect(asked).toMatch(/reqeusts[\s\S]*block[\s\S]*requests/);
    expect(asked).toContain('Install "requests" instead');
    execFileSync('tmux', ['send-keys', '-t', session, 'Enter']);
    const done = await waitFor(/EXIT=\d+/, 60_000);
    expect(done).toMatch(/EXIT=0/);
    const frozen = freeze(venv);
    expect(frozen).toContain('requests==1.2');
    expect(frozen).not.toContain('reqeusts');
  });

  it('asks before a source build; "yes" builds it as the venv owner and installs', async () => {
    const venv = await newVenv();
    startInTmux(venv, ['install', '-i', index.url, 'app-wheel']);
    const asked = await waitFor(/Build srcdep==1\.2 now, running its code as nobody\?/);
    expect(asked).toContain('needs a build: runs its code');
    expect(existsSync(join(work, 'markers', 'srcdep'))).toBe(false);
    execFileSync('tmux', ['send-keys', '-t', session, 'y', 'Enter']);
    const done = await waitFor(/EXIT=\d+/, 60_000);
    expect(done).toMatch(/EXIT=0/);
    expect(statSync(join(work, 'markers', 'srcdep')).uid).toBe(65534);
    expect(freeze(venv)).toMatch(/app-wheel==1\.2[\s\S]*srcdep==1\.2/);
  });
});
