/**
 * Hooks on the steps of npm's own engine (arborist's reify, by their `Symbol.for` names), shared by
 * the worker and by npm's command run in this process. An npm whose arborist lacks a step keeps its
 * own behaviour (the hook says whether it took).
 *
 * Part of npm's engine (bundled into arborist-worker.js, which runs as the build user): from
 * node_modules it may use only what the real npm ships.
 */

/** The part of an arborist class these hooks touch. */
type ArboristClass = { prototype: object };

/** One node of arborist's diff (lib/diff.js): what reify will do at a location. */
export interface DiffNode {
  action?: string | null;
  ideal?: { name?: string; location?: string; integrity?: string | null; resolved?: string | null; isLink?: boolean; package?: { name?: string; version?: string } } | null;
  children: DiffNode[];
}

/** A step of reify (by its `Symbol.for` name, or a method's own name), found on the class or its mixins, to wrap in place. */
function stepOf(Arborist: ArboristClass, name: string, key: symbol | string = Symbol.for(name)) {
  for (let p = Arborist.prototype as Record<symbol | string, unknown> | null; p; p = Object.getPrototypeOf(p) as Record<symbol | string, unknown> | null) {
    if (typeof p[key] === 'function') return { owner: p, key, step: p[key] as (...a: unknown[]) => unknown };
  }
  return undefined;
}

/** The signals the parent stops npm's engine with. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * A signal while npm's engine writes the tree in place: npm rolls back what it can roll back (up to
 * and including linking the bins); from the last step on (removing what it replaced, then saving
 * package.json and the lockfile) it cannot, and on a signal there it stops between the two — the new
 * node_modules with the old package.json. There, the signal is held instead and the install finishes:
 * the project is wholly old or wholly new.
 */
export function finishPastRollback(Arborist: ArboristClass): boolean {
  const first = stepOf(Arborist, 'retireShallowNodes');
  const last = stepOf(Arborist, 'removeTrash');
  if (!first || !last) return false;
  const hold: NodeJS.SignalsListener = () => {};
  // From npm's first write on: a signal is ours to hold too, so that it never ends the process
  // (npm's own handler, beside it, rolls back while it can).
  first.owner[first.key] = function (this: unknown, ...args: unknown[]) {
    for (const sig of STOP_SIGNALS) if (!process.listeners(sig).includes(hold)) process.on(sig, hold);
    return first.step.apply(this, args);
  };
  // Past the last rollback: npm's handler goes, ours holds the signal until the project is saved.
  last.owner[last.key] = function (this: unknown, ...args: unknown[]) {
    for (const sig of STOP_SIGNALS) {
      for (const listener of process.listeners(sig)) if (listener !== hold) process.removeListener(sig, listener);
    }
    return last.step.apply(this, args);
  };
  return true;
}

/** A package a diff adds or changes: content written to disk. */
export interface ContentWrite {
  name: string;
  location: string;
  version: string;
  integrity?: string;
  resolved?: string;
  /** A link to a folder (a `file:` dependency, a workspace): no package content is fetched for it. */
  isLink?: boolean;
  /** The name in its package.json (what npm fetches by when there is no tarball), when it differs from `name`. */
  packageName?: string;
}

/** A write, with only the fields that are set (`packageName` only when it differs from `name`). */
function contentWrite(w: { name: string; location: string; version: string; integrity?: string | null; resolved?: string | null; isLink?: boolean; packageName?: string }): ContentWrite {
  return {
    name: w.name, location: w.location, version: w.version,
    ...(w.integrity ? { integrity: w.integrity } : {}),
    ...(w.resolved ? { resolved: w.resolved } : {}),
    ...(w.isLink ? { isLink: w.isLink } : {}),
    ...(w.packageName !== undefined && w.packageName !== w.name ? { packageName: w.packageName } : {}),
  };
}

/** The packages a diff adds or changes. */
export function contentWrites(diff: DiffNode | null | undefined): ContentWrite[] {
  const writes: ContentWrite[] = [];
  const visit = (d: DiffNode) => {
    if ((d.action === 'ADD' || d.action === 'CHANGE') && d.ideal) {
      const { name = '', location = '', integrity, resolved, isLink, package: pkg } = d.ideal;
      writes.push(contentWrite({ name, location, version: pkg?.version ?? '', integrity, resolved, isLink, packageName: pkg?.name }));
    }
    for (const child of d.children ?? []) visit(child);
  };
  if (diff) visit(diff);
  return writes;
}

/** What was sent to be vetted, for `unvettedWrites`: npm's ideal tree's locations, and the packages at them. */
export interface VettedSet {
  locations: Set<string>;
  /** name@version → the tarballs (resolved) vetted under it ('' when a node had none). */
  packages: Map<string, Set<string>>;
}

export function vettedSet(nodes: ReadonlyArray<{ name: string; version: string; location: string; resolved?: string }>): VettedSet {
  const packages = new Map<string, Set<string>>();
  for (const n of nodes) {
    const key = `${n.name}@${n.version}`;
    if (!packages.has(key)) packages.set(key, new Set());
    packages.get(key)!.add(n.resolved ?? '');
  }
  return { locations: new Set(nodes.map((n) => n.location)), packages };
}

