/**
 * Who pip runs as. pip never runs as uid 0: when safe-pip is root, resolution, builds and the
 * install all run as the owner of the destination (the venv, or the --target/--prefix folder).
 * Root-owned destinations, a system Python, `--user` as root and a venv whose Python its owner
 * cannot run are refused, each in one line naming the one thing that works.
 */
import { Blocked } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { UserAccount } from '../run/users.js';
import { nearestExisting, type PipEnvironment } from './pip-environment.js';
import { shellWord } from '../ui/shell-word.js';

export interface Destination {
  /** --target / --prefix / --root as given (resolved against cwd by the caller). */
  target?: string;
  prefix?: string;
  root?: string;
  user: boolean;
  /** download -d / wheel -w (default: cwd). */
  outputDir?: string;
}

export interface RunAsInput {
  isRoot: boolean;
  env: PipEnvironment;
  destination: Destination;
  command: 'install' | 'download' | 'wheel' | 'lock';
  /** stat: path → owner. */
  ownerOf: (path: string) => { uid: number; gid: number };
  lookupUser: (uid: number) => UserAccount | undefined;
  /** Whether `user` may run the interpreter (every folder on the way searchable, the file executable). */
  canExecute?: (path: string, user: Pick<UserAccount, 'uid' | 'gid'>) => boolean;
  /** The first folder on the way to `path` that `user` cannot enter (run/can-enter.ts), if any. */
  closedFolder?: (path: string, user: Pick<UserAccount, 'uid' | 'gid'>) => { path: string; mode: number } | undefined;
  /** The user to name in the advice (SUDO_USER, else nobody). */
  adviceUser?: string;
}

export type RunAs = { self: true } | { self: false; user: UserAccount; because: string };

/** A Python other users can run (pyenv's under a private home is not): the one the advice names. */
export const PUBLIC_PYTHON = '/usr/bin/python3';

/** The one command that gives root a venv pip can run in: made by a Python every user can run, owned by a user. */
function newVenvAdvice(dir: string, user: string): string {
  return `${PUBLIC_PYTHON} -m venv ${shellWord(dir)} && chown -R ${shellWord(user)}: ${shellWord(dir)}`;
}

function closedAdvice(closed: { path: string; mode: number }): string {
  return `the folder ${closed.path} (mode ${(closed.mode & 0o7777).toString(8)}) on the way to it is closed to other users`;
}

/** The folder whose owner pip must run as. */
export function ownedFolder(input: Pick<RunAsInput, 'env' | 'destination' | 'command'>): { path: string; what: string } | undefined {
  const d = input.destination;
  if (input.command !== 'install') return { path: nearestExisting(d.outputDir ?? '.'), what: input.command === 'download' ? 'download folder' : input.command === 'lock' ? 'lock file folder' : 'wheel folder' };
  if (d.target) return { path: nearestExisting(d.target), what: '--target folder' };
  if (d.prefix) return { path: nearestExisting(d.prefix), what: '--prefix folder' };
  if (d.root) return { path: nearestExisting(d.root), what: '--root folder' };
  if (input.env.venvDir) return { path: input.env.venvDir, what: 'virtual environment' };
  return undefined;
}

export function decideRunAs(input: RunAsInput): RunAs {
  if (!input.isRoot) return { self: true };
  const who = input.adviceUser ?? 'nobody';
  const venv = input.env.venvDir;
  const never = 'pip never runs as root under safe-pip';
  if (input.command === 'install' && input.destination.user) {
    throw new Blocked(`safe-pip: refusing \`pip install --user\` as root (${never}): install into a virtual environment owned by a user instead: ${newVenvAdvice('.venv', who)} && . .venv/bin/activate`, ExitCode.blocked);
  }
  const folder = ownedFolder(input);
  if (!folder) {
    throw new Blocked(`safe-pip: refusing to install into the system Python (${input.env.python}) as root (${never}): use a virtual environment owned by a user: ${newVenvAdvice('.venv', who)} && . .venv/bin/activate`, ExitCode.blocked);
  }
  const owner = input.ownerOf(folder.path);
  const runnable = (u: Pick<UserAccount, 'uid' | 'gid'>) => !input.canExecute || input.canExecute(input.env.python, u);
  if (owner.uid === 0) {
    const nobody = { uid: 65534, gid: 65534 };
    // A folder on the way to the environment closed to other users (a `mktemp -d` folder, root's home):
    // making the environment again would not help; opening that folder does.
    const closed = venv && !runnable(nobody) ? input.closedFolder?.(venv, nobody) : undefined;
    const fix = closed
      ? `give it to a user who can reach it — ${closedAdvice(closed)}: chmod o+x ${shellWord(closed.path)} && chown -R ${shellWord(who)}: ${shellWord(folder.path)}`
      : folder.what === 'virtual environment' && venv && !runnable(nobody)
        ? `its Python (${input.env.python}) cannot be run by other users, so make it again with one that can: rm -rf ${shellWord(venv)} && ${newVenvAdvice(venv, who)}`
        : `give it to a user: chown -R ${shellWord(who)}: ${shellWord(folder.path)}`;
    throw new Blocked(`safe-pip: the ${folder.what} ${folder.path} is owned by root (${never}): ${fix}`, ExitCode.blocked);
  }
  const user = input.lookupUser(owner.uid) ?? { name: String(owner.uid), uid: owner.uid, gid: owner.gid, home: '/nonexistent' };
  if (!runnable({ uid: owner.uid, gid: owner.gid })) {
    const closed = venv ? input.closedFolder?.(venv, user) : undefined;
    const fix = closed
      ? `${closedAdvice(closed)}: make it enterable (chmod o+x ${shellWord(closed.path)}) or make the environment where ${user.name} can reach it`
      : venv ? `make the environment again with a Python every user can run: rm -rf ${shellWord(venv)} && ${newVenvAdvice(venv, user.name)}` : `use a Python that ${user.name} can run`;
    throw new Blocked(`safe-pip: pip would run as ${user.name} (owner of the ${folder.what} ${folder.path}), who cannot run ${input.env.python} (a folder on its way is private): ${fix}`, ExitCode.blocked);
  }
  return { self: false, user: { ...user, gid: owner.gid }, because: `owner of the ${folder.what} ${folder.path}` };
}

/**
 * Whether a user may run `path`: pure over `stat` (symlinks followed by `realpath`). Every folder
 * on the way to the link and to its target must be searchable by the user, the target executable.
 * Supplementary groups are not known here: only the primary group counts.
 */
export function canExecuteAs(path: string, user: Pick<UserAccount, 'uid' | 'gid'>, fs: { realpath(p: string): string; stat(p: string): { uid: number; gid: number; mode: number } }): boolean {
  if (user.uid === 0) return true;
  const allowed = (p: string, bit: number) => {
    const st = fs.stat(p);
    const shift = st.uid === user.uid ? 6 : st.gid === user.gid ? 3 : 0;
    return ((st.mode >> shift) & bit) !== 0;
  };
  try {
    const target = fs.realpath(path);
    const folders = (p: string) => {
      const out: string[] = [];
      for (let d = p.slice(0, p.lastIndexOf('/')) || '/'; ; d = d.slice(0, d.lastIndexOf('/')) || '/') {
        out.push(d);
        if (d === '/') return out;
      }
    };
    return [...folders(path), ...folders(target)].every((d) => allowed(d, 1)) && allowed(target, 1);
  } catch {
    return false;
  }
}
