/**
 * Root's global install and npx read a tarball named on the command line twice: npm's engine
 * resolves it to be vetted, then the real npm installs it. Both as the build user, from a path another
 * user may be able to write: swapped in between, the real npm installed a tree nobody vetted (attack
 * trial F2). A copy of its own is what both read. It is made as the build user, who reads the original
 * in any case (root would read what the build user may not), into a folder only the build user and
 * root can enter. Only a regular file is copied (a FIFO named `x.tgz` blocked the run beyond Ctrl-C).
 *
 * One exception: a tarball only root can change (root's own file, in folders only root can write,
 * such as `~/x.tgz` in root's home of mode 700, named by a path no one else can redirect: no link of
 * another user's on the way) is read by root when the build user cannot read it — root's own file,
 * named by root, as plain npm reads it (it stopped with 64). Nobody else can swap it or anything on
 * its way, so root reads exactly the file that was named.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdtempSync, openSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { asEffectiveUser, asUserSync } from '../run/effective-user.js';
import { redirectableAt } from '../run/redirectable-path.js';
import { removeTree } from '../run/fs-ownership.js';

export interface TarballCopies {
  /** Each file's copy, in the order given. */
  paths: string[];
  remove(): void;
}

export async function copyTarballsAs(user: { uid: number; gid: number } | undefined, files: readonly string[]): Promise<TarballCopies> {
  // Root's own files the build user may not read, read first (as root: before the switch).
  const rootsOwn = new Map<string, Buffer>();
  if (user && process.geteuid?.() === 0) {
    for (const file of files) {
      const bytes = readIfOnlyRootCanChange(file, user);
      if (bytes) rootsOwn.set(file, bytes);
    }
  }
  return asEffectiveUser(user, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-npm-tarballs-'));
    const remove = () => removeTree(dir); // the build user's folder
    try {
      // Numbered: two tarballs of the same name from different folders stay apart.
      const paths = files.map((file, i) => {
        const to = join(dir, `${i}-${basename(file)}`);
        writeFileSync(to, rootsOwn.get(file) ?? readTarball(file), { mode: 0o600 });
        return to;
      });
      return { paths, remove };
    } catch (error) {
      remove();
      throw error;
    }
  });
}

/** The bytes of a regular file (opened without waiting: a FIFO is refused, not waited on). */
function readTarball(file: string): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UsageError(`cannot read the tarball ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}) as the user npm runs as`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UsageError(`${file} is not a file: a tarball is named by its path`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of `file` read as root, when the build user cannot read it and only root can change it
 * (see onlyRootCanChange); else undefined (the build user's own read decides, and says why not).
 */
function readIfOnlyRootCanChange(file: string, user: { uid: number; gid: number }): Buffer | undefined {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return undefined;
  }
  if (!onlyRootCanChange(file) || buildUserCanRead(file, user)) return undefined;
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    const checked = lstatSync(real);
    if (!st.isFile() || st.uid !== 0 || st.ino !== checked.ino || st.dev !== checked.dev) return undefined;
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A regular file owned by root that no one else may write, reached by a path no one else can redirect
 * (redirectableAt: the folders on the way root's and closed to others, or sticky with root's entries;
 * each link on the way root's, leading to such a path — a link another user made in their folder or in
 * /tmp lets them choose which of root's files this is: a link to /etc/shadow was copied).
 */
export function onlyRootCanChange(path: string): boolean {
  try {
    if (redirectableAt(path) !== undefined) return false;
    const file = lstatSync(realpathSync(path));
    return file.isFile() && file.uid === 0 && (file.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Whether the build user can open the file itself (then its read is the one made, as before). */
function buildUserCanRead(file: string, user: { uid: number; gid: number }): boolean {
  // Decided by trying, as the build user would (permissions, ACLs, every folder on the way).
  return asUserSync(user, () => {
    try {
      closeSync(openSync(file, constants.O_RDONLY | constants.O_NONBLOCK));
      return true;
    } catch {
      return false;
    }
  });
}