/** Where install-strategy=linked puts a package's content: node_modules/.store/<key>/node_modules/<name>. */
const LINKED_STORE = /(^|\/)node_modules\/\.store\//;

/**
 * The package writes of npm's diff that were not vetted: any outside the locations of npm's ideal tree
 * that were sent to be vetted. With install-strategy=linked npm writes each package into its store
 * (the tree's own locations become links to it): a write there is vetted when the same package (name,
 * version, tarball) was.
 */
export function unvettedWrites(writes: readonly ContentWrite[], vetted: VettedSet): ContentWrite[] {
  return writes.filter((w) => {
    if (w.isLink || !w.location.includes('node_modules/')) return false;
    if (vetted.locations.has(w.location)) return false;
    if (!LINKED_STORE.test(w.location)) return true;
    // Without a tarball npm fetches `<package.json name>@<version>`: a name that is no package name (a
    // path: a local folder) was fetched from there under a vetted package's folder name (an attack trial).
    if (w.packageName !== undefined) return true;
    // The same tarball, or none on both sides (fetched from the registry by name and version). A vetted
    // entry without one vouches for nothing else: an alias's `file:` tarball went in by it (an attack trial).
    const tarballs = vetted.packages.get(`${w.name}@${w.version}`);
    return !tarballs?.has(w.resolved ?? '');
  });
}

/**
 * Why npm's engine stopped, and what lets the install through: a folder that differs from npm's record
 * goes (it is then installed anew, vetted); in linked mode's store, node_modules as a whole (what it or
 * the lockfile says is installed stands for another package: removing one store folder changed nothing).
 */
export function unvettedWriteMessage(writes: readonly ContentWrite[]): string {
  const w = writes[0]!;
  const more = writes.length > 1 ? ` (and ${writes.length - 1} more)` : '';
  if (LINKED_STORE.test(w.location)) {
    return `npm would also write ${w.name}@${w.version} into its store at ${w.location}${more}, which was not vetted: what node_modules or the lockfile says is installed stands for another package there; remove node_modules and run again (everything is vetted then)`;
  }
  return `npm would also write ${w.name}@${w.version} at ${w.location}${more}, which node_modules claims to have already: the folder differs from npm's record of it; remove ${w.location} and run again`;
}

/**
 * npm uninstall / prune reify the whole ideal tree: what package.json or the lockfile has and
 * node_modules lacks is installed along with the removal. Run where nothing is vetted, that must not
 * happen: once npm's engine has computed its diff (its own answer to "what changes", before anything
 * is written), the packages it adds or changes are filtered by `unvetted`, and any left go to
 * `onWrites` instead of being written. `onWrites` does not return (it hands the command over); false
 * when the step is not there.
 */
export function stopBeforeContentWrites(
  Arborist: ArboristClass,
  unvetted: (writes: ContentWrite[], options: { packageLockOnly?: boolean }) => ContentWrite[],
  onWrites: (writes: ContentWrite[]) => Promise<never>,
): boolean {
  const diffStep = stepOf(Arborist, 'diffTrees');
  if (!diffStep) return false;
  diffStep.owner[diffStep.key] = async function (this: { diff?: DiffNode | null; options?: { packageLockOnly?: boolean } }, ...args: unknown[]) {
    const result: unknown = await diffStep.step.apply(this, args);
    const writes = contentWrites(this.diff);
    const left = unvetted(writes, this.options ?? {});
    if (left.length > 0) await onWrites(left);
    return result;
  };
  // install-strategy=linked: while it builds its isolated tree, before the diff, npm unpacks each
  // package that has a shrinkwrap into the project's store (to read it): those are checked there.
  const isolated = stepOf(Arborist, 'createIsolatedTree', 'createIsolatedTree');
  if (isolated) {
    isolated.owner[isolated.key] = async function (this: { idealTree?: IdealTree; options?: { packageLockOnly?: boolean } }, ...args: unknown[]) {
      const left = unvetted(shrinkwrapped(this.idealTree), this.options ?? {});
      if (left.length > 0) await onWrites(left);
      return isolated.step.apply(this, args);
    };
  }
  return true;
}

type IdealNode = { name?: string; packageName?: string; location?: string; version?: string; resolved?: string | null; integrity?: string | null; hasShrinkwrap?: boolean; isProjectRoot?: boolean; isLink?: boolean; package?: { name?: string } };
type IdealTree = { inventory?: { values(): Iterable<IdealNode> } };

/** The packages of npm's ideal tree that ship a shrinkwrap, as the writes they become in linked mode. */
export function shrinkwrapped(tree: IdealTree | undefined): ContentWrite[] {
  const writes: ContentWrite[] = [];
  for (const n of tree?.inventory?.values() ?? []) {
    if (!n.hasShrinkwrap || n.isProjectRoot || n.isLink) continue;
    writes.push(contentWrite({ name: n.packageName ?? n.name ?? '', location: n.location ?? '', version: n.version ?? '', integrity: n.integrity, resolved: n.resolved, packageName: n.package?.name }));
  }
  return writes;
}
