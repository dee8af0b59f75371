/**
 * Root's global install and npx read a tarball named on the command line twice: npm's engine
 * resolves it to be vetted, then the real npm installs it. Both as the build user, from a path another
 * user may be able to write: swapped in between, the real npm installed a tree nobody vetted (attack
 * trial F2). A copy of its own is what both read. It is made as the build user, who reads the original
 * in any case (root would read what the build user may not), into a folder only the build user and
 * root can enter. Only a regular file is copied (a FIFO named `x.tgz` blocked the run beyond Ctrl-C).
 */
import { closeSync, constants, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { asEffectiveUser } from '../run/effective-user.js';

export interface TarballCopies {
  /** Each file's copy, in the order given. */
  paths: string[];
  remove(): void;
}

export async function copyTarballsAs(user: { uid: number; gid: number } | undefined, files: readonly string[]): Promise<TarballCopies> {
  return asEffectiveUser(user, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-npm-tarballs-'));
    const remove = () => rmSync(dir, { recursive: true, force: true });
    try {
      // Numbered: two tarballs of the same name from different folders stay apart.
      const paths = files.map((file, i) => {
        const to = join(dir, `${i}-${basename(file)}`);
        writeFileSync(to, readTarball(file), { mode: 0o600 });
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
