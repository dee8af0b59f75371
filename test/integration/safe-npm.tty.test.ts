/**
 * The interactive path, in a real terminal: tmux runs safe-npm, the test reads the screen and
 * answers the prompts like a person would.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, makeTempDir, snapshotProject } from '../helpers/projects.js';
import { makeSandbox, repoRoot, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { hasTmux, startTerminal, type Terminal } from '../helpers/tmux.js';
import { publishedRecently, startVerdaccio, type VerdaccioServer } from '../helpers/verdaccio.js';

const old = new Date(Date.now() - 500 * 86_400_000);
let registry: VerdaccioServer;
let sandbox: Sandbox;
let terminal: Terminal | undefined;

beforeAll(async () => {
  const pkg = (name: string) => ['1.0.0', '1.1.0', '1.2.0'].map((version) => ({
    name, version, publishedAt: old, packageJson: { description: name, repository: `https://example.invalid/${name}` },
  }));
  const scripted = pkg('tty-scripted').map((p) => ({
    ...p, packageJson: { ...p.packageJson, scripts: { postinstall: 'node mark.js' } },
    files: { 'mark.js': "require('fs').writeFileSync('marker', String(process.getuid()));\n" },
  }));
  const swappable = pkg('swap-me').map((p) => ({ ...p, deprecated: 'use something else', files: { 'index.js': 'module.exports = "vetted";\n' } }));
  // Brings swap-me: its question (a deprecated dependency) comes only once npm's engine has resolved
  // the whole tree, so a swap made there is made after the vetting, whatever the machine's load (at
  // the question about a requested package, a slow engine could still fetch the swapped document).
  const bringsSwappable = pkg('brings-swap-me').map((p) => ({ ...p, packageJson: { ...p.packageJson, dependencies: { 'swap-me': '^1.0.0' } } }));
  const brandNew = { name: 'tty-brand-new', version: '1.0.0', publishedAt: new Date(Date.now() - 60_000), packageJson: { description: 'x', repository: 'https://example.invalid/x' } };
  registry = await startVerdaccio({ packages: [...pkg('lodash'), ...publishedRecently(pkg('lodahs')), ...scripted, ...swappable, ...bringsSwappable, brandNew] });
  sandbox = await makeSandbox({ registry: registry.url });
});

afterEach(() => terminal?.close());
afterAll(async () => {
  await registry?.stop();
});

/** `safe-npm <args>` in a terminal, in `project`, with a build-user cache of its own (`pipe`: stdout into `cat`). */
async function safeNpmInTerminal(project: string, args: string[], options: { env?: Record<string, string>; pipe?: boolean } = {}): Promise<Terminal> {
  const cacheRoot = await makeTempDir('safe-npm-cacheroot-');
  const argv = [process.execPath, join(repoRoot, 'bin/safe-npm.js'), ...args];
  terminal = startTerminal({
    cwd: project,
    env: { ...sandbox.env, PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, ...options.env },
    argv: options.pipe ? ['sh', '-c', `${argv.map((a) => `'${a}'`).join(' ')} | cat`] : argv,
  });
  return terminal;
}

