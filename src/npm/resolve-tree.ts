/**
 * The whole tree npm would install, computed by npm's own engine (@npmcli/arborist) in-process,
 * `--package-lock-only` style, in a scratch copy of the project: nothing in the project is written.
 * It shares the packuments it fetches with the checks (one in-memory cache, one disk cache), and
 * applies the release cooldown with arborist's own `before` / `minReleaseAgeExclude`.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

export interface ResolvedNode {
  name: string;
  version: string;
  /** Lockfile location, e.g. node_modules/a/node_modules/b. */
  location: string;
  integrity?: string;
  resolved?: string;
  /** True for registry packages (vettable from registry metadata). */
  registry: boolean;
  /** Where a non-registry package comes from. */
  source: 'registry' | 'git' | 'file' | 'remote';
  /** Names from the root to this package (root excluded), shortest path. */
  path: string[];
  dev: boolean;
  optional: boolean;
}

export interface TooYoung {
  name: string;
  version: string;
  /** Nothing satisfied the cooldown, so the newest matching version is kept (a warn). */
  reason: 'no-older-version';
}

export interface ResolveResult {
  nodes: ResolvedNode[];
  /** Packages whose cooldown was lifted because no old-enough version satisfies the request. */
  tooYoung: Array<{ name: string; wanted: string }>;
}

export interface ResolveRequest {
  /** Scratch folder holding package.json, lockfile and .npmrc (and workspaces) — written by this call. */
  dir: string;
  /** pacote/npm flat options (registry, auth, cache, packumentCache, save flags…). */
  options: Record<string, unknown>;
  /** install/add: the package specs; update: names (or true for all). */
  add?: string[];
  update?: string[] | true;
  /** Release cooldown: versions published after this date are not chosen (unless excluded). */
  before?: Date;
  cooldownExclude?: string[];
}

type ArboristNode = {
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
};

/**
 * Load the resolver and the modules it requires lazily, while we can still read our own install:
 * resolution runs with the build user's effective uid, which may not be able to enter the folder
 * safe-npm is installed in.
 */
export function preloadResolver(): void {
  require('@npmcli/arborist');
  const fromPackageJson = createRequire(require.resolve('@npmcli/package-json'));
  for (const id of ['hosted-git-info', 'glob', './lib/normalize-data.js', '@npmcli/git']) {
    try {
      if (id.startsWith('./')) fromPackageJson(require.resolve('@npmcli/package-json').replace(/lib\/index\.js$/, id.slice(2)));
      else fromPackageJson(id);
    } catch {
      // Not every version has every lazy module.
    }
  }
  const fromFetch = createRequire(require.resolve('minipass-fetch'));
  try {
    fromFetch('iconv-lite');
  } catch { /* optional */ }
}

/** Resolve and write package.json + lockfile in `dir` (package-lock-only); return every package in the tree. */
export async function resolveTree(request: ResolveRequest): Promise<ResolveResult> {
  const Arborist = require('@npmcli/arborist');
  const exclude = [...(request.cooldownExclude ?? [])];
  const tooYoung: ResolveResult['tooYoung'] = [];
  const baseOptions = {
    ...request.options,
    path: request.dir,
    packageLockOnly: true,
    ignoreScripts: true,
    audit: false,
    fund: false,
    save: true,
    // The scratch lockfile keeps registry URLs so the install that follows needs no packument to find a
    // tarball; npm writes the lockfile again in the user's own format when it installs.
    omitLockfileRegistryResolved: false,
    progress: false,
  };
  // Each round lifts the cooldown for one package that has no old-enough version (npm's own `before`
  // would just fail): the newest matching version is kept and reported.
  for (let round = 0; ; round++) {
    const arb = new Arborist({
      ...baseOptions,
      ...(request.before ? { before: request.before, minReleaseAgeExclude: exclude } : {}),
    });
    try {
      await arb.reify({ add: request.add ?? [], update: request.update, packageLockOnly: true, save: true });
      break;
    } catch (error) {
      const e = error as { code?: string; name?: string; wanted?: string; message: string };
      if (request.before && e.code === 'ETARGET' && typeof e.name === 'string' && e.name && !exclude.includes(e.name) && round < 50) {
        exclude.push(e.name);
        tooYoung.push({ name: e.name, wanted: e.wanted ?? '' });
        continue;
      }
      throw error;
    }
  }
  const reader = new Arborist({ ...baseOptions });
  const tree = (await reader.loadVirtual()) as ArboristNode & { inventory: Map<string, ArboristNode> };
  return { nodes: collectNodes(tree), tooYoung };
}

