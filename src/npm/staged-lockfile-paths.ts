/**
 * A lockfile npm wrote in the staging copy records a folder outside the project (an absolute
 * `file:/x` dependency, linked) by its path relative to the project — relative to the staging copy,
 * deeper in the temp folder: committed as it was, `../../../../x/lib/pkg` led nowhere from the real
 * project, and the next `npm ci` there failed. Those paths are made relative from where the project
 * really is, in the staged lockfiles, before the commit compares and writes them. Folders staged
 * beside the project (`file:../x`, workspaces) keep their paths: the layout there is the real one.
 * Only a lockfile with such a path changes: its strings, then its `packages` sorted again as npm
 * sorts them, written in npm's layout (its indent and line ends), so that it is npm's byte for byte.
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { isWithin } from '../run/within.js';

/** The lockfiles of a package folder npm may write: its own two, and the hidden one in node_modules. */
const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', join('node_modules', '.package-lock.json')];

/** `text` with every path to a folder outside `stageRoot` made relative from `liveDir` instead of `stagedDir`. */
export function relocateLockfileText(text: string, stagedDir: string, liveDir: string, stageRoot: string): string {
  let lock: { packages?: Record<string, { link?: unknown; resolved?: unknown }>; dependencies?: Record<string, unknown> };
  try {
    lock = JSON.parse(text) as typeof lock;
  } catch {
    return text; // not npm's: left as it is
  }
  const moved = new Map<string, string>();
  const consider = (path: unknown) => {
    if (typeof path !== 'string' || path === '' || isAbsolute(path) || moved.has(path)) return;
    const target = resolve(stagedDir, path);
    if (isWithin(target, stageRoot)) return;
    moved.set(path, relative(liveDir, target) || '.');
  };
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    consider(key);
    if (entry && entry.link === true) consider(entry.resolved);
  }
  // Lockfile v1/v2: `"version": "file:<path>"` in the dependencies tree.
  const walk = (deps: unknown) => {
    if (!deps || typeof deps !== 'object') return;
    for (const dep of Object.values(deps as Record<string, { version?: unknown; dependencies?: unknown }>)) {
      if (typeof dep?.version === 'string' && dep.version.startsWith('file:')) consider(dep.version.slice('file:'.length));
      walk(dep?.dependencies);
    }
  };
  walk(lock.dependencies);
  if (moved.size === 0) return text;
  let out = text;
  for (const [from, to] of moved) {
    out = out.split(JSON.stringify(from)).join(JSON.stringify(to));
    out = out.split(JSON.stringify(`file:${from}`)).join(JSON.stringify(`file:${to}`));
  }
  // A moved key may sort elsewhere: npm writes `packages` sorted (json-stringify-nice, every value
  // an object: by localeCompare in 'en'), with the indent and line ends of the text it wrote.
  const relocated = JSON.parse(out) as typeof lock;
  if (relocated.packages) relocated.packages = Object.fromEntries(Object.entries(relocated.packages).sort(([a], [b]) => a.localeCompare(b, 'en')));
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return `${JSON.stringify(relocated, null, indent)}\n`.replace(/\n/g, eol);
}

/** Rewrite the staged lockfiles of one package folder (see above); never through a link. */
export function relocateStagedLockfiles(stagedDir: string, liveDir: string, stageRoot: string): void {
  for (const name of LOCKFILES) {
    const path = join(stagedDir, name);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch {
      continue; // none (or not a plain file): nothing of ours to fix
    }
    try {
      if (!fstatSync(fd).isFile()) continue;
      const text = readFileSync(fd, 'utf8');
      const fixed = relocateLockfileText(text, stagedDir, liveDir, stageRoot);
      if (fixed === text) continue;
      const bytes = Buffer.from(fixed);
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at, at);
      // Shorter than before: what is left of the old text goes.
      ftruncateSync(fd, bytes.length);
    } finally {
      closeSync(fd);
    }
  }
}
