/**
 * `-g` as root: the real npm installed the packages, as the install identity, into a private prefix.
 * Root then hands each package to the real prefix (the user's --prefix / npm_config_prefix) and links
 * its bins and man pages with npm's own linker, bin-links: like npm, it refuses to replace a file that
 * is not a link into the package (EEXIST, unless --force), and every link target and chmod stays inside
 * the package's own folder (`../` in a bin path is normalised away, as npm does). Conflicts are found
 * before anything changes.
 */
import { existsSync, lchownSync, lstatSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { SafeError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { copyTreeAs, existsNoFollow as exists, handOverTree } from '../run/fs-ownership.js';
import { readRegularFile, readRegularFileIfExists } from '../run/user-files.js';
import { isWithin } from '../run/within.js';
import { linkBinsOf, loadGuardedBinLinks, packageFolder, type BinLinks, type PackageFolder } from './guarded-bin-links.js';

const loadBinLinks = loadGuardedBinLinks;
const normalizeBins = (pkg: unknown): { bin?: Record<string, string> } =>
  (createRequire(import.meta.url)('npm-normalize-package-bin') as (p: unknown) => { bin?: Record<string, string> })(structuredClone(pkg));

/**
 * The first bin whose file is, through a symbolic link, outside the package (`cli.js` → /etc/shadow).
 * npm's linker makes each bin's file executable, following links, and root's run of it would then
 * chmod that file (a folder is linked as it is: a cloned repository can hold such a link; registry
 * tarballs cannot, npm drops links when it unpacks them). Checked before anything is linked.
 */
export function binOutsidePackage(path: string, pkg: unknown): { bin: string; target: string } | undefined {
  let root: string;
  try {
    root = realpathSync(path);
  } catch {
    return undefined;
  }
  for (const [bin, file] of Object.entries(normalizeBins(pkg).bin ?? {})) {
    let target: string;
    try {
      target = realpathSync(join(root, file));
    } catch {
      continue; // missing: npm's linker skips it too
    }
    if (!isWithin(target, root)) return { bin, target };
  }
  return undefined;
}

function binOutsideError(name: string, found: { bin: string; target: string }): string {
  return `the bin "${found.bin}" of ${name} is a link to ${found.target}, outside the package: npm's linker would make that file executable as root; nothing was linked`;
}

export async function installGlobalFromStaging(
  stagingPrefix: string,
  globalPrefix: string,
  options: { force: boolean; handover: 'move' | 'copy'; staged?: ReadonlyMap<string, string> },
): Promise<{ error?: string; installed: string[]; removed?: string[] }> {
  const stagedLib = join(stagingPrefix, 'lib', 'node_modules');
  const realLib = join(globalPrefix, 'lib', 'node_modules');
  const binLinks = loadBinLinks();
  // Installed packages staged for npm's command (uninstall -g, update -g): gone from the staging
  // prefix is removed for real; left as it was is not copied back.
  const staged = options.staged ?? new Map<string, string>();
  const removed = [...staged.keys()].filter((name) => !exists(join(stagedLib, name)));
  for (const name of removed) removeGlobalPackage(binLinks, join(realLib, name));
  if (!existsSync(stagedLib)) return { installed: [], removed };
  const unchanged = (name: string) => staged.has(name) && readRegularFileIfExists(join(stagedLib, name, 'package.json'), { what: 'a package manifest' }) === staged.get(name);
  const packages = await Promise.all(topLevelNames(stagedLib).filter((name) => !unchanged(name)).map(async (name) => {
    const staged = join(stagedLib, name);
    // A linked folder (`-g .`) as it is now, before anything: every bin made executable must be its
    // owner's file inside it (guarded-bin-links.ts). A copy is checked where it lands.
    const folder: PackageFolder | undefined = lstatSync(staged).isSymbolicLink() ? packageFolder(staged) : undefined;
    const root = folder?.root ?? staged;
    return { name, staged, folder, dest: join(realLib, name), pkg: await withBinDirExpanded(readManifest(join(root, 'package.json')), root) };
  }));

  // Every conflict first: nothing is changed when one bin cannot be linked.
  for (const p of packages) {
    const outside = binOutsidePackage(p.staged, p.pkg);
    if (outside) return { installed: [], error: binOutsideError(p.name, outside) };
    try {
      await binLinks.checkBins({ path: p.dest, pkg: p.pkg, global: true, top: true, force: options.force });
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code !== 'EEXIST') throw error;
      return {
        installed: [],
        error: `${e.path} already exists and is not a link into ${p.name}: npm refuses to replace it too (EEXIST); remove it or run with --force. Nothing was installed`,
      };
    }
  }

  mkdirSync(realLib, { recursive: true });
  const owner = statSync(globalPrefix);
  for (const p of packages) {
    mkdirSync(dirname(p.dest), { recursive: true });
    const before = existsSync(join(p.dest, 'package.json')) ? safeManifest(join(p.dest, 'package.json')) : undefined;
    const fresh = `${p.dest}.safe-npm-new`;
    const old = `${p.dest}.safe-npm-old`;
    rmSync(fresh, { recursive: true, force: true });
    if (lstatSync(p.staged).isSymbolicLink()) {
      // A folder installed globally (`npm i -g .`) is a link to it: written anew, relative from where
      // it now is, as npm writes it (the staged one was relative from the private prefix).
      symlinkSync(relative(dirname(p.dest), resolve(dirname(p.staged), readlinkSync(p.staged))), fresh);
      lchownSync(fresh, owner.uid, owner.gid);
    } else if (options.handover === 'move' && statSync(p.staged).dev === statSync(dirname(p.dest)).dev) {
      handOverTree(p.staged, owner.uid, owner.gid);
      renameSync(p.staged, fresh);
    } else {
      copyTreeAs(p.staged, fresh, owner.uid, owner.gid);
    }
    rmSync(old, { recursive: true, force: true });
    if (exists(p.dest)) renameSync(p.dest, old);
    renameSync(fresh, p.dest);
    rmSync(old, { recursive: true, force: true });
    if (before) removeStaleLinks(binLinks, p.dest, before, p.pkg);
    try {
      await linkBinsOf(binLinks, p.folder ?? packageFolder(p.dest), { path: p.dest, pkg: p.pkg, global: true, top: true, force: options.force });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESAFEBIN') throw error;
      return { installed: packages.map((q) => q.name), error: `${(error as Error).message}; ${p.name} is installed without it` };
    }
  }
  return { installed: packages.map((p) => p.name), removed };
}

/**
 * A global package npm removed: its bins and man pages that are links into it (nothing else, as
 * npm), then the package folder itself (a global `npm link` is the link alone).
 */
function removeGlobalPackage(binLinks: BinLinks, dest: string): void {
  if (!exists(dest)) return;
  const pkg = safeManifest(join(dest, 'package.json'));
  if (pkg) removeLinksInto(binLinks, dest, pkg);
  if (lstatSync(dest).isSymbolicLink()) {
    rmSync(dest, { force: true });
    return;
  }
  const old = `${dest}.safe-npm-old`;
  rmSync(old, { recursive: true, force: true });
  renameSync(dest, old);
  rmSync(old, { recursive: true, force: true });
}

/** Links of the previous version (bins, man pages) the new one no longer has — only links into the package. */
function removeStaleLinks(binLinks: BinLinks, dest: string, before: unknown, after: unknown): void {
  removeLinksInto(binLinks, dest, before, new Set(binLinks.getPaths({ path: dest, pkg: after, global: true, top: true })));
}

/** The bin and man links `pkg` declares, where they are links into `dest` (and not in `keep`). */
function removeLinksInto(binLinks: BinLinks, dest: string, pkg: unknown, keep: ReadonlySet<string> = new Set()): void {
  for (const link of binLinks.getPaths({ path: dest, pkg, global: true, top: true })) {
    if (keep.has(link)) continue;
    try {
      if (!lstatSync(link).isSymbolicLink()) continue;
      const target = resolve(dirname(link), readlinkSync(link));
      if (isWithin(target, dest)) rmSync(link, { force: true });
    } catch {
      // not there
    }
  }
}

/**
 * A folder's `directories.bin` as the bins npm links for it (npm's own normalize step, binDir, of
 * @npmcli/package-json): a package.json naming only that folder got no bins linked.
 */
async function withBinDirExpanded(pkg: Record<string, unknown>, root: string): Promise<Record<string, unknown>> {
  if (pkg.bin || !(pkg.directories as { bin?: unknown } | undefined)?.bin) return pkg;
  type PackageJson = { normalize(path: string, opts: { steps: string[] }): Promise<{ content: Record<string, unknown> }> };
  const PackageJson = createRequire(import.meta.url)('@npmcli/package-json') as PackageJson;
  try {
    return (await PackageJson.normalize(root, { steps: ['binDir'] })).content;
  } catch {
    return pkg;
  }
}

/** The top-level packages of a lib/node_modules folder (scoped ones as @scope/name). */
export function topLevelNames(lib: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(lib)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) for (const sub of readdirSync(join(lib, entry))) names.push(`${entry}/${sub}`);
    else names.push(entry);
  }
  return names;
}

