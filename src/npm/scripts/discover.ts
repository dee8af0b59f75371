import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import type { Finding } from '../../core/types.js';
import {
  dependencyEdges,
  folderName,
  nestingChain,
  parentLocation,
  reachableFrom,
  readInstalledTree,
  shortestPaths,
  type LockEntry,
} from './installed-tree.js';
import { EVENT_ORDER, type CandidateSource, type ReferencedFile, type ScriptCandidate, type ScriptEvent } from './types.js';

/** The command npm synthesizes for a package with binding.gyp and no (pre)install script. */
export const GYP_COMMAND = 'node-gyp rebuild';

const DEP_EVENTS: ScriptEvent[] = ['preinstall', 'install', 'postinstall'];
const ROOT_EVENTS: ScriptEvent[] = [...EVENT_ORDER];

/**
 * Every installed package (and the root project) with install-time scripts, from the lockfile
 * `packages` and each package's ON-DISK package.json.
 *
 * Bundled dependencies (`inBundle`): reported like any other candidate, with source `bundled` and
 * `bundledBy` = the bundling parent; their identity is the parent's (the lockfile has no
 * resolved/integrity for them; the parent's integrity covers their bytes), so approvals are keyed
 * `parent@version>name@version` (see approvals.ts) and npm's `allowScripts` never matches them
 * (as in npm). They never run unless approved that way; a bare-name deny covers them too.
 */
export async function discoverInstallScripts(projectDir: string): Promise<ScriptCandidate[]> {
  const root = resolve(projectDir);
  const tree = readInstalledTree(root);
  const packages = tree.packages;
  const edges = dependencyEdges(packages);
  const paths = shortestPaths(edges);
  const nameAt = (loc: string) => (loc === '' ? (packages['']?.name ?? '(root)') : packages[loc] ? expectedName(loc, packages[loc]) : folderName(loc) || loc);

  // Link targets: which locations link to them.
  const linkedFrom = new Map<string, string[]>();
  for (const [loc, e] of Object.entries(packages)) {
    if (!e.link || typeof e.resolved !== 'string') continue;
    const target = posix.normalize(e.resolved.replace(/^file:/, ''));
    linkedFrom.set(target, [...(linkedFrom.get(target) ?? []), loc]);
  }

  const candidates: ScriptCandidate[] = [];
  for (const [location, entry] of Object.entries(packages)) {
    if (entry.link) continue;
    const dir = resolve(root, location);
    const manifestPath = join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue; // not on disk: a skipped optional dependency
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch {
      continue;
    }
    const isRoot = location === '';
    const source = sourceOf(location, entry, linkedFrom.has(location));
    const events = extractScripts(dir, manifest, source);
    if (Object.keys(events.scripts).length === 0) continue;

    const identity = identityOf(location, entry, packages);
    const problems: string[] = [];
    const notes: string[] = [];
    if (!isRoot && source !== 'link') {
      if (manifest.name !== identity.name || manifest.version !== identity.version) {
        problems.push(
          `manifest confusion: the lockfile says ${identity.name}@${identity.version} but ${relOrAbs(root, manifestPath)} says ${String(manifest.name)}@${String(manifest.version)}`,
        );
      }
      if (entry.hasInstallScript !== true && tree.source !== 'node_modules' && hasDepInstallScript(events.scripts)) {
        notes.push('the lockfile does not record hasInstallScript for this package, but its package.json on disk has install scripts');
      }
    }
    if (source === 'git' && events.scripts.prepare) notes.push('git dependency with a prepare script: its build step normally runs when npm packs it (needs a re-pack)');

    const bundledBy = entry.inBundle ? bundlingParent(location, packages) : undefined;
    // Unreachable through declared dependencies (a stale lockfile): how it is nested on disk still says why.
    const chain = paths.get(location) ?? nestingChain(location);
    const name = isRoot ? (typeof manifest.name === 'string' ? manifest.name : '(root)') : identity.name;
    const version = isRoot ? (typeof manifest.version === 'string' ? manifest.version : '0.0.0') : identity.version;
    const alias = !isRoot && folderName(location) && folderName(location) !== name ? folderName(location) : undefined;
    candidates.push({
      name,
      version,
      integrity: entry.inBundle ? bundledBy?.integrity : entry.integrity,
      resolved: entry.resolved,
      location,
      path: dir,
      linkedFrom: linkedFrom.get(location),
      alias,
      dependencyPath: chain.map((l) => (l === '' ? (typeof manifest.name === 'string' && isRoot ? manifest.name : nameAt('')) : nameAt(l))),
      dev: Boolean(entry.dev),
      optional: Boolean(entry.optional),
      devOptional: Boolean(entry.devOptional),
      peer: Boolean(entry.peer),
      source,
      isRoot,
      inBundle: Boolean(entry.inBundle),
      bundledBy: bundledBy && { location: bundledBy.location, name: bundledBy.name, version: bundledBy.version },
      scripts: events.scripts,
      gyp: events.gyp,
      scriptsDigest: scriptsDigest(events.scripts, events.gyp),
      referencedFiles: referencedFiles(dir, events.scripts),
      problems,
      notes,
      dependsOn: [],
    });
  }

  // Transitive dependencies between candidates (through any installed node).
  const candidateLocations = new Set(candidates.map((c) => c.location));
  for (const c of candidates) {
    c.dependsOn = [...reachableFrom(edges, c.location)].filter((l) => l !== c.location && candidateLocations.has(l)).sort();
  }
  // Dependencies first for readability; the real order comes from order.ts.
  return candidates.sort((a, b) => Number(a.isRoot) - Number(b.isRoot) || a.location.localeCompare(b.location));
}

