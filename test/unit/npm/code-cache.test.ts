import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../helpers/projects.js';
import { rm } from 'node:fs/promises';

/**
 * npm's engine compiles npm's modules with the code V8 made for them in an earlier run (code-cache.ts).
 * Each run is a node process of its own (the hook changes how that process compiles CommonJS), on the
 * built module (dist/: `npm test` builds first). A module folder stands for npm's.
 */
const built = fileURLToPath(new URL('../../../dist/npm/code-cache.js', import.meta.url));
let base: string;
let npm: string;
let folder: string;

beforeEach(async () => {
  base = await makeTempDir('safe-npm-code-cache-');
  npm = join(base, 'npm');
  folder = join(base, 'kept');
  mkdirSync(npm);
  writeFileSync(join(npm, 'index.js'), [
    '#!/usr/bin/env node',
    "const dep = require('./dep');",
    'module.exports = {',
    '  dep, file: __filename, dir: __dirname, self: module.id === __filename || module.filename === __filename,',
    "  resolved: require.resolve('./dep'), paths: Array.isArray(require.resolve.paths('x')),",
    "  cached: Boolean(require.cache[require.resolve('./dep')]), extensions: Object.keys(require.extensions).includes('.js'),",
    "  esm: require('./dynamic').esm,",
    '};',
    '',
  ].join('\n'));
  writeFileSync(join(npm, 'dep.js'), "module.exports = 'dep-A';\n");
  writeFileSync(join(npm, 'esm.mjs'), "export const value = 'from esm';\n");
  // import() in a module compiled with kept code fails (V8 drops its handler with the cache): Node compiles this one.
  writeFileSync(join(npm, 'dynamic.js'), "exports.esm = () => import('./esm.mjs').then((m) => m.value);\n");
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** One run: load the "npm" with the cache (unless `plain`), say what it exported and how it compiled. */
function run(options: { plain?: boolean; beforeSave?: string } = {}): { exported: Record<string, unknown>; counts?: { kept: number; compiled: number } } {
  const script = `
    import { createRequire } from 'node:module';
    import { setFlagsFromString } from 'node:v8';
    const { useCodeCache } = await import(${JSON.stringify(built)});
    const cache = ${options.plain ? 'undefined' : `useCodeCache(${JSON.stringify(folder)}, ${JSON.stringify(`${npm}/`)})`};
    const entry = ${JSON.stringify(join(npm, 'index.js'))};
    const m = createRequire(entry)(entry);
    const exported = { ...m, esm: await m.esm() };
    ${options.beforeSave ?? ''}
    cache?.save();
    console.log(JSON.stringify({ exported, counts: cache?.counts() }));
  `;
  // (A run held forever fails the test instead of hanging it.)
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`exit ${r.status}, signal ${r.signal}: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout) as ReturnType<typeof run>;
}

const keptFile = () => {
  const files = readdirSync(folder).filter((f) => f.endsWith('.bin'));
  expect(files).toHaveLength(1);
  return join(folder, files[0]!);
};

describe('npm\'s modules compiled with kept code', () => {
  it('the second run compiles nothing afresh, and the modules behave as Node\'s own loading makes them (require, resolve, __filename, a hashbang; import() in a module that has it)', () => {
    const plain = run({ plain: true });
    const first = run();
    expect(first.counts).toEqual({ kept: 0, compiled: 2 });
    const st = statSync(keptFile());
    expect(st.uid).toBe(process.getuid!());
    expect(st.mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const second = run();
    expect(second.counts).toEqual({ kept: 2, compiled: 0 });
    expect(first.exported).toEqual(plain.exported);
    expect(second.exported).toEqual(plain.exported);
    expect(plain.exported).toMatchObject({ dep: 'dep-A', file: join(npm, 'index.js'), dir: npm, self: true, resolved: join(npm, 'dep.js'), paths: true, cached: true, extensions: true, esm: 'from esm' });
    // Nothing new: the file is not written again.
    expect(statSync(keptFile()).mtimeMs).toBe(st.mtimeMs);
  });

  it('a module changed in place (npm upgraded), its source as long as before, runs its new code: kept code is for the exact source only (V8 checks the length)', () => {
    run();
    writeFileSync(join(npm, 'dep.js'), "module.exports = 'dep-B';\n");
    const after = run();
    expect(after.exported.dep).toBe('dep-B');
    expect(after.counts).toEqual({ kept: 1, compiled: 1 });
    expect(run().counts).toEqual({ kept: 2, compiled: 0 });
  });

  it('a file someone else could have written is not read: another owner, writable by the group, a link', () => {
    run();
    const file = keptFile();
    chmodSync(file, 0o620);
    expect(run().counts).toEqual({ kept: 0, compiled: 2 });
    // (Written anew, as ours: the next run reads it.)
    expect(run().counts).toEqual({ kept: 2, compiled: 0 });
    if (process.getuid!() === 0) {
      chownSync(file, 65534, 65534);
      expect(run().counts).toEqual({ kept: 0, compiled: 2 });
    }
    const elsewhere = join(base, 'elsewhere.bin');
    renameSync(keptFile(), elsewhere);
    symlinkSync(elsewhere, file);
    chmodSync(elsewhere, 0o600);
    if (process.getuid!() === 0) chownSync(elsewhere, 0, 0);
    expect(run().counts).toEqual({ kept: 0, compiled: 2 });
  });

  it('nothing is kept while V8\'s flags differ from the load\'s (its code would be refused at every load); with lean-heap\'s flag undone it is', () => {
    const leanHeap = `const { leanHeap, undoLeanHeap } = await import(${JSON.stringify(fileURLToPath(new URL('../../../dist/run/lean-heap.js', import.meta.url)))});`;
    run({ beforeSave: "setFlagsFromString('--semi-space-growth-factor=1');" });
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
    run({ beforeSave: `${leanHeap} leanHeap(); undoLeanHeap();` });
    expect(run().counts).toEqual({ kept: 2, compiled: 0 });
  });

  it('a FIFO in the file\'s place does not hold the run (it waited for a writer forever: an attack trial)', () => {
    run();
    const file = keptFile();
    rmSync(file);
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    expect(run().counts).toEqual({ kept: 0, compiled: 2 });
  });

  it('damaged code, its header and index intact, is not given to V8 (which died of it, SIGTRAP, in every later run: an attack trial); the next run writes it anew', () => {
    run();
    const file = keptFile();
    const bytes = readFileSync(file);
    const magic = 'safe-npm code cache 2\n'.length;
    const start = magic + 4 + bytes.readUInt32LE(magic);
    for (let i = start + Math.floor((bytes.length - start) / 2); i < bytes.length; i += 7) bytes[i]! ^= 0x5a;
    writeFileSync(file, bytes);
    const damaged = run();
    expect(damaged.exported.dep).toBe('dep-A');
    expect(damaged.counts!.compiled).toBeGreaterThan(0);
    expect(run().counts).toEqual({ kept: 2, compiled: 0 });
  });

  it('a file that is not a cache of ours is no cache: nothing kept, no error', () => {
    run();
    writeFileSync(keptFile(), 'not a cache at all');
    expect(run().counts).toEqual({ kept: 0, compiled: 2 });
    const bytes = readFileSync(keptFile());
    writeFileSync(keptFile(), bytes.subarray(0, bytes.length - 100));
    expect(run().counts).toEqual({ kept: 0, compiled: 2 });
  });
});