function collectNodes(root: ArboristNode): ResolvedNode[] {
  // Breadth-first from the root: the first path that reaches a node is a shortest one.
  const paths = new Map<ArboristNode, string[]>();
  const queue: ArboristNode[] = [root];
  paths.set(root, []);
  while (queue.length) {
    const node = queue.shift()!;
    const here = paths.get(node)!;
    for (const [name, edge] of node.edgesOut) {
      let to = edge.to;
      if (!to) continue;
      if (to.isLink && to.target) to = to.target;
      if (paths.has(to)) continue;
      paths.set(to, [...here, name]);
      queue.push(to);
    }
  }
  const out: ResolvedNode[] = [];
  for (const [node, path] of paths) {
    // First-party folders (workspaces, file: links) are the project's own code, not packages to vet.
    if (node === root || node.isProjectRoot || node.isLink || !node.location.includes('node_modules/')) continue;
    const resolved = node.resolved ?? undefined;
    out.push({
      name: node.packageName ?? node.name,
      version: node.version,
      location: node.location,
      integrity: node.integrity ?? undefined,
      resolved,
      registry: isRegistryNode(node),
      source: isRegistryNode(node) ? 'registry' : resolved?.startsWith('git') ? 'git' : resolved?.startsWith('file:') ? 'file' : 'remote',
      path,
      dev: node.dev,
      optional: node.optional,
    });
  }
  return out.sort((a, b) => a.location.localeCompare(b.location));
}

function isRegistryNode(node: ArboristNode): boolean {
  const resolved = node.resolved ?? '';
  if (!resolved) return Boolean(node.version) && !node.isLink; // no `resolved` (omit-lockfile-registry-resolved): a registry package
  return /^https?:\/\//.test(resolved) && /\/-\/[^/]+-\d[^/]*\.tgz$/.test(resolved);
}

/** The project's lockfile as a tree (for npm ci): read-only, nothing resolved. */
export async function loadLockedTree(projectDir: string, options: Record<string, unknown>): Promise<ResolvedNode[]> {
  const Arborist = require('@npmcli/arborist');
  const tree = await new Arborist({ ...options, path: projectDir }).loadVirtual();
  return collectNodes(tree);
}

/** location → version/integrity, from the first of these files that exist (in this order). */
export function lockEntries(projectDir: string, files: readonly string[]): Map<string, { version: string; integrity?: string }> {
  const out = new Map<string, { version: string; integrity?: string }>();
  for (const file of files) {
    const path = join(projectDir, file);
    if (!existsSync(path)) continue;
    try {
      const lock = JSON.parse(readFileSync(path, 'utf8')) as { packages?: Record<string, { version?: string; integrity?: string }> };
      for (const [location, entry] of Object.entries(lock.packages ?? {})) {
        if (location && entry.version && !out.has(location)) out.set(location, { version: entry.version, integrity: entry.integrity });
      }
    } catch {
      // An unreadable lockfile means everything counts as new.
    }
    break;
  }
  return out;
}

/** What is installed: npm's hidden lockfile. */
export const installedEntries = (projectDir: string) => lockEntries(projectDir, [join('node_modules', '.package-lock.json')]);
/** What the project's lockfile says. */
export const lockedEntries = (projectDir: string) => lockEntries(projectDir, ['npm-shrinkwrap.json', 'package-lock.json']);
