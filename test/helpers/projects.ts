/**
 * Temp projects owned by a chosen user, byte-for-byte snapshots of what an install touches, and
 * owners read from the file system (lstat), never from what a script printed.
 */
import { createHash } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { afterAll } from 'vitest';
import { lookupUser } from '../../src/run/users.js';

export type Owner = 'root' | 'nobody' | { uid: number; gid: number };

export function resolveOwner(owner: Owner): { uid: number; gid: number } {
  if (typeof owner === 'object') return owner;
  const account = lookupUser(owner);
  if (!account) throw new Error(`no user ${owner} in /etc/passwd`);
  return { uid: account.uid, gid: account.gid };
}

/** Throws unless every ancestor of `dir` can be traversed by other users (o+x). */
export function assertTraversable(dir: string): void {
  let current = resolve(dir);
  for (;;) {
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) throw new Error(`${current} is not traversable by other users (mode ${(mode & 0o7777).toString(8)}); set TMPDIR elsewhere`);
  }
}

const removeAtEnd = new Set<string>();
const keepTmp = () => process.env.SAFE_NPM_TEST_KEEP_TMP === '1';

/** Remove every folder registered with removeOnExit (unless SAFE_NPM_TEST_KEEP_TMP=1). */
export function removeRegisteredDirs(): void {
  if (keepTmp()) return;
  for (const d of removeAtEnd) rmSync(d, { recursive: true, force: true });
  removeAtEnd.clear();
}

// Vitest's fork workers do not always emit 'exit': clean up after each test file (hooks registered
// while the file's imports are collected attach to that file), and at exit as a fallback.
try {
  afterAll(removeRegisteredDirs);
} catch {
  // imported outside a vitest collection: the exit hook below still runs
}
process.on('exit', removeRegisteredDirs);

/** Remove `dir` after the current test file (or at process exit); SAFE_NPM_TEST_KEEP_TMP=1 keeps it. */
export function removeOnExit(dir: string): void {
  removeAtEnd.add(dir);
}

/** A fresh folder in os.tmpdir(), mode 755 (or `mode`), that other users can reach; removed at exit. */
export async function makeTempDir(prefix = 'safe-npm-test-', mode = 0o755): Promise<string> {
  assertTraversable(join(tmpdir(), 'x'));
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, mode);
  removeOnExit(dir);
  return dir;
}

export interface MakeProjectOptions {
  /** Who owns the folder and everything written into it. Default 'root'. */
  owner?: Owner;
  /** package.json content; default { name: 'test-project', version: '1.0.0', private: true }. null: no package.json. */
  packageJson?: Record<string, unknown> | null;
  /** Extra files, relative to the project (folders are created). */
  files?: Record<string, string | Buffer>;
}

/** A project folder in os.tmpdir() (mode 755, traversable by `nobody`), chowned to its owner. */
export async function makeProject(opts: MakeProjectOptions = {}): Promise<string> {
  const { uid, gid } = resolveOwner(opts.owner ?? 'root');
  const dir = await makeTempDir('safe-npm-project-');
  const files: Record<string, string | Buffer> = {};
  if (opts.packageJson !== null) {
    files['package.json'] = JSON.stringify(opts.packageJson ?? { name: 'test-project', version: '1.0.0', private: true }, null, 2) + '\n';
  }
  Object.assign(files, opts.files);
  for (const [rel, content] of Object.entries(files)) {
    const target = resolve(dir, rel);
    if (!target.startsWith(dir + sep)) throw new Error(`project file path must stay inside the project: ${rel}`);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, content, { mode: 0o644 });
  }
  await chownTree(dir, uid, gid);
  return dir;
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  const st = await lstat(path);
  if (!st.isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

/** Recursively list `root` (lstat, symlinks not followed), as posix paths relative to `base`. */
async function walk(base: string, root: string, out: string[] = []): Promise<string[]> {
  let st;
  try {
    st = await lstat(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  out.push(relative(base, root).split(sep).join('/') || '.');
  if (st.isDirectory()) {
    for (const entry of (await readdir(root)).sort()) await walk(base, join(root, entry), out);
  }
  return out;
}

/**
 * path → content fingerprint for package.json, package-lock.json and everything under node_modules:
 * files `sha256:<hex>`, symlinks `link:<target>`, folders `dir`. Compare two snapshots with toEqual.
 */
export async function snapshotProject(dir: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  const paths = [
    ...(await walk(dir, join(dir, 'package.json'))),
    ...(await walk(dir, join(dir, 'package-lock.json'))),
    ...(await walk(dir, join(dir, 'node_modules'))),
  ];
  for (const rel of paths) {
    const abs = join(dir, rel);
    const st = await lstat(abs);
    if (st.isSymbolicLink()) snapshot[rel] = `link:${await readlink(abs)}`;
    else if (st.isDirectory()) snapshot[rel] = 'dir';
    else snapshot[rel] = `sha256:${createHash('sha256').update(await readFile(abs)).digest('hex')}`;
  }
  return snapshot;
}

/** rel path (posix, relative to dir) → owner uid, per lstat, for `rel` and everything under it. Missing: {}. */
export async function ownerMapUnder(dir: string, rel = '.'): Promise<Record<string, number>> {
  const map: Record<string, number> = {};
  for (const p of await walk(dir, join(dir, rel))) map[p] = (await lstat(join(dir, p))).uid;
  return map;
}

/** The distinct owner uids (sorted) of `rel` and everything under it, per lstat. Missing: []. */
export async function ownersUnder(dir: string, rel = '.'): Promise<number[]> {
  return [...new Set(Object.values(await ownerMapUnder(dir, rel)))].sort((a, b) => a - b);
}
