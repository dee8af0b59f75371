/**
 * CI's clone — and many real installs under /root — sit where the build user cannot enter. Parts of
 * safe-npm run with the build user's effective uid (the registry fetches, npm's resolver); they must
 * not need to read safe-npm's own files then. Proven by running safe-npm from a copy in a 0700 folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, makeTempDir, ownersUnder, removeOnExit } from '../helpers/projects.js';
import { repoRoot, runTool, SYSTEM_PATH, type RunResult } from '../helpers/run-bin.js';
import { startVerdaccio, type VerdaccioServer } from '../helpers/verdaccio.js';

const old = new Date(Date.now() - 400 * 86_400_000);
let registry: VerdaccioServer;
let privateCopy: string;
let cacheRoot: string;
const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

beforeAll(async () => {
  const pkg = (name: string, deps: Record<string, string> = {}) => ['1.0.0', '1.0.1', '1.0.2'].map((version) => ({
    name, version, publishedAt: old, packageJson: { description: name, repository: 'https://example.invalid/r', dependencies: deps },
  }));
  registry = await startVerdaccio({ packages: [...pkg('leaf-dep'), ...pkg('top-dep', { 'leaf-dep': '^1.0.0' })] });
  cacheRoot = await makeTempDir('safe-npm-cacheroot-');
  // Root only: the build user cannot even look inside.
  const vault = mkdtempSync(join(tmpdir(), 'safe-npm-vault-'));
  removeOnExit(vault);
  privateCopy = join(vault, 'safe-npm');
  mkdirSync(privateCopy);
  const parts = ['package.json', 'bin', 'dist', 'data', 'shims', 'node_modules'].filter((p) => existsSync(join(repoRoot, p)));
  try {
    execFileSync('cp', ['-al', ...parts.map((p) => join(repoRoot, p)), privateCopy]);
  } catch {
    execFileSync('cp', ['-R', ...parts.map((p) => join(repoRoot, p)), privateCopy]);
  }
  execFileSync('chmod', ['700', vault]);
}, 120_000);

afterAll(async () => {
  await registry?.stop();
});

function safeNpm(args: string[], cwd: string) {
  return runTool(process.execPath, [join(privateCopy, 'bin', 'safe-npm.js'), ...args], {
    cwd, registry: registry.url, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot },
  });
}

describe('safe-npm installed where the build user cannot read', () => {
  it('a root-owned project: staged as nobody, resolved with nobody\'s uid, installed', async () => {
    const project = await makeProject({ owner: 'root' });
    const r = await safeNpm(['install', 'top-dep'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(readFileSync(join(project, 'node_modules/leaf-dep/package.json'), 'utf8')).toContain('"leaf-dep"');
    expect(await ownersUnder(project, 'node_modules')).toEqual([0]);
  });

  it('a project owned by an ordinary user', async () => {
    const project = await makeProject({ owner: 'nobody' });
    const r = await safeNpm(['install', 'top-dep'], project);
    expect(r.exitCode, show(r)).toBe(0);
    expect(await ownersUnder(project, 'node_modules')).toEqual([65534]);
  });
});