function hasDepInstallScript(scripts: Partial<Record<ScriptEvent, string>>): boolean {
  return DEP_EVENTS.some((e) => scripts[e] !== undefined);
}

function relOrAbs(root: string, p: string): string {
  const r = relative(root, p);
  return r.startsWith('..') ? p : r.split(sep).join('/');
}

/** The install-time events of one package folder, in run order, with the gyp rule applied. */
export function extractScripts(
  dir: string,
  manifest: Record<string, unknown>,
  source: CandidateSource,
): { scripts: Partial<Record<ScriptEvent, string>>; gyp: ScriptCandidate['gyp'] } {
  const raw = (manifest.scripts && typeof manifest.scripts === 'object' ? manifest.scripts : {}) as Record<string, unknown>;
  const wanted = source === 'root' ? ROOT_EVENTS : source === 'git' || source === 'link' ? [...DEP_EVENTS, 'prepare' as const] : DEP_EVENTS;
  const scripts: Partial<Record<ScriptEvent, string>> = {};
  for (const ev of EVENT_ORDER) {
    if (!wanted.includes(ev)) continue;
    const cmd = raw[ev];
    if (typeof cmd === 'string' && cmd.trim() !== '') scripts[ev] = cmd;
  }
  let gyp: ScriptCandidate['gyp'] = 'none';
  if (!scripts.install && !scripts.preinstall && existsSync(join(dir, 'binding.gyp'))) {
    if (manifest.gypfile === false) gyp = 'suppressed';
    else {
      gyp = 'implicit';
      // keep run order: the synthetic install sits between preinstall and postinstall
      const ordered: Partial<Record<ScriptEvent, string>> = {};
      for (const ev of EVENT_ORDER) {
        if (ev === 'install') ordered.install = GYP_COMMAND;
        else if (scripts[ev] !== undefined) ordered[ev] = scripts[ev];
      }
      return { scripts: ordered, gyp };
    }
  }
  return { scripts, gyp };
}

