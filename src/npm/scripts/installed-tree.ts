import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';

/** One entry of a lockfile `packages` map (v2/v3 and the hidden lockfile share the shape). */
export interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  inBundle?: boolean;
  hasInstallScript?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  /** The root project's only: npm installs them (a dependency's devDependencies it does not). */
  devDependencies?: Record<string, string>;
}

export interface InstalledTree {
  /** Which file the tree was read from, or 'node_modules' for the folder walk. */
  source: 'package-lock.json' | 'npm-shrinkwrap.json' | 'node_modules/.package-lock.json' | 'node_modules';
  /** Lockfile locations (posix, relative to the project; '' = root) -> entry. */
  packages: Record<string, LockEntry>;
}

/**
 * The installed tree: the project lockfile's `packages` (v2/v3, or npm-shrinkwrap.json), else the
 * hidden lockfile npm writes into node_modules, else a walk of node_modules (package.json files).
 */
export function readInstalledTree(projectDir: string): InstalledTree {
  for (const file of ['npm-shrinkwrap.json', 'package-lock.json', 'node_modules/.package-lock.json'] as const) {
    const full = join(projectDir, file);
    if (!existsSync(full)) continue;
    let parsed: { lockfileVersion?: number; packages?: Record<string, LockEntry> };
    try {
      parsed = JSON.parse(readFileSync(full, 'utf8'));
    } catch {
      continue; // an unreadable lockfile: fall through to the next source
    }
    if (!parsed.packages || typeof parsed.packages !== 'object') continue; // v1: no `packages`
    const packages = { ...parsed.packages };
    if (!packages['']) packages[''] = rootEntryFromManifest(projectDir); // the hidden lockfile has no root entry
    return { source: file, packages };
  }
  return { source: 'node_modules', packages: walkNodeModules(projectDir) };
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function depsOf(pkg: Record<string, unknown>): Pick<LockEntry, 'dependencies' | 'optionalDependencies' | 'peerDependencies'> {
  const pick = (k: string) => {
    const v = pkg[k];
    return v && typeof v === 'object' ? (v as Record<string, string>) : undefined;
  };
  return { dependencies: pick('dependencies'), optionalDependencies: pick('optionalDependencies'), peerDependencies: pick('peerDependencies') };
}

function rootEntryFromManifest(projectDir: string): LockEntry {
  const pkg = readJson(join(projectDir, 'package.json')) ?? {};
  const dev = pkg.devDependencies;
  return {
    name: typeof pkg.name === 'string' ? pkg.name : undefined,
    version: typeof pkg.version === 'string' ? pkg.version : undefined,
    ...depsOf(pkg),
    ...(dev && typeof dev === 'object' ? { devDependencies: dev as Record<string, string> } : {}),
  };
}

/** Fallback: build lockfile-shaped entries from node_modules folders (symlinks become links). */
function walkNodeModules(projectDir: string): Record<string, LockEntry> {
  const root = realpathSync(projectDir);
  const out: Record<string, LockEntry> = { '': rootEntryFromManifest(projectDir) };
  const visit = (location: string) => {
    const nm = join(root, location, 'node_modules');
    let names: string[];
    try {
      names = readdirSync(nm);
    } catch {
      return;
    }
    const folders: string[] = [];
    for (const n of names) {
      if (n.startsWith('.')) continue;
      if (n.startsWith('@')) {
        try {
          for (const s of readdirSync(join(nm, n))) if (!s.startsWith('.')) folders.push(`${n}/${s}`);
        } catch {
          /* not a folder */
        }
      } else folders.push(n);
    }
    for (const f of folders) {
      const loc = posix.join(location, 'node_modules', f);
      const full = join(root, loc);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) {
        let target: string;
        try {
          target = relative(root, realpathSync(full)).split(sep).join('/');
        } catch {
          continue; // dangling link
        }
        out[loc] = { link: true, resolved: target };
        if (!out[target]) {
          const pkg = readJson(join(root, target, 'package.json')) ?? {};
          out[target] = { name: pkg.name as string, version: pkg.version as string, ...depsOf(pkg) };
          visit(target);
        }
        continue;
      }
      const pkg = readJson(join(full, 'package.json'));
      if (!pkg) continue;
      const entry: LockEntry = { version: typeof pkg.version === 'string' ? pkg.version : undefined, ...depsOf(pkg) };
      if (typeof pkg.name === 'string' && pkg.name !== f) entry.name = pkg.name;
      const resolvedField = pkg._resolved;
      if (typeof resolvedField === 'string') entry.resolved = resolvedField;
      out[loc] = entry;
      visit(loc);
    }
  };
  visit('');
  // Mark bundled deps (declared by their parent's bundleDependencies) so they are treated alike.
  for (const loc of Object.keys(out)) {
    if (!loc) continue;
    const pkg = readJson(join(root, loc, 'package.json'));
    const bundled = pkg?.bundleDependencies ?? pkg?.bundledDependencies;
    if (!Array.isArray(bundled)) continue;
    for (const b of bundled) {
      const child = out[posix.join(loc, 'node_modules', String(b))];
      if (child) child.inBundle = true;
    }
  }
  return out;
}

