/**
 * Who does the work when root installs into a root-owned project (or globally): two system users
 * that no other software on the machine uses, created on the first root run (or by `safe setup`).
 *
 * - the install identity (`_safe-npm`) runs npm's engine, owns npm's cache and the staging copy,
 *   and never runs package code: what root's installs read cannot be written by package code;
 * - the script identity (`_safe-npm-scripts`) runs the install scripts a user approved, with a cache
 *   and HOME of its own; it cannot write the install identity's cache or staging folders.
 *
 * `nobody` is a fallback only (no useradd, or a read-only /etc/passwd): it is shared with other
 * daemons, so the fallback is said out loud and the staged tree is copied, never moved, into root's
 * project.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { changeSettingCommand, DIRECT, type TypedAs } from '../config/setting-advice.js';
import { UsageError } from '../core/errors.js';
import type { UserAccount } from './users.js';

export const INSTALL_IDENTITY = '_safe-npm';
export const SCRIPT_IDENTITY = '_safe-npm-scripts';
const FALLBACK = 'nobody';

export interface BuildIdentities {
  /** Runs npm's engine, owns its cache and the staging copy; never runs package code. */
  install: UserAccount;
  /** Runs approved install scripts in root-owned projects. */
  scripts: UserAccount;
  /**
   * No process of the install identity ever runs code we did not vet (it is ours alone, and scripts
   * run as another uid): what it staged can be handed to root by rename instead of a copy.
   */
  dedicated: boolean;
  /** One line each, said once per run (fallbacks, shared uids). */
  warnings: string[];
}

export interface IdentityDeps {
  lookup(nameOrUid: string | number): UserAccount | undefined;
  /** Create a system user with no shell and no home outside `home`; an error message on failure. */
  createSystemUser(name: string, home: string): string | undefined;
}

/** Identities we create ourselves (a configured user is the admin's to create). */
const isOurs = (name: string) => name === INSTALL_IDENTITY || name === SCRIPT_IDENTITY;

export function resolveBuildIdentities(
  settings: { runAsUser: string; scriptUser: string; cacheRoot: string },
  deps: IdentityDeps,
  typed: TypedAs = DIRECT,
): BuildIdentities {
  const warnings: string[] = [];
  const one = (name: string, role: string, setting: 'runAsUser' | 'scriptUser'): UserAccount => {
    let user = deps.lookup(name);
    if (!user && isOurs(name)) {
      const error = deps.createSystemUser(name, join(settings.cacheRoot, name));
      user = deps.lookup(name);
      if (!user) {
        warnings.push(`could not create the ${role} user "${name}" (${error ?? 'unknown error'}): using "${FALLBACK}", which other software on this machine shares — run "${typed.command} safe setup" as root to create it`);
        user = deps.lookup(FALLBACK);
      }
    }
    if (!user) throw new UsageError(`the ${role} user "${name}" does not exist (create it, or: ${changeSettingCommand(setting, setting === 'runAsUser' ? INSTALL_IDENTITY : SCRIPT_IDENTITY, typed)})`);
    if (user.uid === 0 || user.gid === 0) throw new UsageError(`the ${role} user "${name}" is root; choose an unprivileged user (${changeSettingCommand(setting, setting === 'runAsUser' ? INSTALL_IDENTITY : SCRIPT_IDENTITY, typed)})`);
    return user;
  };
  const install = one(settings.runAsUser, 'install', 'runAsUser');
  const scripts = one(settings.scriptUser, 'script', 'scriptUser');
  const sharedInstall = install.name === FALLBACK || install.uid === 65534;
  if (sharedInstall && !warnings.length) {
    warnings.push(`installs run as "${install.name}", a user other software shares: a process of that user could tamper with npm's cache (${changeSettingCommand('runAsUser', INSTALL_IDENTITY, typed)})`);
  }
  if (scripts.uid === install.uid) {
    warnings.push(`install scripts run as "${scripts.name}", the same user whose npm cache root's installs read (${changeSettingCommand('scriptUser', SCRIPT_IDENTITY, typed)})`);
  }
  return { install, scripts, dedicated: !sharedInstall && scripts.uid !== install.uid, warnings };
}

const SBIN = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];
const firstExisting = (names: string[]) => {
  for (const dir of SBIN) for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
  return undefined;
};

/** useradd (shadow-utils), else BusyBox adduser: a system user with its own group, no login shell. */
export function createSystemUser(name: string, home: string): string | undefined {
  const shell = firstExisting(['nologin']) ?? '/bin/false';
  const useradd = firstExisting(['useradd']);
  const attempts: Array<[string, string[]]> = [];
  if (useradd) {
    attempts.push([useradd, ['--system', '--user-group', '--no-create-home', '--home-dir', home, '--shell', shell, '--comment', 'safe-npm build identity', name]]);
  }
  const adduser = firstExisting(['adduser']);
  if (adduser) attempts.push([adduser, ['-S', '-D', '-H', '-h', home, '-s', shell, name]]);
  if (!attempts.length) return 'neither useradd nor adduser is installed';
  let last = '';
  for (const [bin, args] of attempts) {
    const r = spawnSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    // "already exists": a concurrent run created it first; the caller looks it up again.
    if (r.status === 0 || /already exists/.test(r.stderr ?? '')) return undefined;
    last = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0]!;
  }
  return last;
}
