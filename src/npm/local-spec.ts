/**
 * A folder or tarball on the command line that is not there. npm would fail with ENOENT after
 * everything started, and under safe-npm its message would name our staging copy's path; the spec
 * is bad input, said in one line before anything starts.
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
