/**
 * Root's own `npm uninstall` / `npm prune` in a root-owned project runs as npm's own command in our
 * process (as a user's does in theirs), on one condition: it only removes. When npm's engine would
 * put a package on disk (the lockfile brings back one that is missing, a version changes), that
 * package's tarball must not be unpacked as root: it goes through the whole flow instead, where npm's
 * engine runs as the install identity in a staging copy.
 *
 * The decision is npm's own: arborist computes the difference between the tree on disk and the
 * tree it wants (`Diff.calculate`) before it writes anything. The guard looks at that difference in
 * the arborist npm itself loads, and when it holds a package to unpack, stops the reify right there
 * (nothing has been written yet) and hands the command over.
 *
 * While it plans, npm may also fetch manifests: from the registry (documents: harmless), but also
 * from git (`git ls-remote`, a clone), a URL or a tarball file, which pacote unpacks to read the
 * manifest — through `overrides`, a folder dependency's or a workspace's own dependencies, an old
 * lockfile's upgrade. pacote's fetchers are guarded too: as root, only the registry's documents and
 * a local folder's package.json are read; any other fetch throws before it starts, and the command
 * is handed over even if arborist swallowed that error.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The part of arborist's Diff the guard reads. */
export interface DiffLike {
  action: 'ADD' | 'CHANGE' | 'REMOVE' | null;
  ideal?: { location: string; isLink: boolean } | null;
  children: DiffLike[];
}

/**
 * Locations of the packages a reify of this difference would write: added or changed, links too (a
 * link's bins are linked and chmod-ed through whatever its folder holds, which may be a symlink).
 */
export function packagesWritten(diff: DiffLike): string[] {
  const out: string[] = [];
  const visit = (d: DiffLike) => {
    if ((d.action === 'ADD' || d.action === 'CHANGE') && d.ideal) out.push(d.ideal.location);
    for (const child of d.children) visit(child);
  };
  visit(diff);
  return out;
}

class WouldUnpack extends Error {
  constructor(readonly locations: string[]) {
    super(`npm would unpack ${locations.join(', ')}`);
  }
}

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Reify = (this: unknown, ...args: unknown[]) => Promise<unknown>;
type FetcherClass = (new (...args: never[]) => unknown) & { prototype: Record<string, Method | undefined> };

/** What may run as root, per pacote fetcher: reading documents and manifests, never a tarball or git. */
const READS_ONLY: Record<string, readonly string[]> = {
  RegistryFetcher: ['resolve', 'packument', 'manifest'],
  DirFetcher: ['resolve', 'packument', 'manifest'],
  GitFetcher: [],
  RemoteFetcher: [],
  FileFetcher: [],
};
const FETCHER_METHODS = ['resolve', 'packument', 'manifest', 'tarball', 'tarballStream', 'tarballFile', 'extract'];

/** Each fetcher's methods that would fetch or unpack something other than a document: they throw. */
function guardFetchers(pacote: Record<string, unknown>, onBlocked: (what: string) => Error): boolean {
  for (const [name, allowed] of Object.entries(READS_ONLY)) {
    const fetcher = pacote[name] as FetcherClass | undefined;
    if (typeof fetcher !== 'function' || !fetcher.prototype) return false;
    for (const method of FETCHER_METHODS) {
      if (allowed.includes(method)) continue;
      const original = fetcher.prototype[method];
      if (typeof original !== 'function') continue;
      fetcher.prototype[method] = function blockedAsRoot(this: unknown) {
        throw onBlocked(`${name}.${method}(${String((this as { spec?: unknown } | undefined)?.spec ?? '')})`);
      };
    }
  }
  return true;
}

/**
 * Load the arborist of the npm at `cliScript` (npm finds it in the module cache later: no second
 * load) and guard its reify. `onWouldUnpack` runs instead of the reify; it must end the process.
 * False when this npm's arborist is not laid out as expected: then nothing is guarded, and the
 * caller must not run npm as root.
 */
export function guardRemovalOnly(cliScript: string, onWouldUnpack: (locations: string[]) => Promise<never>): boolean {
  try {
    const requireFromNpm = createRequire(cliScript);
    const index = requireFromNpm.resolve('@npmcli/arborist');
    const Diff = requireFromNpm(join(dirname(index), 'diff.js')) as { calculate?: (options: unknown) => DiffLike };
    // arborist's own pacote (the one it requires), guarded before arborist loads and uses it.
    const pacote = createRequire(index)('pacote') as Record<string, unknown>;
    const blocked: string[] = [];
    if (!guardFetchers(pacote, (what) => {
      blocked.push(what);
      return new WouldUnpack([what]);
    })) return false;
    const Arborist = requireFromNpm(index) as { prototype?: Record<string, Reify | undefined> };
    const calculate = Diff.calculate;
    const planners = ['buildIdealTree', 'reify', 'prune'] as const;
    if (typeof calculate !== 'function' || !Arborist.prototype || planners.some((m) => typeof Arborist.prototype![m] !== 'function')) return false;
    Diff.calculate = function guardedCalculate(this: unknown, options: unknown) {
      // A fetch stopped while planning, even one arborist let pass (an optional dependency): hand over.
      if (blocked.length) throw new WouldUnpack(blocked);
      const diff = calculate.call(this, options);
      const unpacked = packagesWritten(diff);
      if (unpacked.length) throw new WouldUnpack(unpacked);
      return diff;
    };
    for (const method of planners) {
      const original = Arborist.prototype[method]!;
      Arborist.prototype[method] = async function guarded(this: unknown, ...args: unknown[]) {
        try {
          return await original.apply(this, args);
        } catch (error) {
          if (error instanceof WouldUnpack || blocked.length) return onWouldUnpack(error instanceof WouldUnpack ? error.locations : blocked);
          throw error;
        }
      };
    }
    return true;
  } catch {
    return false;
  }
}