/** sha256 (hex) over the ordered event -> command list; the implicit gyp install carries a marker. */
export function scriptsDigest(scripts: Partial<Record<ScriptEvent, string>>, gyp: ScriptCandidate['gyp']): string {
  const h = createHash('sha256');
  for (const ev of EVENT_ORDER) {
    const cmd = scripts[ev];
    if (cmd === undefined) continue;
    const marker = ev === 'install' && gyp === 'implicit' ? '\0(implicit: binding.gyp)' : '';
    h.update(`${ev}\0${cmd}${marker}\n`);
  }
  return h.digest('hex');
}

/** How a lockfile entry was installed. */
export function sourceOf(location: string, entry: LockEntry, isLinkTarget: boolean): CandidateSource {
  if (location === '') return 'root';
  if (entry.inBundle) return 'bundled';
  if (isLinkTarget || !location.includes('node_modules/')) return 'link';
  const r = entry.resolved;
  if (typeof r === 'string') {
    if (/^(git\+|git:|github:|gitlab:|bitbucket:|gist:)/.test(r) || /\.git(#|$)/.test(r)) return 'git';
    if (r.startsWith('file:')) return /\.(tgz|tar\.gz|tar)$/.test(r) ? 'file' : 'link';
    if (/^https?:/.test(r)) return registryTarball(r) ? 'registry' : 'remote';
    return 'unknown';
  }
  // `resolved` is omitted for registry deps under omit-lockfile-registry-resolved=true.
  return typeof entry.version === 'string' && /^\d+\.\d+\.\d+/.test(entry.version) ? 'registry' : 'unknown';
}

/** name/version from a registry tarball URL `.../<name>/-/<base>-<version>.tgz`. */
export function registryTarball(url: string): { name: string; version: string } | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const m = /(?:^|\/)((?:@[^/]+(?:\/|%2f))?[^/]+)\/-\/([^/]+)\.tgz$/i.exec(pathname);
  if (!m) return undefined;
  const name = decodeURIComponent(m[1]!);
  const base = name.split('/').pop()!;
  const file = decodeURIComponent(m[2]!);
  if (!file.startsWith(`${base}-`)) return undefined;
  return { name, version: file.slice(base.length + 1) };
}

function expectedName(location: string, entry: LockEntry): string {
  return entry.name || folderName(location) || location.split('/').pop() || location;
}

/** What the lockfile says this node is: from `resolved` for registry tarballs, else the entry. */
export function identityOf(location: string, entry: LockEntry, _packages?: Record<string, LockEntry>): { name: string; version: string } {
  if (typeof entry.resolved === 'string' && /^https?:/.test(entry.resolved)) {
    const fromUrl = registryTarball(entry.resolved);
    if (fromUrl) return fromUrl;
  }
  return { name: expectedName(location, entry), version: entry.version ?? '' };
}

function bundlingParent(location: string, packages: Record<string, LockEntry>): { location: string; name: string; version: string; integrity?: string } | undefined {
  let loc = parentLocation(location);
  while (loc && packages[loc]?.inBundle) loc = parentLocation(loc);
  const e = packages[loc];
  if (!e) return undefined;
  const id = loc === '' ? { name: e.name ?? '(root)', version: e.version ?? '' } : identityOf(loc, e);
  return { location: loc, ...id, integrity: e.integrity };
}

/** For `node <file>` scripts: the file, its size, sha256 and first lines. */
export function referencedFiles(dir: string, scripts: Partial<Record<ScriptEvent, string>>): ReferencedFile[] {
  const out: ReferencedFile[] = [];
  for (const ev of EVENT_ORDER) {
    const cmd = scripts[ev];
    if (!cmd) continue;
    // `node [flags] <file>`; `node -e|-p <code>` runs no file (its code is the script text itself).
    const re = /(?:^|[;&|]\s*|\s)node\s+((?:-{1,2}[\w-]+(?:=\S+)?\s+)*)(["']?)([^\s"';&|-][^\s"';&|]*)\2/g;
    for (const m of cmd.matchAll(re)) {
      if (/(?:^|\s)(?:-e|-p|--eval|--print)\s/.test(m[1]!)) continue;
      const file = m[3]!;
      const full = resolve(dir, file);
      const rel = relative(dir, full);
      if (rel.startsWith('..') || rel === '') {
        out.push({ event: ev, file, exists: existsSync(full), problem: 'resolves outside the package folder' });
        continue;
      }
      const candidatesOnDisk = [full, `${full}.js`, `${full}.cjs`, `${full}.mjs`, join(full, 'index.js')];
      const hit = candidatesOnDisk.find((p) => {
        try {
          return statSync(p).isFile();
        } catch {
          return false;
        }
      });
      if (!hit) {
        out.push({ event: ev, file, relative: rel.split(sep).join('/'), exists: false });
        continue;
      }
      try {
        const real = realpathSync(hit);
        const realRel = relative(realpathSync(dir), real);
        if (realRel.startsWith('..')) {
          out.push({ event: ev, file, exists: true, problem: 'links outside the package folder' });
          continue;
        }
        const buf = readFileSync(real);
        out.push({
          event: ev,
          file,
          relative: relative(dir, hit).split(sep).join('/'),
          exists: true,
          size: buf.length,
          sha256: createHash('sha256').update(buf).digest('hex'),
          preview: buf.toString('utf8').split('\n').slice(0, 12).map((l) => (l.length > 200 ? `${l.slice(0, 200)}…` : l)),
        });
      } catch (error) {
        out.push({ event: ev, file, exists: true, problem: `cannot read: ${(error as Error).message}` });
      }
    }
  }
  return out;
}

/**
 * The commands a `.bin` entry would take over: executables of that name in the PATH folders the user's
 * shell searches (never node_modules/.bin folders), so only a command that exists is named.
 */
export function commandsOnPath(path: string | undefined): (name: string) => string | undefined {
  const dirs = (path ?? '').split(':').filter((d) => d && isAbsolute(d) && !/(^|\/)node_modules\/\.bin\/?$/.test(d));
  return (name) => {
    for (const dir of dirs) {
      const file = join(dir, name);
      try {
        const st = statSync(file);
        if (st.isFile() && (st.mode & 0o111) !== 0) return file;
      } catch { /* not there */ }
    }
    return undefined;
  };
}

/**
 * `.bin` entries (root and nested) named like a command on the user's PATH (`onPath`: see
 * commandsOnPath). With `written` (the package locations this run wrote), only the entries that lead
 * into one of them: a bin that was there before was said when it came.
 */
export function findShadowingBins(projectDir: string, onPath: (name: string) => string | undefined, written?: ReadonlySet<string>): Finding[] {
  const root = resolve(projectDir);
  const findings: Finding[] = [];
  const binDirs: string[] = [];
  const collect = (nm: string, depth: number) => {
    if (depth > 20) return;
    let names: string[];
    try {
      names = readdirSync(nm);
    } catch {
      return;
    }
    if (names.includes('.bin')) binDirs.push(join(nm, '.bin'));
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const sub = n.startsWith('@') ? safeList(join(nm, n)).map((s) => join(nm, n, s)) : [join(nm, n)];
      for (const s of sub) collect(join(s, 'node_modules'), depth + 1);
    }
  };
  collect(join(root, 'node_modules'), 0);
  for (const bin of binDirs.sort()) {
    for (const entry of safeList(bin).sort()) {
      const system = onPath(entry);
      if (!system) continue;
      let target = '';
      try {
        target = readlinkSync(join(bin, entry));
      } catch {
        /* not a link */
      }
      if (written) {
        const into = target ? relative(root, resolve(bin, target)).split(sep).join('/') : '';
        if (![...written].some((location) => into === location || into.startsWith(`${location}/`))) continue;
      }
      const where = relative(root, join(bin, entry)).split(sep).join('/');
      findings.push({
        check: 'bin-shadowing',
        severity: 'warn',
        message: `${where} shadows the system command "${entry}" (${system})${target ? ` (-> ${target})` : ''}`,
        details: ['every npm script run in this project (and every install script) finds it before the real one on PATH'],
      });
    }
  }
  return findings;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
