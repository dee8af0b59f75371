/**
 * Root's global install and npx read a tarball named on the command line twice: npm's engine
 * resolves it to be vetted, then the real npm installs it. Both as the build user, from a path another
 * user may be able to write: swapped in between, the real npm installed a tree nobody vetted (attack
 * trial F2). A copy of its own is what both read. It is made as the build user, who reads the original
 * in any case (root would read what the build user may not), into a folder only the build user and
 * root can enter.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { asEffectiveUser } from '../run/effective-user.js';

export interface TarballCopies {
  /** Each file's copy, in the order given. */
  paths: string[];
  remove(): void;
}

export async function copyTarballsAs(user: { uid: number; gid: number } | undefined, files: readonly string[]): Promise<TarballCopies> {
  const { dir, paths } = await asEffectiveUser(user, async () => {
    const made = mkdtempSync(join(tmpdir(), 'safe-npm-tarballs-'));
    // Numbered: two tarballs of the same name from different folders stay apart.
    const copies = files.map((file, i) => {
      const to = join(made, `${i}-${basename(file)}`);
      copyFileSync(file, to);
      return to;
    });
    return { dir: made, paths: copies };
  });
  return { paths, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
