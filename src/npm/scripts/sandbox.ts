import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { changeSettingCommand, DIRECT, type TypedAs } from '../../config/setting-advice.js';

/**
 * bubblewrap around one install script: every namespace unshared (network too, unless the
 * approval grants it), the whole filesystem read-only, writable binds only for the package's own
 * folder (its nested node_modules stay read-only), its private temp dir and the build cache/home.
 */

export const BWRAP_LOCATIONS = ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap'];

/** The bwrap binary, looked up in fixed system locations only (never via PATH). */
export function findBwrap(locations = BWRAP_LOCATIONS): string | undefined {
  return locations.find((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}

export interface SandboxSpec {
  /** The package folder: writable, and the cwd. */
  pkgDir: string;
  /** Other writable folders: private temp dir, HOME/cache dir. */
  writable: string[];
  /** Share the host network (approval grants it). */
  network: boolean;
}

export type SandboxChoice =
  | { mode: 'bwrap'; bwrap: string; notice?: undefined }
  | { mode: 'none'; notice?: string }
  | { mode: 'refuse'; notice: string };

/**
 * From the `sandbox` setting and what is installed: use bwrap, run without it (with a notice, said
 * once by the caller), or refuse (`require` and no working bwrap).
 */
export function chooseSandbox(setting: 'auto' | 'require' | 'off', bwrap: string | undefined, bwrapWorks = true, typed: TypedAs = DIRECT): SandboxChoice {
  if (setting === 'off') return { mode: 'none' };
  if (bwrap && bwrapWorks) return { mode: 'bwrap', bwrap };
  const why = bwrap ? `bubblewrap (${bwrap}) cannot create a sandbox here (user namespaces disabled?)` : 'bubblewrap (bwrap) is not installed';
  if (setting === 'require') {
    return { mode: 'refuse', notice: `${why}, and the sandbox setting is "require": install scripts are not run (apt-get install bubblewrap, or: ${changeSettingCommand('sandbox', 'auto', typed)})` };
  }
  return { mode: 'none', notice: `${why}: install scripts run without a sandbox (only as the unprivileged build user)` };
}

/** bwrap arguments for one script; the command (`sh -c ...`) follows them. */
export function bwrapArgs(spec: SandboxSpec): string[] {
  const args = ['--unshare-all'];
  if (spec.network) args.push('--share-net');
  args.push('--die-with-parent', '--new-session', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc');
  for (const w of spec.writable) args.push('--bind', w, w);
  args.push('--bind', spec.pkgDir, spec.pkgDir);
  // Dependencies installed inside the package stay read-only: they belong to other packages.
  const nested = join(spec.pkgDir, 'node_modules');
  if (existsSync(nested)) args.push('--ro-bind', nested, nested);
  args.push('--chdir', spec.pkgDir);
  return args;
}

/** Wrap a command as data: [bin, args] -> [bwrap, [...bwrapArgs, '--', bin, ...args]]. */
export function wrapCommand(command: [string, string[]], bwrap: string, spec: SandboxSpec): [string, string[]] {
  return [bwrap, [...bwrapArgs(spec), '--', command[0], ...command[1]]];
}

/**
 * Without bubblewrap (sandbox off or missing), root still gives each script a pid namespace of its
 * own: util-linux `unshare --pid --fork --kill-child`, then `setpriv` drops to the build user. When
 * the script ends, its init kills whatever it left running (a `setsid` daemon cannot escape a pid
 * namespace) and prints LEFTOVER_MARKER when there was something to kill; if we die, --kill-child
 * takes the namespace down with us. Nothing of an install outlives safe-npm.
 */
export const LEFTOVER_MARKER = '@@safe-npm: stopped processes the script left running@@';
const CONTAIN_INIT = `/bin/sh -c "$1"; rc=$?; if /bin/kill -9 -- -1 2>/dev/null; then echo '${LEFTOVER_MARKER}' >&2; fi; exit $rc`;

export interface ContainTools {
  unshare: string;
  setpriv: string;
}

export function findContainTools(): ContainTools | undefined {
  const find = (name: string) => ['/usr/bin', '/bin'].map((d) => join(d, name)).find((p) => existsSync(p));
  const unshare = find('unshare');
  const setpriv = find('setpriv');
  return unshare && setpriv && existsSync('/bin/kill') ? { unshare, setpriv } : undefined;
}

/** `sh -c <script>` in a pid namespace of its own, as `uid:gid`: spawned as root, drops privileges itself. */
export function containedCommand(script: string, tools: ContainTools, user: { uid: number; gid: number }): [string, string[]] {
  return [tools.unshare, [
    '--pid', '--fork', '--kill-child', '--',
    tools.setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--',
    ...containInit(script).flat(),
  ]];
}

/** The script under the init above (pid 1 of its namespace): what runs as the build user. */
export function containInit(script: string): [string, string[]] {
  return ['/bin/sh', ['-c', CONTAIN_INIT, 'safe-npm-script', script]];
}
