/**
 * Who pip runs as. pip never runs as uid 0: when safe-pip is root, resolution, builds and the
 * install all run as the owner of the destination (the venv, or the --target/--prefix folder).
 * Root-owned destinations, a system Python and `--user` as root are refused with a one-line way out.
 */
import { Blocked } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { UserAccount } from '../run/users.js';
import { nearestExisting, type PipEnvironment } from './pip-environment.js';

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
}

export type RunAs = { self: true } | { self: false; user: UserAccount; because: string };

const howTo = 'pip never runs as root under safe-pip: use a virtual environment owned by a build user (python3 -m venv DIR && chown -R USER DIR), or chown the folder to one (see `safe-pip safe config set runAsUser`)';

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
  if (input.command === 'install' && input.destination.user) {
    throw new Blocked(`safe-pip: refusing \`pip install --user\` as root: ${howTo}`, ExitCode.blocked);
  }
  const folder = ownedFolder(input);
  if (!folder) {
    throw new Blocked(`safe-pip: refusing to install into the system Python (${input.env.python}) as root: ${howTo}`, ExitCode.blocked);
  }
  const owner = input.ownerOf(folder.path);
  if (owner.uid === 0) {
    throw new Blocked(`safe-pip: the ${folder.what} ${folder.path} is owned by root: ${howTo}`, ExitCode.blocked);
  }
  const user = input.lookupUser(owner.uid) ?? { name: String(owner.uid), uid: owner.uid, gid: owner.gid, home: '/nonexistent' };
  return { self: false, user: { ...user, gid: owner.gid }, because: `owner of the ${folder.what} ${folder.path}` };
}
