/**
 * Pure builders of the pip command lines safe-pip runs (commands as data). The resolve and the
 * user's own download/wheel/lock keep the user's format choices (`--no-binary`, `--only-binary`,
 * `--prefer-binary`, on the command line, in files, env or config): pip chooses exactly what it
 * would choose alone, and the guard stops any build that was not vetted. The fetch and the final
 * install take pinned, hashed files from a private folder (wheels only; build requirements of a
 * vetted build as wheels too).
 */
import { rebuildArgs, type ParsedItem, type ParsedOption } from './parse-pip-args.js';
import type { OptionRole } from './pip-options.js';
import type { GuardSidecar } from './pip-guard.js';

const drop = (roles: OptionRole[]) => (o: ParsedOption) => !roles.includes(o.spec.role);

/** Wheels only: what the fetch step may install into a vetted build's isolated environment, and the final install. */
const WHEELS_ONLY = '--only-binary=:all:';

/** The user's request as `pip install` arguments (their format choices included; ours: none). */
function installRequest(command: 'install' | 'download' | 'wheel' | 'lock', items: readonly ParsedItem[]): string[] {
  return rebuildArgs(items, (o) => {
    if (['dry-run', 'report', 'python', 'output-dir'].includes(o.spec.role)) return false;
    if (command !== 'install' && o.spec.commands && !o.spec.commands.includes('install')) return false;
    return true;
  }, true);
}

/** `pip install --dry-run --report FILE` for the user's request, with the user's own format choices; the guard stops unvetted builds. */
export function dryRunArgs(command: 'install' | 'download' | 'wheel' | 'lock', items: readonly ParsedItem[], reportPath: string): string[] {
  // download/wheel: resolve the same requirements as an install would, ignoring what is installed.
  return ['install', ...installRequest(command, items), ...(command === 'install' ? [] : ['--ignore-installed']), '--dry-run', '--quiet', '--report', reportPath];
}

/**
 * The user's `pip install` itself, with `--report FILE`: run held (GuardConfig.hold), it stops after
 * its one resolve, before any build or install, until the vetting lets it go on.
 */
export function heldInstallArgs(items: readonly ParsedItem[], reportPath: string): string[] {
  return ['install', ...installRequest('install', items), '--report', reportPath];
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

/**
 * `pip wheel --no-deps -w DIR -r FILE`: fetch the pinned files (`name @ URL`), build vetted sources,
 * into a private folder. The requirement lines are direct URLs, so format control only reaches the
 * isolated build environments of vetted builds: their build requirements come as wheels.
 */
export function wheelStepArgs(items: readonly ParsedItem[], wheelDir: string, reqFile: string, hashed: boolean): string[] {
  const keep = rebuildArgs(items, (o) => ['general', 'build'].includes(o.spec.role) && (!o.spec.commands || o.spec.commands.includes('wheel')), false);
  return ['wheel', ...keep, '--no-deps', '--wheel-dir', wheelDir, ...(hashed ? ['--require-hashes'] : []), '-r', reqFile, WHEELS_ONLY];
}

/** The final install: only the pinned, hashed wheels from the private folder. */
export function finalInstallArgs(items: readonly ParsedItem[], wheelDir: string, reqFile: string): string[] {
  const keep = rebuildArgs(items, (o) => ['general', 'install', 'destination'].includes(o.spec.role), false);
  return ['install', ...keep, '--no-index', '--find-links', wheelDir, '--require-hashes', '-r', reqFile, WHEELS_ONLY];
}

/** The user's download/wheel/lock command as typed (format choices included), re-run under the guard. */
export function userCommandArgs(command: 'download' | 'wheel' | 'lock', items: readonly ParsedItem[]): string[] {
  return [command, ...rebuildArgs(items, drop(['python']), true)];
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
