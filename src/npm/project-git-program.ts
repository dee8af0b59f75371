/**
 * npm fetches git dependencies with the program its `git` setting names, while it resolves the tree —
 * before anything is vetted. A project can name one of its own files there (`git=./fetch.sh` in its
 * .npmrc; or in a file its .npmrc makes npm read as the user's or the global config: `userconfig=./x`),
 * and npm's engine ran it: the project's code, as whoever resolves (plain npm does the same).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { NpmConfig } from './npm-config.js';

/** The config file (and the setting that made npm read it) a project controls, when `git` comes from one. */
export function projectGitProgram(config: Pick<NpmConfig, 'get' | 'whereSet'>, projectDir: string): { program: string; file: string } | undefined {
  const git = config.get('git');
  if (typeof git !== 'string' || git === 'git' || git === '') return undefined;
  const inProject = (path: unknown) => typeof path === 'string' && isInside(resolve(projectDir, path), projectDir);
  const where = config.whereSet?.('git');
  const file = where === 'project' ? `${projectDir}/.npmrc`
    : where === 'user' && (config.whereSet?.('userconfig') === 'project' || inProject(config.get('userconfig'))) ? String(config.get('userconfig'))
      : where === 'global' && (config.whereSet?.('globalconfig') === 'project' || inProject(config.get('globalconfig'))) ? String(config.get('globalconfig'))
        // Whoever named it: a program inside the project is the project's.
        : git.includes('/') && inProject(git) ? String(where === 'user' ? config.get('userconfig') : where === 'global' ? config.get('globalconfig') : `npm's ${where ?? ''} configuration`)
          : undefined;
  return file === undefined ? undefined : { program: git, file };
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
