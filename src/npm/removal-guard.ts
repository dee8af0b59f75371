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
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The part of arborist's Diff the guard reads. */
export interface DiffLike {
  action: 'ADD' | 'CHANGE' | 'REMOVE' | null;
  ideal?: { location: string; isLink: boolean } | null;
  children: DiffLike[];
}

/** Locations of the packages a reify of this difference would unpack (added or changed, not links). */
export function packagesWritten(diff: DiffLike): string[] {
  const out: string[] = [];
  const visit = (d: DiffLike) => {
    if ((d.action === 'ADD' || d.action === 'CHANGE') && d.ideal && !d.ideal.isLink) out.push(d.ideal.location);
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

type Reify = (this: unknown, ...args: unknown[]) => Promise<unknown>;

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
    const Arborist = requireFromNpm(index) as { prototype?: { reify?: Reify } };
    const calculate = Diff.calculate;
    const reify = Arborist.prototype?.reify;
    if (typeof calculate !== 'function' || typeof reify !== 'function') return false;
    Diff.calculate = function guardedCalculate(this: unknown, options: unknown) {
      const diff = calculate.call(this, options);
      const unpacked = packagesWritten(diff);
      if (unpacked.length) throw new WouldUnpack(unpacked);
      return diff;
    };
    Arborist.prototype!.reify = async function guardedReify(this: unknown, ...args: unknown[]) {
      try {
        return await reify.apply(this, args);
      } catch (error) {
        if (error instanceof WouldUnpack) return onWouldUnpack(error.locations);
        throw error;
      }
    };
    return true;
  } catch {
    return false;
  }
}
