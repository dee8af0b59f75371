/**
 * npm's own bin linker (bin-links), with the one step it takes through a path made safe for root.
 *
 * bin-links makes each bin's file executable (`chmod`, following links) by its path, after it linked
 * it. Run by root on a folder someone else can write (a linked `-g .`, `npm link`, `npx -p <folder>`),
 * that path can be swapped for a link to any file between a check and the chmod, and root then makes
 * that file executable (an attack trial raced a 0600 secret to 0755 in 5 runs). Here the file is
 * opened first and the open file itself is checked and changed: it must lie inside the package
 * folder as it was when the linking began, and belong to that folder's owner; else nothing is changed
 * and the linking fails. (Registry packages cannot hold links at all: npm drops them when it unpacks.)
 */
import { closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync, readlinkSync, readSync, realpathSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isWithin } from '../run/within.js';

export interface BinLinks {
  (opts: { path: string; pkg: unknown; global: boolean; top: boolean; force: boolean }): Promise<unknown>;
  checkBins(opts: { path: string; pkg: unknown; global: boolean; top: boolean; force: boolean }): Promise<void>;
  getPaths(opts: { path: string; pkg: unknown; global: boolean; top: boolean }): string[];
}

/** The package whose bins are being linked: its folder's real path and owner, taken before. */
export interface PackageFolder {
  root: string;
  uid: number;
}

let current: PackageFolder | undefined;

/** The package folder at `path` as it is now (its real path and owner). */
export function packageFolder(path: string): PackageFolder {
  const root = realpathSync(path);
  return { root, uid: statSync(root).uid };
}

/** Link `opts.path`'s bins with npm's linker, every chmod checked against `folder`. */
export async function linkBinsOf(binLinks: BinLinks, folder: PackageFolder, opts: Parameters<BinLinks>[0]): Promise<void> {
  current = folder;
  try {
    await binLinks(opts);
  } finally {
    current = undefined;
  }
}

/** bin-links, its fix-bin step replaced by ours (before bin-links first loads it). */
export function loadGuardedBinLinks(): BinLinks {
  const req = createRequire(import.meta.url);
  const fixBinPath = req.resolve('bin-links/lib/fix-bin.js');
  req(fixBinPath);
  const cached = req.cache[fixBinPath]!;
  if (cached.exports !== guardedFixBin) cached.exports = guardedFixBin;
  return req('bin-links') as BinLinks;
}

const execMode = 0o777 & ~process.umask();

/** bin-links' fixBin (lib/fix-bin.js: chmod, and a Windows hashbang line made Unix), on the open file. */
export async function guardedFixBin(file: string, mode = execMode): Promise<void> {
  const folder = current;
  const inside = (path: string) => folder === undefined || isWithin(path, folder.root);
  // Not even opened when it plainly lies elsewhere (a device opened has effects of its own).
  const seen = realpathSync(file);
  if (!inside(seen)) throw refused(file, seen);
  let fd: number;
  let writable = true;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_NONBLOCK);
  } catch {
    writable = false;
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  }
  try {
    const st = fstatSync(fd);
    const at = openedPath(fd, file);
    if (!st.isFile() || !inside(at) || (folder !== undefined && st.uid !== folder.uid)) throw refused(file, at);
    fchmodSync(fd, mode);
    if (writable) unixHashbang(fd, st.size);
  } finally {
    closeSync(fd);
  }
}

function refused(file: string, at: string): Error {
  return Object.assign(new Error(`the bin ${file} is ${at}, not a file of the package's own folder: it was not made executable`), { code: 'ESAFEBIN' });
}

/** Where the open file really is (Linux: /proc); elsewhere its real path, if it is that same file. */
function openedPath(fd: number, file: string): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    const real = realpathSync(file);
    const [a, b] = [fstatSync(fd), statSync(real)];
    return a.ino === b.ino && a.dev === b.dev ? real : `${file} (changed while it was opened)`;
  }
}

function unixHashbang(fd: number, size: number): void {
  const head = Buffer.alloc(Math.min(2048, size));
  readSync(fd, head, 0, head.length, 0);
  if (!(head[0] === 0x23 && head[1] === 0x21 && /^#![^\n]+\r\n/.test(head.toString()))) return;
  const whole = Buffer.alloc(size);
  readSync(fd, whole, 0, size, 0);
  const fixed = Buffer.from(whole.toString('utf8').replace(/^(#![^\n]+)\r\n/, '$1\n'));
  ftruncateSync(fd, 0);
  writeSync(fd, fixed, 0, fixed.length, 0);
}
