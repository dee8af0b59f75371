/**
 * The interactive path, in a real terminal: tmux runs safe-npm, the test reads the screen and
 * answers the prompt like a person would. Picking the did-you-mean installs the popular package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, makeTempDir, snapshotProject } from '../helpers/projects.js';
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
let session = `safe-npm-tty-${process.pid}`;

beforeAll(async () => {
  const pkg = (name: string) => ['1.0.0', '1.1.0', '1.2.0'].map((version) => ({
    name, version, publishedAt: old, packageJson: { description: name, repository: `https://example.invalid/${name}` },
  }));
  const scripted = ['1.0.0', '1.1.0', '1.2.0'].map((version) => ({
    name: 'tty-scripted', version, publishedAt: old,
    packageJson: { description: 's', repository: 'https://example.invalid/s', scripts: { postinstall: 'node mark.js' } },
    files: { 'mark.js': "require('fs').writeFileSync('marker', String(process.getuid()));\n" },
  }));
  const swappable = pkg('swap-me').map((p) => ({ ...p, deprecated: 'use something else', files: { 'index.js': 'module.exports = "vetted";\n' } }));
  registry = await startVerdaccio({ packages: [...pkg('lodash'), ...pkg('lodahs'), ...scripted, ...swappable] });
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

  it('shows an install script with its file, approves it at the checkbox, runs it, and remembers', async () => {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    session = `${session}-scripts`;
    const project = await makeProject({ owner: 'nobody' });
    const cacheRoot = await makeTempDir('safe-npm-cacheroot-');
    const env = { ...sandbox.env, PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, TERM: 'xterm-256color' };
    delete (env as Record<string, string>).CI;
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    execFileSync('tmux', [
      'new-session', '-d', '-s', session, '-x', '160', '-y', '50', '-c', project,
      'env', '-i', ...envArgs, 'sh', '-c', `${process.execPath} ${join(repoRoot, 'bin/safe-npm.js')} install tty-scripted; echo "EXIT=$?"; sleep 30`,
    ]);
    const asked = await waitFor(/Approve install scripts/);
    expect(asked).toContain('tty-scripted@1.2.0');
    expect(asked).toContain('postinstall: node mark.js');
    expect(asked).toContain("require('fs').writeFileSync('marker'");
    execFileSync('tmux', ['send-keys', '-t', session, 'Space']);
    execFileSync('tmux', ['send-keys', '-t', session, 'Enter']);
    await waitFor(/Grant network access/);
    execFileSync('tmux', ['send-keys', '-t', session, 'Enter']);
    const done = await waitFor(/EXIT=\d+/, 60_000);
    expect(done).toMatch(/EXIT=0/);
    expect(readFileSync(join(project, 'node_modules/tty-scripted/marker'), 'utf8')).toBe('65534');
    // Remembered: the approval is in the per-user store.
    const config = JSON.parse(readFileSync(join(sandbox.env.XDG_CONFIG_HOME!, 'safe-npm', 'config.json'), 'utf8'));
    expect(config.scripts['npm:tty-scripted@1.2.0']).toMatchObject({ decision: 'allow' });
  });

  it('a tarball re-published between the check and the install stops the install; nothing changes', async () => {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    session = `${session}-swap`;
    const project = await makeProject({ owner: 'nobody' });
    const before = await snapshotProject(project);
    // A cache that never saw the vetted tarball: npm's engine must download it, and compare.
    const cacheRoot = await makeTempDir('safe-npm-cacheroot-');
    const env = { ...sandbox.env, PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, TERM: 'xterm-256color' };
    delete (env as Record<string, string>).CI;
    const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    execFileSync('tmux', [
      'new-session', '-d', '-s', session, '-x', '160', '-y', '50', '-c', project,
      'env', '-i', ...envArgs, 'sh', '-c', `${process.execPath} ${join(repoRoot, 'bin/safe-npm.js')} install swap-me; echo "EXIT=$?"; sleep 30`,
    ]);
    // The prompt (a deprecation) sits between the vetting and the install: swap the bytes there.
    await waitFor(/what should happen\?/);
    await registry.replaceTarball('swap-me', '1.2.0', { 'index.js': 'module.exports = "evil";\n' });
    execFileSync('tmux', ['send-keys', '-t', session, 'Down']); // Skip → Install anyway
    execFileSync('tmux', ['send-keys', '-t', session, 'Enter']);
    const done = await waitFor(/EXIT=\d+/, 60_000);
    expect(done).not.toMatch(/EXIT=0/);
    expect(done).toMatch(/integrity|EINTEGRITY/i);
    expect(existsSync(join(project, 'node_modules/swap-me/index.js'))).toBe(false);
    expect(await snapshotProject(project)).toEqual(before);
  });
});
