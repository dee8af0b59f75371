/**
 * A `git` program a project names, through npm's own configuration loader (the real @npmcli/config
 * and npm's definitions): from its .npmrc, or from a file its .npmrc makes npm read as the user's or
 * the global configuration (an attack trial went round the first check that way).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadNpmConfig } from '../../../src/npm/npm-config.js';
import { projectGitProgram } from '../../../src/npm/project-git-program.js';

const tmp = mkdtempSync(join(tmpdir(), 'safe-npm-git-program-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

async function named(files: Record<string, string>, env: Record<string, string> = {}, homeNpmrc?: string) {
  const root = join(tmp, String(++n));
  const project = join(root, 'project');
  const home = join(root, 'home');
  mkdirSync(project, { recursive: true });
  mkdirSync(home);
  writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}');
  for (const [file, text] of Object.entries(files)) writeFileSync(join(project, file), text);
  if (homeNpmrc !== undefined) writeFileSync(join(home, '.npmrc'), homeNpmrc);
  const config = await loadNpmConfig({ realNpm: '/usr/bin/npm', npmArgs: ['install'], cwd: project, env: { HOME: home, PATH: '/usr/bin:/bin', ...env } });
  return { found: projectGitProgram(config, project), project, home };
}

it('the project\'s .npmrc naming a program: refused, naming the file', async () => {
  const { found, project } = await named({ '.npmrc': 'git=./fetch.sh\n' });
  expect(found).toEqual({ program: './fetch.sh', file: `${project}/.npmrc` });
});

it('a file the project\'s .npmrc makes npm read as the user\'s or the global configuration: refused (it passed as the user\'s own)', async () => {
  // (npm takes a relative path from where it runs, the project folder as a rule: here, spelled out.)
  const project = (k: number) => join(tmp, String(n + k), 'project');
  const user = await named({ '.npmrc': `userconfig=${join(project(1), 'other')}\n`, other: 'git=./fetch.sh\n' });
  expect(user.found).toEqual({ program: './fetch.sh', file: join(user.project, 'other') });
  const global = await named({ '.npmrc': `globalconfig=${join(project(1), 'other')}\n`, other: 'git=./fetch.sh\n' });
  expect(global.found).toEqual({ program: './fetch.sh', file: join(global.project, 'other') });
});

it('a program inside the project, whoever names it: refused', async () => {
  const program = join(tmp, String(n + 1), 'project', 'tools', 'git');
  const { found } = await named({}, { npm_config_git: program });
  expect(found?.program).toBe(program);
});

it('git from PATH, or a program the user names in their own ~/.npmrc or environment: npm\'s as usual', async () => {
  expect((await named({ '.npmrc': 'git=git\n' })).found).toBeUndefined();
  expect((await named({}, {}, 'git=/usr/bin/git\n')).found).toBeUndefined();
  expect((await named({}, { npm_config_git: '/opt/git/bin/git' })).found).toBeUndefined();
  expect((await named({})).found).toBeUndefined();
});
