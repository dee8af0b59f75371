/**
 * The last stage of a safe-pip run, by command: `--dry-run` says what would be installed;
 * download/wheel/lock re-run the user's own command under the guard; install installs exactly the
 * vetted wheels (pinned, hashed, from the private folder only), then vetted editable folders.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../core/exit-codes.js';
import { optionValues, rebuildArgs, type PipInvocation } from '../pypi/parse-pip-args.js';
import { finalInstallArgs, indexLines, userCommandArgs, withoutRequestEnv } from '../pypi/pip-commands.js';
import { GUARD_EXIT_BUILD_REFUSED, type GuardSidecar } from '../pypi/pip-guard.js';
import type { ReportItem } from '../pypi/pip-report.js';
import { guardCooldown, runPip, say, type PipSession, type Resolved } from './pip-session.js';

/**
 * `--dry-run`: pip's report where the user asked for it (`--report -`: on stdout, as pip prints it)
 * and pip's own summary line (not under -q), once the wheels were read like for an install.
 */
export function finishDryRun(resolved: Resolved, s: PipSession): number {
  const userReport = optionValues(s.inv.items, '--report').at(-1);
  if (userReport === '-') s.deps.stdout(`${resolved.reportText.trimEnd()}\n`);
  else if (userReport) s.deps.writeReport(resolve(s.deps.cwd, userReport), resolved.reportText);
  if (s.quiet === 0 && resolved.items.length) s.deps.stdout(`Would install ${[...resolved.items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((i) => `${i.name}-${i.version}`).join(' ')}\n`);
  return ExitCode.ok;
}

/** download / wheel / lock: the user's own command, re-run under the guard with only vetted builds allowed. */
export async function runUserCommand(resolved: Resolved, s: PipSession): Promise<number> {
  const res = await runPip(s, {
    env: s.baseEnv, stdio: 'inherit',
    pipArgs: userCommandArgs(s.command as 'download' | 'wheel' | 'lock', s.inv.items), allow: resolved.vetted, digests: resolved.digests,
    cooldown: guardCooldown(s),
  });
  if (res.code === GUARD_EXIT_BUILD_REFUSED) {
    say(s, 'pip tried to build a package that was not vetted; stopped');
    return ExitCode.blocked;
  }
  return res.code;
}

/**
 * pip's own install, held after its resolve, goes on: it installs only the files that were read
 * (each project's wheel by sha256; the guard checks them again as pip installs), pip's output shown.
 */
export async function releaseHeld(resolved: Resolved, wheels: ReadonlyMap<string, string>, s: PipSession): Promise<number> {
  const hashes = Object.fromEntries(resolved.items.map((i) => [i.canonical, s.work.sha256(wheels.get(i.canonical)!)]));
  const res = await resolved.held!.release(hashes, { stdout: s.deps.stdout, stderr: s.deps.stderr });
  if (res.code === GUARD_EXIT_BUILD_REFUSED) {
    say(s, 'the files pip was about to install are not the ones that were read; nothing was installed');
    return ExitCode.blocked;
  }
  if (res.code === ExitCode.ok) copyUserReport(resolved, s);
  return res.code;
}

/** Install exactly the vetted wheels; then vetted editable folders, last. */
export async function installExactly(resolved: Resolved, wheels: ReadonlyMap<string, string>, s: PipSession): Promise<number> {
  const code = await installPinned(resolved.items.filter((i) => !i.editable), wheels, s);
  if (code !== ExitCode.ok) return code;
  const editables = await installEditables(resolved, s);
  if (editables === ExitCode.ok) copyUserReport(resolved, s);
  return editables;
}

/** `--report FILE` on an install: pip would have written its report there. */
function copyUserReport(resolved: Resolved, s: PipSession): void {
  const userReport = optionValues(s.inv.items, '--report').at(-1);
  if (userReport === '-') s.deps.stdout(`${resolved.reportText.trimEnd()}\n`);
  else if (userReport) s.deps.writeReport(resolve(s.deps.cwd, userReport), resolved.reportText);
}

/** `pip install --no-index --find-links DIR --require-hashes -r <name==version --hash=…>`, with the user's install options. */
async function installPinned(pinned: readonly ReportItem[], wheels: ReadonlyMap<string, string>, s: PipSession): Promise<number> {
  if (pinned.length === 0) return ExitCode.ok;
  const finalReq = join(s.work.root, 'final-requirements.txt');
  const lines = pinned.map((i) => `${i.name}==${i.version} --hash=sha256:${s.work.sha256(wheels.get(i.canonical)!)}`);
  s.work.write(finalReq, `${lines.join('\n')}\n`);
  const result = await runPip(s, {
    env: withoutRequestEnv(s.baseEnv), stdio: 'inherit',
    pipArgs: finalInstallArgs(s.inv.items, s.work.wheels, finalReq), allow: [],
  });
  if (result.code === GUARD_EXIT_BUILD_REFUSED) {
    say(s, 'the final install tried to build a package that was not vetted; stopped');
    return ExitCode.blocked;
  }
  return result.code;
}

/**
 * Vetted editable folders last: pip builds them (their backend runs, approved) with --no-deps,
 * their dependencies being part of the pinned set.
 */
async function installEditables(resolved: Resolved, s: PipSession): Promise<number> {
  for (const e of resolved.items.filter((i) => i.editable)) {
    const result = await runPip(s, {
      env: withoutRequestEnv(s.baseEnv), stdio: 'inherit',
      pipArgs: editableInstallArgs(s.inv.items, resolved.side, fileURLToPath(e.url.split('#')[0]!)), allow: resolved.vetted, digests: resolved.digests,
    });
    if (result.code === GUARD_EXIT_BUILD_REFUSED) {
      say(s, `the editable install of ${e.name} tried to build a package that was not vetted; stopped`);
      return ExitCode.blocked;
    }
    if (result.code !== 0) return result.code;
  }
  return ExitCode.ok;
}

/** `pip install --no-deps -e DIR` with the user's general/build/destination options and the indexes pip used (build requirements). */
function editableInstallArgs(items: PipInvocation['items'], side: GuardSidecar, dir: string): string[] {
  const keep = rebuildArgs(items, (o) => ['general', 'install', 'destination', 'build'].includes(o.spec.role) && (!o.spec.commands || o.spec.commands.includes('install')), false);
  const index = indexLines(side).flatMap((l) => l.split(' '));
  return ['install', ...keep, ...index, '--no-deps', '--editable', dir];
}