/** The folder name a location installs under ('node_modules/@s/x' -> '@s/x'); '' for root / non-node_modules. */
export function folderName(location: string): string {
  const i = location.lastIndexOf('node_modules/');
  return i < 0 ? '' : location.slice(i + 'node_modules/'.length);
}

/** Number of node_modules levels in a location (root = 0). */
export function depthOf(location: string): number {
  return location ? location.split('node_modules/').length - 1 || 1 : 0;
}

/** The location whose nested node_modules holds `location` ('' when top level). */
export function parentLocation(location: string): string {
  const i = location.lastIndexOf('/node_modules/');
  return i < 0 ? '' : location.slice(0, i);
}

/** Node's lookup: from `from` (a real location) walk up looking in each `node_modules`. */
export function resolveDependency(packages: Record<string, LockEntry>, from: string, dep: string): string | undefined {
  let dir = from;
  for (;;) {
    const last = dir.split('/').pop();
    if (last !== 'node_modules') {
      const cand = dir ? `${dir}/node_modules/${dep}` : `node_modules/${dep}`;
      if (packages[cand]) return realLocation(packages, cand);
    }
    if (!dir) return undefined;
    const i = dir.lastIndexOf('/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

/** Follow a link entry to the location of its target. */
export function realLocation(packages: Record<string, LockEntry>, location: string): string {
  const e = packages[location];
  if (e?.link && typeof e.resolved === 'string') return posix.normalize(e.resolved.replace(/^file:/, ''));
  return location;
}

/** Dependency edges (real locations) of every non-link node: dependencies, optionalDependencies, peerDependencies (and the root's devDependencies). */
export function dependencyEdges(packages: Record<string, LockEntry>): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const [loc, e] of Object.entries(packages)) {
    if (e.link) continue;
    const names = new Set([
      ...Object.keys(e.dependencies ?? {}),
      ...Object.keys(e.optionalDependencies ?? {}),
      ...Object.keys(e.peerDependencies ?? {}),
      ...(loc === '' ? Object.keys(e.devDependencies ?? {}) : []),
    ]);
    const out: string[] = [];
    for (const n of names) {
      const to = resolveDependency(packages, loc, n);
      if (to !== undefined && to !== loc) out.push(to);
    }
    edges.set(loc, out);
  }
  return edges;
}

/** Shortest chain of locations from the root to every reachable node (BFS; ties by location order). */
export function shortestPaths(edges: Map<string, string[]>): Map<string, string[]> {
  const paths = new Map<string, string[]>([['', ['']]]);
  const queue = [''];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const next of [...(edges.get(cur) ?? [])].sort()) {
      if (paths.has(next)) continue;
      paths.set(next, [...paths.get(cur)!, next]);
      queue.push(next);
    }
  }
  return paths;
}

/** The folders a location is nested in, outermost first, ending with itself ('' = the root). */
export function nestingChain(location: string): string[] {
  const chain = [location];
  for (let loc = location; loc; ) {
    loc = parentLocation(loc);
    chain.unshift(loc);
  }
  return chain;
}

/** Every node reachable from `start` (excluding `start` unless on a cycle back to it). */
export function reachableFrom(edges: Map<string, string[]>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(edges.get(start) ?? [])];
  while (stack.length) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    for (const n of edges.get(cur) ?? []) if (!seen.has(n)) stack.push(n);
  }
  return seen;
}

export function absoluteLocation(projectDir: string, location: string): string {
  return resolve(projectDir, location);
}
