/**
 * Files the tool reads on the user's behalf (its config, an .npmrc it copies, a project's
 * package.json approvals, pip's config) are data: a regular file under a size limit. A device, FIFO
 * or socket in their place (`config.json -> /dev/zero`) is refused in one line, never read: opening
 * uses O_NONBLOCK (a FIFO does not block the open) and the type and size are checked on the open
 * descriptor, so what is checked is what is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { asUserSync } from './effective-user.js';

export const MAX_USER_FILE_BYTES = 10 * 1024 * 1024;

export interface ReadOptions {
  /** Default 10 MB. */
  maxBytes?: number;
  /** What the file is, for the message ("the safe-npm config"). */
  what: string;
  /**
   * Only a file of this uid that nobody else can write, never through a link (what it holds is
   * run: npm's engine's kept code).
   */
  ownedBy?: number;
}

/** Contents as UTF-8; a UsageError (exit 64) naming the path when it is not a regular file or too big. ENOENT is rethrown as is. */
export function readRegularFile(path: string, options: ReadOptions): string {
  return readRegularBytes(path, options).toString('utf8');
}

/** As readRegularFile, the bytes. */
export function readRegularBytes(path: string, options: ReadOptions): Buffer {
  const max = options.maxBytes ?? MAX_USER_FILE_BYTES;
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (options.ownedBy === undefined ? 0 : constants.O_NOFOLLOW));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${options.what} (${path}) is not a regular file: refusing to read it`);
    if (options.ownedBy !== undefined && (st.uid !== options.ownedBy || (st.mode & 0o022) !== 0)) {
      throw new UsageError(`${options.what} (${path}) is not uid ${options.ownedBy}'s alone: refusing to read it`);
    }
    if (st.size > max) throw new UsageError(`${options.what} (${path}) is ${st.size} bytes, over the ${max}-byte limit: refusing to read it`);
    // Read at most max+1 bytes: a file that grows while we read is caught too.
    const buffer = Buffer.alloc(Math.min(st.size, max) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) {
        if (length > max) throw new UsageError(`${options.what} (${path}) is over the ${max}-byte limit: refusing to read it`);
        break;
      }
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file in a folder another user controls (safe-pip's work folder, which belongs to the user pip
 * runs as; a venv of theirs), read by root as that user (effective ids, asUserSync): a link they put
 * there leads only where they could read themselves (attack trial: a venv's pip.conf linked to a
 * root-only secret, and a report swapped for a set-id program), and a FIFO or device in its place is
 * refused, not waited on. `user` undefined (not root, or root's own folder): read as ourselves.
 */
export function readRegularBytesAs(user: { uid: number; gid: number } | undefined, path: string, options: ReadOptions): Buffer {
  return asUserSync(user, () => readRegularBytes(path, options));
}

/** As readRegularFile, but a missing file is `undefined`. */
export function readRegularFileIfExists(path: string, options: ReadOptions): string | undefined {
  try {
    return readRegularFile(path, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}