describe.skipIf(!hasTmux)('safe-npm in a terminal', () => {
  it('shows the report, asks, and installs the did-you-mean instead', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const t = await safeNpmInTerminal(project, ['install', 'lodahs']);
    const asked = await t.waitFor(/what should happen\?/);
    expect(asked).toContain('looks like the popular package "lodash"');
    expect(asked).toContain('Install "lodash" instead');
    t.keys('Enter');
    expect(await t.waitFor(/EXIT=\d+/, 60_000)).toMatch(/EXIT=0/);
    expect(existsSync(join(project, 'node_modules/lodash/package.json'))).toBe(true);
    expect(existsSync(join(project, 'node_modules/lodahs'))).toBe(false);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).dependencies).toEqual({ lodash: '^1.2.0' });
  });

  it('stdout piped and NO_COLOR: still asks (on stderr), in plain text; "Install anyway" installs a brand-new package under the cooldown', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const t = await safeNpmInTerminal(project, ['install', 'tty-brand-new'], { env: { NO_COLOR: '1' }, pipe: true });
    await t.waitFor(/what should happen\?/);
    const report = t.screen(true).split('\n').filter((l) => /warn/.test(l));
    expect(report.length).toBeGreaterThan(0);
    expect(report.join('\n')).not.toContain('\x1b[33m');
    t.keys('Down', 'Enter'); // Skip → Install anyway
    expect(await t.waitFor(/EXIT=\d+/, 60_000)).toMatch(/EXIT=0/);
    expect(existsSync(join(project, 'node_modules/tty-brand-new/package.json'))).toBe(true);
  });

  it('shows an install script with its file, approves it at the checkbox, runs it, and remembers', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const t = await safeNpmInTerminal(project, ['install', 'tty-scripted']);
    const asked = await t.waitFor(/Approve install scripts/);
    expect(asked).toContain('tty-scripted@1.2.0');
    expect(asked).toContain('postinstall: node mark.js');
    expect(asked).toContain("require('fs').writeFileSync('marker'");
    t.keys('Space', 'Enter');
    await t.waitFor(/Grant network access/);
    t.keys('Enter');
    expect(await t.waitFor(/EXIT=\d+/, 60_000)).toMatch(/EXIT=0/);
    expect(readFileSync(join(project, 'node_modules/tty-scripted/marker'), 'utf8')).toBe('65534');
    // Remembered: the approval is in the per-user store.
    const config = JSON.parse(readFileSync(join(sandbox.env.XDG_CONFIG_HOME!, 'safe-npm', 'config.json'), 'utf8'));
    expect(config.scripts['npm:tty-scripted@1.2.0']).toMatchObject({ decision: 'allow' });
  });

  it('a tarball re-published between the check and the install stops the install; nothing changes', async () => {
    // node_modules exists: npm's engine installs in place, after the prompt, and must find the swap.
    const project = await makeProject({ owner: 'nobody', files: { 'node_modules/.keep': '' } });
    const before = await snapshotProject(project);
    // A fresh build-user cache: npm's engine must download the vetted tarball, and compare.
    const t = await safeNpmInTerminal(project, ['install', 'brings-swap-me']);
    // The question about the deprecated dependency sits between the vetting and the install: swap the bytes there.
    await t.waitFor(/swap-me@1\.2\.0.*what should happen\?/);
    await registry.replaceTarball('swap-me', '1.2.0', { 'index.js': 'module.exports = "evil";\n' });
    t.keys('Enter'); // Install anyway (a dependency: no Skip)
    const done = await t.waitFor(/EXIT=\d+/, 60_000);
    expect(done).not.toMatch(/EXIT=0/);
    expect(done).toMatch(/integrity|EINTEGRITY/i);
    expect(existsSync(join(project, 'node_modules/swap-me/index.js'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/brings-swap-me'))).toBe(false);
    expect(await snapshotProject(project)).toEqual(before);
  });

  it('a fresh project is installed into a staging copy while it is vetted: a tarball swapped at the prompt is not what lands', async () => {
    await registry.replaceTarball('swap-me', '1.2.0', { 'index.js': 'module.exports = "vetted";\n' });
    const project = await makeProject({ owner: 'nobody' });
    const t = await safeNpmInTerminal(project, ['install', 'brings-swap-me']);
    await t.waitFor(/swap-me@1\.2\.0.*what should happen\?/);
    await registry.replaceTarball('swap-me', '1.2.0', { 'index.js': 'module.exports = "evil";\n' });
    t.keys('Enter'); // Install anyway (a dependency: no Skip)
    const done = await t.waitFor(/EXIT=\d+/, 60_000);
    // Either the bytes fetched when the tree was resolved, or a stop on the integrity check: never "evil".
    if (/EXIT=0/.test(done)) expect(readFileSync(join(project, 'node_modules/swap-me/index.js'), 'utf8')).toBe('module.exports = "vetted";\n');
    else expect(done).toMatch(/integrity|EINTEGRITY/i);
  });
});
