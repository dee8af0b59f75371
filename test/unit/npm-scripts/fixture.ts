/** Writes small projects (lockfile + node_modules package.json files) into temp dirs for discovery tests. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import type { ScriptCandidate } from '../../../src/npm/scripts/types.js';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = 'safe-npm-scripts-unit-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export interface FixtureProject {
  /** Root package.json. */
  root: Record<string, unknown>;
  /** Lockfile `packages` (without ''); undefined: no lockfile. */
  lock?: Record<string, Record<string, unknown>>;
  /** Where to write the lockfile. */
  lockFile?: 'package-lock.json' | 'node_modules/.package-lock.json';
  /** Files relative to the project: objects are written as JSON. */
  files?: Record<string, string | Record<string, unknown>>;
  /** Symlinks: location -> target (relative to the project). */
  links?: Record<string, string>;
}

export function writeProject(p: FixtureProject): string {
  const dir = tempDir();
  const write = (rel: string, content: string | Record<string, unknown>) => {
    const full = join(dir, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  };
  write('package.json', p.root);
  for (const [rel, content] of Object.entries(p.files ?? {})) write(rel, content);
  if (p.lock) {
    write(p.lockFile ?? 'package-lock.json', {
      name: p.root.name,
      version: p.root.version,
      lockfileVersion: 3,
      requires: true,
      packages: p.lockFile === 'node_modules/.package-lock.json' ? p.lock : { '': { name: p.root.name, version: p.root.version, dependencies: p.root.dependencies, devDependencies: p.root.devDependencies }, ...p.lock },
    });
  }
  for (const [loc, target] of Object.entries(p.links ?? {})) {
    mkdirSync(dirname(join(dir, loc)), { recursive: true });
    symlinkSync(join(dir, target), join(dir, loc));
  }
  return dir;
}

/** A candidate with defaults, for order/approval tests. */
export function makeCandidate(over: Partial<ScriptCandidate> & { name: string }): ScriptCandidate {
  const location = over.location ?? `node_modules/${over.name}`;
  return {
    version: '1.0.0',
    integrity: `sha512-${over.name}`,
    location,
    path: `/proj/${location}`,
    dependencyPath: ['proj', over.name],
    dev: false,
    optional: false,
    devOptional: false,
    peer: false,
    source: 'registry',
    isRoot: false,
    inBundle: false,
    scripts: { postinstall: `node ${over.name}.js` },
    gyp: 'none',
    scriptsDigest: `digest-${over.name}`,
    referencedFiles: [],
    problems: [],
    notes: [],
    dependsOn: [],
    ...over,
  };
}
