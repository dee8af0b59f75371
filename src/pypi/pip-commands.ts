/**
 * Pure builders of the pip command lines safe-pip runs (commands as data). See pip.md §4–5:
 * format control last (`--only-binary=:all:` then `--no-binary=<vetted>`), hashes pinned, the final
 * install from a private wheel folder only.
 */
import { rebuildArgs, type ParsedItem, type ParsedOption } from './parse-pip-args.js';
import type { OptionRole } from './pip-options.js';
import type { GuardSidecar } from './pip-guard.js';

const drop = (roles: OptionRole[]) => (o: ParsedOption) => !roles.includes(o.spec.role);

/** Format control for "wheels only, except vetted builds" — must come last, in this order. */
export function formatControl(vettedBuilds: readonly string[]): string[] {
  return ['--only-binary=:all:', ...(vettedBuilds.length ? [`--no-binary=${[...vettedBuilds].sort().join(',')}`] : [])];
}

/** `pip install --dry-run --report FILE` for the user's request; never builds (guard + only-binary). */
export function dryRunArgs(command: 'install' | 'download' | 'wheel' | 'lock', items: readonly ParsedItem[], reportPath: string, vettedBuilds: readonly string[]): string[] {
  // download/wheel: resolve the same requirements as an install would, ignoring what is installed.
  const userArgs = rebuildArgs(items, (o) => {
    if (['format', 'dry-run', 'report', 'python', 'output-dir'].includes(o.spec.role)) return false;
    if (command !== 'install' && o.spec.commands && !o.spec.commands.includes('install')) return false;
    return true;
  }, true);
  return ['install', ...userArgs, ...(command === 'install' ? [] : ['--ignore-installed']), '--dry-run', '--quiet', '--report', reportPath, ...formatControl(vettedBuilds)];
}

/** Index options as pip resolved them (CLI, -r files, env, config), for a requirements file. */
export function indexLines(side: GuardSidecar): string[] {
  const lines: string[] = [];
  const idx = side.indexUrls ?? [];
  if (idx.length === 0) lines.push('--no-index');
  else {
    lines.push(`--index-url ${idx[0]}`);
    for (const u of idx.slice(1)) lines.push(`--extra-index-url ${u}`);
  }
  for (const f of side.findLinks ?? []) lines.push(`--find-links ${f}`);
  for (const h of side.trustedHosts ?? []) lines.push(`--trusted-host ${h}`);
  return lines;
}

/** `pip wheel --no-deps -w DIR -r FILE`: fetch wheels, build vetted sources, into a private folder. */
export function wheelStepArgs(items: readonly ParsedItem[], wheelDir: string, reqFile: string, hashed: boolean, vettedBuilds: readonly string[]): string[] {
  const keep = rebuildArgs(items, (o) => ['general', 'build'].includes(o.spec.role) && (!o.spec.commands || o.spec.commands.includes('wheel')), false);
  return ['wheel', ...keep, '--no-deps', '--wheel-dir', wheelDir, ...(hashed ? ['--require-hashes'] : []), '-r', reqFile, ...formatControl(vettedBuilds)];
}

/** The final install: only the pinned, hashed wheels from the private folder. */
export function finalInstallArgs(items: readonly ParsedItem[], wheelDir: string, reqFile: string): string[] {
  const keep = rebuildArgs(items, (o) => ['general', 'install', 'destination'].includes(o.spec.role), false);
  return ['install', ...keep, '--no-index', '--find-links', wheelDir, '--require-hashes', '-r', reqFile, ...formatControl([])];
}

/** The user's download/wheel command, re-run under the guard with our format control appended. */
export function userCommandArgs(command: 'download' | 'wheel' | 'lock', items: readonly ParsedItem[], vettedBuilds: readonly string[]): string[] {
  return [command, ...rebuildArgs(items, drop(['format', 'python']), true), ...formatControl(vettedBuilds)];
}

/** Env vars that would add requirements or sources to a step that must install only the pinned set. */
export const requestEnvVars = [
  'PIP_REQUIREMENT', 'PIP_CONSTRAINT', 'PIP_EDITABLE', 'PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_FIND_LINKS',
  'PIP_NO_INDEX', 'PIP_PYPI_URL', 'PIP_DRY_RUN', 'PIP_REPORT', 'PIP_NO_REQUIRE_HASHES', 'PIP_UPGRADE', 'PIP_PRE',
  'PIP_GROUP', 'PIP_REQUIREMENTS_FROM_SCRIPT',
];

export function withoutRequestEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const k of requestEnvVars) delete out[k];
  return out;
}