function readManifest(path: string): Record<string, unknown> {
  return JSON.parse(readRegularFile(path, { what: 'a package manifest' })) as Record<string, unknown>;
}

function safeManifest(path: string): Record<string, unknown> | undefined {
  try {
    return readManifest(path);
  } catch {
    return undefined;
  }
}

/**
 * The bins of every package in a node_modules folder npm installed with bin links off, linked as npm
 * links them (node_modules/.bin, and the .bin of each nested node_modules), by root. For root's npx
 * of a folder: npm as the build user links a root-owned folder and cannot chmod its bin (EPERM);
 * root can, as plain `npx` as root does. A linked folder's own node_modules is its own: not entered.
 */
export async function linkBinsBelow(nodeModules: string): Promise<void> {
  const binLinks = loadBinLinks();
  let names: string[];
  try {
    names = topLevelNames(nodeModules);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(nodeModules, name);
    let folder: PackageFolder;
    try {
      folder = packageFolder(path);
    } catch {
      continue;
    }
    // Read from the folder as it was taken: what is linked is checked against that.
    const read = safeManifest(join(folder.root, 'package.json'));
    if (!read) continue;
    const pkg = await withBinDirExpanded(read, folder.root);
    const outside = binOutsidePackage(path, pkg);
    if (outside) throw new SafeError(binOutsideError(name, outside), ExitCode.blocked);
    try {
      await linkBinsOf(binLinks, folder, { path, pkg, global: false, top: false, force: false });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESAFEBIN') throw error;
      throw new SafeError(`${(error as Error).message}; nothing was run`, ExitCode.blocked);
    }
    if (!lstatSync(path).isSymbolicLink()) await linkBinsBelow(join(path, 'node_modules'));
  }
}
