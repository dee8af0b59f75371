/**
 * npm fetches git dependencies with the program its `git` setting names, while it resolves the tree —
 * before anything is vetted. A project can name one of its own files there (`git=./fetch.sh` in its
 * .npmrc; or in a file its .npmrc makes npm read as the user's or the global config: `userconfig=./x`),
 * and npm's engine ran it: the project's code, as whoever resolves (plain npm does the same).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { NpmConfig } from './npm-config.js';

/** The program and the file that names it, when `git` is the project's: set in a file the project supplies or points npm at, or a program inside it. */
export function projectGitProgram(config: Pick<NpmConfig, 'get' | 'whereSet'>, projectDir: string): { program: string; file: string } | undefined {
  const git = config.get('git');
  if (typeof git !== 'string' || git === 'git' || git === '') return undefined;
  const inProject = (path: unknown) => typeof path === 'string' && isInside(resolve(projectDir, path), projectDir);
  const where = config.whereSet?.('git');
  if (where === 'project') return { program: git, file: `${projectDir}/.npmrc` };
  // The user's or the global file, when the project's .npmrc chose it (`userconfig=./x`) or it lies in the project.
  const fileKey = where === 'user' ? 'userconfig' : where === 'global' ? 'globalconfig' : undefined;
  const file = fileKey ? String(config.get(fileKey)) : `npm's ${where ?? ''} configuration`;
  if (fileKey && (config.whereSet?.(fileKey) === 'project' || inProject(file))) return { program: git, file };
  // Whoever named it: a program inside the project is the project's.
  return git.includes('/') && inProject(git) ? { program: git, file } : undefined;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
