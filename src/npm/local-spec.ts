/**
 * Folder and tarball specs on the command line (`../x`, `./x.tgz`, `x@file:../x`). One that is not
 * there: npm would fail with ENOENT after everything started, and under safe-npm its message would
 * name our staging copy's path; the spec is bad input, said in one line before anything starts.
 * One that is there: npm reads its path from where npm runs, which is not always where the command
 * was typed, so it is given by another path (the same folder).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NpmSpecRequest } from './npm-invocation.js';

/** Why this local spec cannot be installed, or undefined (not a local spec, or it is there). */
export function missingLocalSpec(spec: Pick<NpmSpecRequest, 'raw' | 'type' | 'fetchSpec'>): string | undefined {
  if (!spec.fetchSpec) return undefined;
  if (spec.type === 'directory' && !existsSync(join(spec.fetchSpec, 'package.json'))) {
    return `cannot install "${spec.raw}": ${existsSync(spec.fetchSpec) ? `${join(spec.fetchSpec, 'package.json')} does not exist` : `no such folder ${spec.fetchSpec}`}`;
  }
  if (spec.type === 'file' && !existsSync(spec.fetchSpec)) return `cannot install "${spec.raw}": no such file ${spec.fetchSpec}`;
  return undefined;
}

/** A folder or tarball spec, with the absolute path it was parsed at. */
export function isLocalSpec(spec: NpmSpecRequest | undefined): spec is NpmSpecRequest & { fetchSpec: string } {
  return Boolean(spec?.fetchSpec) && (spec!.type === 'directory' || spec!.type === 'file');
}

/** The spec by `path` (`file:<path>`); an alias keeps its name (`x@file:…`), a plain folder is named by its package.json. */
export function localSpecAt(spec: NpmSpecRequest, path: string): string {
  return spec.name && spec.raw.startsWith(`${spec.name}@`) ? `${spec.name}@file:${path}` : `file:${path}`;
}
