/**
 * The interactive path, in a real terminal: tmux runs safe-npm, the test reads the screen and
 * answers the prompt like a person would. Picking the did-you-mean installs the popular package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, makeTempDir } from '../helpers/projects.js';
import { makeSandbox, repoRoot, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { startVerdaccio, type VerdaccioServer } from '../helpers/verdaccio.js';

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();

const old = new Date(Date.now() - 500 * 86_400_000);
let registry: VerdaccioServer;
let sandbox: Sandbox;
const session = `safe-npm-tty-${process.pid}`;

beforeAll(async () => {
  const pkg = (name: string) => ['1.0.0', '1.1.0', '1.2.0'].map((version) => ({
    name, version, publishedAt: old, packageJson: { description: name, repository: `https://example.invalid/${name}` },
  }));
  registry = await startVerdaccio({ packages: [...pkg('lodash'), ...pkg('lodahs')] });
  sandbox = await makeSandbox({ registry: registry.url });
});

afterAll(async () => {
  try {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  } catch { /* already gone */ }
  await registry?.stop();
});

const screen = () => execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });

async function waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; screen:\n${text}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe.skipIf(!hasTmux)('safe-npm in a terminal', () => {
  it('shows the report, asks, and installs the did-you-mean instead', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const cacheRoot = await makeTempDir('safe-npm-cacheroot-');
    const env = { ...sandbox.env, PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, TERM: 'xterm-256color' };
    delete (env as Record<string, string>).CI;
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    execFileSync('tmux', [
      'new-session', '-d', '-s', session, '-x', '160', '-y', '40', '-c', project,
      'env', '-i', ...envArgs, 'sh', '-c', `${process.execPath} ${join(repoRoot, 'bin/safe-npm.js')} install lodahs; echo "EXIT=$?"; sleep 30`,
    ]);
    const asked = await waitFor(/what should happen\?/);
    expect(asked).toContain('looks like the popular package "lodash"');
    expect(asked).toContain('Install "lodash" instead');
    execFileSync('tmux', ['send-keys', '-t', session, 'Enter']);
    const done = await waitFor(/EXIT=\d+/, 60_000);
    expect(done).toMatch(/EXIT=0/);
    expect(existsSync(join(project, 'node_modules/lodash/package.json'))).toBe(true);
    expect(existsSync(join(project, 'node_modules/lodahs'))).toBe(false);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).toEqual({ lodash: '^1.2.0' });
  });
});
