/**
 * The README's safe-pip quick start works as written (issue 10): the line marked "as a user" run by
 * a user (nobody), the line marked "as root" run by root, each verbatim in bash in a fresh folder
 * whose ./bin is this checkout's, against a local index (PIP_INDEX_URL) instead of PyPI.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON } from '../helpers/python-dists.js';
import { makeTempDir } from '../helpers/projects.js';
import { repoRoot, stagedRepo, SYSTEM_PATH } from '../helpers/run-bin.js';
import { startSimpleIndex, type SimpleIndex } from '../helpers/simple-index.js';
import { establishedProject } from '../helpers/pip-runs.js';

const NOBODY = 65534;
const canRun = existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));

/** The README line of the safe-pip quick start that ends with `# <who>`, without the comment. */
function quickStartLine(who: 'as a user' | 'as root'): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## safe-pip'));
  const block = section.slice(section.indexOf('```sh') + 5, section.indexOf('```', section.indexOf('```sh') + 5));
  const line = block.split('\n').find((l) => l.trimEnd().endsWith(`# ${who}`));
  if (!line) throw new Error(`no quick start line "# ${who}" in the README`);
  return line.replace(/\s+#[^#]*$/, '');
}

let index: SimpleIndex;

/**
 * A fresh folder with ./bin pointing at this checkout's bin, owned by `uid` (another user gets a
 * readable copy of the checkout: CI's clone may sit where other users cannot enter).
 */
async function folder(uid: number): Promise<string> {
  const dir = await makeTempDir('safe-pip-quickstart-');
  const root = uid === process.getuid?.() ? repoRoot : await stagedRepo();
  symlinkSync(join(root, 'bin'), join(dir, 'bin'));
  mkdirSync(join(dir, 'home'));
  execFileSync('chown', ['-R', `${uid}:${uid}`, dir]);
  return dir;
}

const env = (dir: string) => ({
  PATH: SYSTEM_PATH, HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config'), LANG: 'C.UTF-8',
  PIP_CONFIG_FILE: '/dev/null', PIP_INDEX_URL: index.url, PIP_DISABLE_PIP_VERSION_CHECK: '1',
});

describe.skipIf(!canRun)('the safe-pip quick start, as written', () => {
  beforeAll(async () => {
    const dists = await makeTempDir('safe-pip-quickstart-dists-');
    index = await startSimpleIndex([establishedProject(dists, 'requests')]);
    chmodSync(dists, 0o755);
  }, 120_000);

  afterAll(async () => {
    await index?.close();
  });

  it('as root: the venv is given to a user, pip runs as that user, requests is installed', async () => {
    const dir = await folder(0);
    const line = quickStartLine('as root');
    const r = await execa('bash', ['-c', line], { cwd: dir, env: env(dir), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(r.exitCode, `${line}\n${r.stderr}`).toBe(0);
    const site = join(dir, '.venv', 'lib', execFileSync('ls', [join(dir, '.venv', 'lib')]).toString().trim(), 'site-packages');
    expect(statSync(join(site, 'requests')).uid).toBe(NOBODY);
  });

  it('as a user: the same result in the user\'s own venv', async () => {
    const dir = await folder(NOBODY);
    const line = quickStartLine('as a user');
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', '-c', line], { cwd: dir, env: env(dir), extendEnv: false, reject: false, stdin: 'ignore' });
    expect(r.exitCode, `${line}\n${r.stderr}`).toBe(0);
    const site = join(dir, '.venv', 'lib', execFileSync('ls', [join(dir, '.venv', 'lib')]).toString().trim(), 'site-packages');
    expect(statSync(join(site, 'requests')).uid).toBe(NOBODY);
  });
});
