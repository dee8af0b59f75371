/**
 * npm's modules compiled once: V8's code for them, kept between runs of npm's engine (issue 9).
 *
 * npm's engine is a second node process, and loading the real npm's arborist there (about 480
 * CommonJS modules) takes ~190 ms — the critical path of a small install or uninstall, root's above
 * all (its engine runs as the build user, so it cannot be our own process). Node 20 has no compile
 * cache of its own (module.enableCompileCache came in 22.1), so npm's modules are compiled here with
 * the code V8 made for them in an earlier run: about a third of that load goes.
 *
 * The kept data is code: whoever can write it runs code in the engine. So it is read only from a
 * file the engine's own user owns and nobody else can write (checked on the open file), in a folder
 * whose path only root and that user can change (the parent checks that: privateFolder), and never
 * for a uid that other software shares (the `nobody` fallback: the parent passes no folder then).
 * Each module's data is used only for the exact source it was made from: V8 itself checks only the
 * length of the source, and npm may be upgraded in place.
 *
 * It is written at exit, only when some module was compiled afresh, and only while V8's flags are as
 * they were when the modules loaded (V8 rejects data made under other flags, and lean-heap.ts changes
 * one during the run: that is undone first), so a steady state writes nothing.
 *
 * Part of npm's engine (bundled into arborist-worker.js by scripts/bundle.js).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { Script } from 'node:vm';
import { readRegularBytes } from '../run/user-files.js';

const MAGIC = Buffer.from('safe-npm code cache 2\n');
/** A file larger than this is not ours (npm's whole tree makes a few megabytes). */
const MAX_BYTES = 64 * 1024 * 1024;
/** Compiled first, its data kept in memory: whether V8's flags are still those of the load. */
const PROBE = 'void 0';
/** `import(` anywhere (a comment too: such a module is simply compiled by Node). */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

interface Kept { hash: string; data: Buffer }
type IndexEntry = [name: string, sourceHash: string, offset: number, length: number, crc: number];
interface Loaded { hash: string; script: Script; data?: Buffer }

export interface CodeCache {
  /** Modules compiled with kept code, and afresh, so far. */
  counts(): { kept: number; compiled: number };
  /** Write the file anew when a module was compiled afresh (call at exit). Never throws. */
  save(): void;
}

type CompileFn = (this: NodeModule, content: string, filename: string, format?: string) => unknown;
type ModuleInternals = {
  prototype: { _compile: CompileFn };
  wrap(source: string): string;
  _resolveFilename(request: string, parent: NodeModule, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: NodeModule): string[] | null;
  _extensions: NodeJS.RequireExtensions;
  _cache: NodeJS.Dict<NodeModule>;
};

/** The cache file in `folder` for modules under `under` (one per node version, platform and npm). */
export function codeCacheFile(folder: string, under: string): string {
  const npm = createHash('sha256').update(under).digest('hex').slice(0, 12);
  return join(folder, `npm-${process.version}-${process.platform}-${process.arch}-${npm}.bin`);
}

/**
 * From now on, CommonJS modules under the folder `under` are compiled with the code kept in
 * `folder` (where this user's engine keeps it), and their code is kept there for the next run.
 */
