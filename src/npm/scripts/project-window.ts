/**
 * Root's project under a folder the script user cannot enter (root's home is mode 700; a CI clone
 * in a private temp folder): each script runs in a mount namespace of its own in which that folder
 * is an empty tmpfs holding only the project, at the project's own path. The script finds its
 * package where npm put it, and sees nothing else of the closed folder: root's home stays hidden.
 *
 * Root opens the window (util-linux `unshare --mount`, then `mount`), and `setpriv` drops to the
 * script user before bwrap or the script starts: nothing the script user controls runs as root.
 * The project folder itself must be enterable: its own mode is the same inode on either side.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

export interface WindowTools {
  unshare: string;
  setpriv: string;
  mount: string;
  mkdir: string;
}

/** The window: the closed folder, and the project (a real path, below it) shown through it. */
export interface ProjectWindow {
  closed: string;
  project: string;
  /** An empty folder of root's: where the project is held while the closed folder is covered. */
  hold: string;
}

/** util-linux tools in system locations only (never via PATH: the script's PATH starts with the project's bins). */
export function findWindowTools(): WindowTools | undefined {
  const find = (name: string) => ['/usr/bin', '/bin'].map((d) => join(d, name)).find((p) => existsSync(p));
  const [unshare, setpriv, mount, mkdir] = ['unshare', 'setpriv', 'mount', 'mkdir'].map(find);
  return unshare && setpriv && mount && mkdir ? { unshare, setpriv, mount, mkdir } : undefined;
}

/** Whether a window can show `project` (a real path) past `closed`: only a folder above the project. */
export function windowFits(closed: string, project: string): boolean {
  return project.startsWith(closed.endsWith(sep) ? closed : closed + sep);
}

/** A package folder as seen through the window (its real path), or undefined when it lies outside the project. */
export function throughWindow(window: ProjectWindow, path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  return real === window.project || real.startsWith(window.project + sep) ? real : undefined;
}

// Run by root in the new mount namespace; every path is an argument, every tool an absolute path.
// The project is bound aside first (the tmpfs hides it), the folders down to it are made on the
// tmpfs (umask 022: enterable), and the project is moved back in place.
const OPEN_WINDOW = [
  'umask 022', 'set -e',
  'closed=$1 project=$2 hold=$3 pkg=$4 mount=$5 mkdir=$6', 'shift 6',
  '"$mount" --bind -- "$project" "$hold"',
  '"$mount" -t tmpfs -o mode=0755,size=64k -- safe-npm "$closed"',
  '"$mkdir" -p -- "$project"',
  '"$mount" --move -- "$hold" "$project"',
  'cd -- "$pkg"',
  'exec "$@"',
].join('\n');

/**
 * `userCommand` (bwrap, or the pid-namespace init) run as `user` in the package folder, behind the
 * window. `pidNamespace`: the script gets a pid namespace of its own too (without bwrap, which makes
 * its own). Spawned as root.
 */
export function windowedCommand(
  window: ProjectWindow,
  pkgDir: string,
  tools: WindowTools,
  user: { uid: number; gid: number },
  userCommand: [string, string[]],
  pidNamespace: boolean,
): [string, string[]] {
  return [tools.unshare, [
    '--mount', '--propagation', 'private',
    ...(pidNamespace ? ['--pid', '--fork', '--kill-child'] : []),
    '--',
    '/bin/sh', '-c', OPEN_WINDOW, 'safe-npm-window', window.closed, window.project, window.hold, pkgDir, tools.mount, tools.mkdir,
    tools.setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--',
    userCommand[0], ...userCommand[1],
  ]];
}
