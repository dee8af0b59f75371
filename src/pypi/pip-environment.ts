/**
 * Which Python environment the real pip installs into, found without starting Python (which
 * would run the environment's .pth files): the pip script's shebang names the interpreter, and
 * `pyvenv.cfg` next to or above the interpreter marks a virtual environment. Symlinks are not
 * resolved (a venv's bin/python points at the base interpreter).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Blocked } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { PipVersion } from './pip-options.js';

export interface PipEnvironment {
  /** The real pip executable. */
  pipPath: string;
  /** The interpreter that pip runs under (safe-pip runs pip in-process with it). */
  python: string;
  /** The virtual environment the interpreter belongs to, if any. */
  venvDir?: string;
  /** pip's version, from its dist-info folder name (undefined when not found). */
  pipVersion?: PipVersion;
  /** site-packages of the venv, when found. */
  sitePackages?: string;
}

/** The interpreter a pip script runs with: its shebang (incl. pip's `'''exec'` form), else a sibling python. */
export function interpreterOf(pipPath: string): string | undefined {
  let head = '';
  try {
    head = readFileSync(pipPath, 'utf8').slice(0, 1024);
  } catch {
    return undefined;
  }
  const lines = head.split('\n');
  const shebang = lines[0]?.startsWith('#!') ? lines[0].slice(2).trim() : '';
  const first = shebang.split(/\s+/)[0] ?? '';
  if (/python[0-9.]*$/.test(basename(first))) return first;
  if (basename(first) === 'env') {
    const prog = shebang.split(/\s+/)[1];
    if (prog && /^python[0-9.]*$/.test(prog)) {
      const sibling = join(dirname(pipPath), prog);
      if (existsSync(sibling)) return sibling;
    }
  }
  // pip's launcher for long paths: #!/bin/sh + '''exec' "/path/python" "$0" "$@"
  const exec = head.match(/'''exec' "?([^"\s]+python[0-9.]*)"? "\$0"/);
  if (exec) return exec[1];
  for (const name of ['python3', 'python']) {
    const sibling = join(dirname(pipPath), name);
    if (existsSync(sibling)) return sibling;
  }
  return undefined;
}

/** The venv folder holding `pyvenv.cfg` next to or one level above the interpreter's folder. */
export function venvOf(python: string): string | undefined {
  const bin = dirname(python);
  for (const dir of [bin, dirname(bin)]) {
    if (existsSync(join(dir, 'pyvenv.cfg'))) return dir;
  }
  return undefined;
}

export function sitePackagesOf(prefix: string): string | undefined {
  const lib = join(prefix, 'lib');
  let entries: string[] = [];
  try {
    entries = readdirSync(lib).filter((e) => /^python\d/.test(e)).sort();
  } catch {
    return undefined;
  }
  for (const e of entries.reverse()) {
    const sp = join(lib, e, 'site-packages');
    if (existsSync(sp)) return sp;
  }
  return undefined;
}

/** pip's version from `pip-X.Y.Z.dist-info` in site-packages. */
export function pipVersionIn(sitePackages: string): PipVersion | undefined {
  try {
    for (const e of readdirSync(sitePackages)) {
      const m = e.match(/^pip-(\d+)\.(\d+)[^/]*\.dist-info$/);
      if (m) return [Number(m[1]), Number(m[2])];
    }
  } catch {
    /* unknown */
  }
  return undefined;
}

export function describeEnvironment(pipPath: string): PipEnvironment {
  const python = interpreterOf(pipPath);
  if (!python) throw new Blocked(`safe-pip: cannot tell which Python ${pipPath} runs with; use a virtual environment's pip`, ExitCode.couldNotVerify);
  const venvDir = venvOf(python);
  const sitePackages = venvDir ? sitePackagesOf(venvDir) : undefined;
  return { pipPath, python, venvDir, sitePackages, pipVersion: sitePackages ? pipVersionIn(sitePackages) : undefined };
}

/** For `--python X`: X is an interpreter or an environment folder. */
export function environmentForPython(python: string, cwd: string): PipEnvironment {
  let p = resolve(cwd, python);
  try {
    if (statSync(p).isDirectory()) p = existsSync(join(p, 'bin', 'python3')) ? join(p, 'bin', 'python3') : join(p, 'bin', 'python');
  } catch {
    /* let the caller fail on it */
  }
  const venvDir = venvOf(p);
  const sitePackages = venvDir ? sitePackagesOf(venvDir) : undefined;
  return { pipPath: p, python: p, venvDir, sitePackages, pipVersion: sitePackages ? pipVersionIn(sitePackages) : undefined };
}

/** The nearest existing folder at or above `path` (a --target that does not exist yet). */
export function nearestExisting(path: string): string {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}