export function useCodeCache(folder: string, under: string): CodeCache {
  const file = codeCacheFile(folder, under);
  const kept = readKept(file);
  const probe = new Script(PROBE, { filename: 'safe-npm-code-cache-probe' }).createCachedData();
  const loaded = new Map<string, Loaded>();
  let keptCount = 0;
  let compiledCount = 0;
  const M = Module as unknown as ModuleInternals;
  const original = M.prototype._compile;
  M.prototype._compile = function compileWithKeptCode(this: NodeModule, content: string, filename: string, format?: string) {
    // ES modules (require of one, Node 22), anything outside npm, and a module that may import(), as
    // Node compiles them: V8 loses a script's import() handler with its cached code (Node 20:
    // ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING in the second run; cacache's `await import('p-map')`).
    if (format === 'module' || typeof content !== 'string' || typeof filename !== 'string' || !filename.startsWith(under) || DYNAMIC_IMPORT.test(content)) {
      return original.call(this, content, filename, format);
    }
    const hash = createHash('sha256').update(content).digest('base64');
    const entry = kept.get(filename);
    const usable = entry?.hash === hash ? entry.data : undefined;
    // A hashbang is fine at the start of a file, not inside the wrapper: a comment of the same length.
    const source = content.startsWith('#!') ? `//${content.slice(2)}` : content;
    const script = new Script(M.wrap(source), { filename, ...(usable ? { cachedData: usable } : {}) });
    const fresh = !usable || script.cachedDataRejected === true;
    loaded.set(filename, { hash, script, ...(fresh ? {} : { data: usable }) });
    if (fresh) compiledCount++;
    else keptCount++;
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return Reflect.apply(wrapper, this.exports, [this.exports, requireOf(this, M), this, filename, dirname(filename)]);
  };
  return {
    counts: () => ({ kept: keptCount, compiled: compiledCount }),
    save() {
      if (compiledCount === 0) return;
      try {
        // Data made under other flags than the load's would be rejected at every load: none then.
        // (Another name than the probe's own: V8 would answer from its in-memory cache of that script.)
        if (new Script(PROBE, { filename: 'safe-npm-code-cache-probe-check', cachedData: probe }).cachedDataRejected) return;
        const modules = new Map<string, Kept>();
        for (const [name, l] of loaded) modules.set(name, { hash: l.hash, data: l.data ?? l.script.createCachedData() });
        // What this run did not load stays (another command loads it), as long as the file stays small.
        for (const [name, k] of kept) if (!modules.has(name)) modules.set(name, k);
        writeKept(file, modules);
      } catch {
        // a cache is a courtesy: the next run compiles afresh
      }
    },
  };
}

/** `require` as Node makes it for a module (lib/internal/modules/helpers.js makeRequireFunction). */
function requireOf(mod: NodeModule, M: ModuleInternals): NodeJS.Require {
  const require = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => M._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => M._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = M._extensions;
  require.cache = M._cache;
  return require;
}

/** The kept code, when the file is this user's alone and well formed; else nothing. */
function readKept(file: string): Map<string, Kept> {
  const out = new Map<string, Kept>();
  try {
    // A FIFO, a link, another owner's file or a group-writable one: refused, never read.
    const bytes = readRegularBytes(file, { what: 'kept code', maxBytes: MAX_BYTES, ownedBy: process.getuid?.() ?? -1 });
    if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) return out;
    const headerLength = bytes.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4 + headerLength;
    const header = JSON.parse(bytes.subarray(MAGIC.length + 4, start).toString('utf8')) as { node?: string; modules?: IndexEntry[] };
    if (header.node !== process.version || !Array.isArray(header.modules)) return out;
    for (const [name, hash, offset, length, crc] of header.modules) {
      if (start + offset + length > bytes.length) return new Map();
      const data = bytes.subarray(start + offset, start + offset + length);
      // V8 takes damaged data as it is (its own checksum is checked only in debug builds) and dies
      // of it (a fatal error, SIGTRAP), in every run until the file is replaced: each entry's own.
      if (crc32(data) === crc) out.set(name, { hash, data });
    }
    return out;
  } catch {
    return new Map();
  }
}

/** A new file beside the old one, renamed over it: a reader sees the old file or the new one, whole. */
function writeKept(file: string, modules: Map<string, Kept>): void {
  const index: IndexEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, { hash, data }] of modules) {
    if (offset + data.length > MAX_BYTES / 2) break;
    index.push([name, hash, offset, data.length, crc32(data)]);
    chunks.push(data);
    offset += data.length;
  }
  const header = Buffer.from(JSON.stringify({ node: process.version, modules: index }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    // 'wx': a fresh file of ours, never through a link someone put there.
    writeFileSync(temp, Buffer.concat([MAGIC, length, header, ...chunks]), { flag: 'wx', mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
