/**
 * Arborist's tree → the plain package list the checks work on. No imports: arborist-worker.ts copies
 * itself (with this file) next to the build user, so it must not depend on anything else of ours.
 */

export interface ResolvedNode {
  name: string;
  version: string;
  /** Lockfile location, e.g. node_modules/a/node_modules/b. */
  location: string;
  integrity?: string;
  resolved?: string;
  /** True for registry packages (vettable from registry metadata). */
  registry: boolean;
  /** Where a package comes from. */
  source: 'registry' | 'git' | 'file' | 'directory' | 'remote';
  /** Names from the root to this package (root excluded), shortest path. */
  path: string[];
  dev: boolean;
  optional: boolean;
}

/** What is installed, by lockfile location (npm's hidden lockfile). */
export type InstalledEntries = Map<string, InstalledEntry>;
export interface InstalledEntry {
  version: string;
  integrity?: string;
  resolved?: string;
}

/**
 * The same package content at a location: same version and the same integrity — or, where there is
 * no integrity to compare (git, a folder, a lockfile whose integrity was removed), the same
 * `resolved` source. Anything less is not proven the same, and counts as changed.
 */
export function sameContent(before: InstalledEntry, after: { version: string; integrity?: string | null; resolved?: string | null }): boolean {
  if (before.version !== after.version) return false;
  if (before.integrity && after.integrity) return before.integrity === after.integrity;
  return Boolean(before.resolved && after.resolved && before.resolved === after.resolved);
}

/** Packages of the resolved tree that are not already installed exactly so. */
export function newOrChanged<N extends Pick<ResolvedNode, 'location' | 'version' | 'integrity'> & { resolved?: string | null }>(nodes: readonly N[], installed: InstalledEntries): N[] {
  return nodes.filter((n) => {
    const before = installed.get(n.location);
    return !before || !sameContent(before, n);
  });
}

export interface ArboristNode {
  name: string;
  packageName?: string;
  version: string;
  location: string;
  integrity?: string | null;
  resolved?: string | null;
  isLink: boolean;
  isProjectRoot: boolean;
  dev: boolean;
  optional: boolean;
  edgesOut: Map<string, { to: ArboristNode | null }>;
  target?: ArboristNode;
  /** An optional package npm will not install (wrong platform or engine, or it failed to load). */
  inert?: boolean;
  /** Whether `--omit` leaves it out (npm's own test: dev/optional/peer, from the project root). */
  shouldOmit?(omit: Set<string>): boolean;
}

/**
 * The packages npm will install, as it decides it: a node npm leaves out — marked inert (an optional
 * dependency for another platform, or one the registry does not have) or omitted by `--omit` — is
 * not on disk afterwards, so it is not vetted (a missing optional package is not "from a URL").
 */
export function collectNodes(root: ArboristNode, omit: ReadonlyArray<string> = [], registryHosts?: ReadonlySet<string>): ResolvedNode[] {
  const omitted = new Set(omit);
  const leftOut = (node: ArboristNode) => node.inert === true || (omitted.size > 0 && node.shouldOmit?.(omitted) === true);
  // Breadth-first from the root: the first path that reaches a node is a shortest one.
  const paths = new Map<ArboristNode, string[]>();
  // A folder linked by a package of the registry (its own `file:` spec: any folder on the machine,
  // `file:/tmp/planted`) is no first-party code: it is vetted, by the link's place in node_modules.
  const linkedByPackage = new Map<ArboristNode, ArboristNode>();
  const firstParty = new Set<ArboristNode>([root]);
  const queue: ArboristNode[] = [root];
  paths.set(root, []);
  while (queue.length) {
    const node = queue.shift()!;
    const here = paths.get(node)!;
    for (const [name, edge] of node.edgesOut) {
      let to = edge.to;
      if (!to) continue;
      const link = to.isLink && to.target ? to : undefined;
      if (link) to = link.target!;
      if (paths.has(to) || leftOut(to)) continue;
      // Workspaces and `file:` folders of the project (and of its own folders) are the project's code.
      if (link && firstParty.has(node)) firstParty.add(to);
      else if (link) linkedByPackage.set(to, link);
      paths.set(to, [...here, name]);
      queue.push(to);
    }
  }
  const out: ResolvedNode[] = [];
  for (const [target, link] of linkedByPackage) {
    const path = paths.get(target)!;
    out.push({
      name: target.packageName ?? link.name, version: target.version, location: link.location,
      resolved: link.resolved ?? target.resolved ?? undefined, registry: false, source: 'directory', path, dev: link.dev, optional: link.optional,
    });
  }
  for (const [node, path] of paths) {
    // First-party folders (workspaces, file: links) are the project's own code, not packages to vet.
    if (node === root || node.isProjectRoot || node.isLink || linkedByPackage.has(node) || !node.location.includes('node_modules/')) continue;
    const resolved = node.resolved ?? undefined;
    const registry = isRegistryNode(node, registryHosts);
    out.push({
      name: node.packageName ?? node.name,
      version: node.version,
      location: node.location,
      integrity: node.integrity ?? undefined,
      resolved,
      registry,
      source: registry ? 'registry' : resolved?.startsWith('git') ? 'git' : resolved?.startsWith('file:') ? 'file' : 'remote',
      path,
      dev: node.dev,
      optional: node.optional,
    });
  }
  return out.sort((a, b) => a.location.localeCompare(b.location));
}

function isRegistryNode(node: ArboristNode, registryHosts?: ReadonlySet<string>): boolean {
  const resolved = node.resolved ?? '';
  if (!resolved) return Boolean(node.version) && !node.isLink; // no `resolved` (omit-lockfile-registry-resolved): a registry package
  if (!/^https?:\/\//.test(resolved) || !/\/-\/[^/]+-\d[^/]*\.tgz$/.test(resolved)) return false;
  // A tarball on a host that is no registry npm is configured with is a URL dependency, whatever its path.
  if (!registryHosts) return true;
  try {
    return registryHosts.has(new URL(resolved).host);
  } catch {
    return false;
  }
}

/**
 * The hosts npm fetches registry tarballs from: the registry, scoped registries, and the public
 * registry's (npm replaces its host in lockfiles with the configured registry's: replace-registry-host).
 */
export function registryHostsOf(options: Record<string, unknown>): Set<string> {
  const hosts = new Set(['registry.npmjs.org']);
  for (const [key, value] of Object.entries(options)) {
    if ((key === 'registry' || key.endsWith(':registry')) && typeof value === 'string') {
      try {
        hosts.add(new URL(value).host);
      } catch { /* not a URL: npm would fail on it */ }
    }
  }
  return hosts;
}
