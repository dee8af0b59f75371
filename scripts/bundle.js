#!/usr/bin/env node
/**
 * Build step, after tsc: the entries become bundles (issue 9, speed). Node loads ES modules one file
 * at a time (~0.75 ms each here): an install loaded ~180 of ours before npm's engine could be asked
 * to resolve, and npm's engine ~10 before it could load arborist. Bundled, that load costs a
 * fraction, on the critical path of every install.
 *
 *   dist/cli/safe-npm.js, dist/cli/safe-pip.js   entries; what they import lazily is split into
 *                                                dist/chunks/*.js (shared by both)
 *   dist/npm/arborist-worker.js                  npm's engine: one self-contained file (it is copied
 *                                                alone into a folder the build user can read)
 *
 * Every other file tsc wrote stays as it is (tests import single modules). Every output sits two
 * folders below the package (dist/<folder>/<file>.js), as tsc's output and src/ do: the paths the
 * code takes relative to its own file (`new URL('../../data/…', import.meta.url)`) hold in all three.
 * Packages from node_modules stay imports (resolved from dist/, as before); the engine may import
 * nothing but node's own modules (what else it imports is bundled into it).
 *
 * Usage: node scripts/bundle.js   (reads and writes dist/)
 */
import { build } from 'esbuild';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBuiltin } from 'node:module';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const common = { bundle: true, format: 'esm', platform: 'node', target: 'node20', keepNames: true, logLevel: 'warning', metafile: true, outbase: dist };

const out = mkdtempSync(join(tmpdir(), 'safe-npm-bundle-'));
try {
  const entries = await build({
    ...common,
    entryPoints: [join(dist, 'cli', 'safe-npm.js'), join(dist, 'cli', 'safe-pip.js')],
    splitting: true,
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    outdir: out,
  });
  const engine = await build({
    ...common,
    entryPoints: [join(dist, 'npm', 'arborist-worker.js')],
    outdir: out,
  });
  for (const file of Object.keys({ ...entries.metafile.outputs, ...engine.metafile.outputs })) {
    if (relative(out, file).split(sep).length !== 2) throw new Error(`${file}: every bundle must sit in a folder of dist/ (its relative paths assume it)`);
  }
  // npm's engine runs where only node's own modules can be found: anything else is bundled into it.
  const imported = Object.values(engine.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  const foreign = imported.filter((path) => !isBuiltin(path));
  if (foreign.length) throw new Error(`npm's engine imports ${foreign.join(', ')}`);
  cpSync(out, dist, { recursive: true });
} finally {
  rmSync(out, { recursive: true, force: true });
}
