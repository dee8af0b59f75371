/**
 * The requirement and constraint files named on the command line (or in PIP_REQUIREMENT /
 * PIP_CONSTRAINT) are data pip reads on the user's behalf: a regular file under the size limit of
 * every file we read for the user (10 MB). A device or FIFO (`-r /dev/zero`) would make pip read
 * forever; a 100 MB file of requirements keeps pip busy for minutes. Refused at once (exit 64);
 * files they include (`-r` inside) are pip's to read. URLs are pip's too.
 */
import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { asUserSync } from '../run/effective-user.js';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { MAX_USER_FILE_BYTES } from '../run/user-files.js';

export function checkRequirementFiles(paths: readonly string[], cwd: string, maxBytes = MAX_USER_FILE_BYTES, reader?: { uid: number; gid: number }): void {
  for (const given of paths) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given)) continue;
    const path = isAbsolute(given) ? given : join(cwd, given);
    // Not opened at all when it is no regular file (opening some devices does something); then
    // opened as `reader`, the user pip reads it as (root installing into their venv): a link put in
    // its place in a folder of theirs leads only where they could go.
    const kind = statSync(path, { throwIfNoEntry: false });
    if (kind && !kind.isFile()) throw new UsageError(`the requirement file ${given} is not a regular file: refusing to let pip read it`);
    let fd: number;
    try {
      fd = asUserSync(reader, () => openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY));
    } catch {
      continue; // missing or unreadable: pip says so in its own words
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new UsageError(`the requirement file ${given} is not a regular file: refusing to let pip read it`);
      if (st.size > maxBytes) throw new UsageError(`the requirement file ${given} is ${st.size} bytes, over the ${maxBytes}-byte limit: refusing to let pip read it`);
    } finally {
      closeSync(fd);
    }
  }
}
