/** One package argument → NpmSpecRequest, with npm's own parser (npm-package-arg). */
import { createRequire } from 'node:module';
import { UsageError } from '../core/errors.js';
import type { NpmSpecRequest } from './npm-invocation.js';

const require = createRequire(import.meta.url);

interface NpaResult {
  type: string;
  name: string | null;
  fetchSpec: string | null;
  rawSpec: string;
  registry?: boolean;
  subSpec?: NpaResult;
}

export function parseSpec(raw: string, cwd?: string): NpmSpecRequest {
  if (raw.trim() === '') throw new UsageError('empty package name (npm would install the registry package "undefined")');
  const npa = require('npm-package-arg') as (arg: string, where?: string) => NpaResult;
  let parsed: NpaResult;
  try {
    parsed = npa(raw, cwd);
  } catch (error) {
    throw new UsageError(`invalid package spec "${raw}": ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed.type === 'alias' && parsed.subSpec) {
    const sub = parsed.subSpec;
    return {
      raw,
      type: 'alias',
      name: parsed.name ?? undefined,
      registryName: sub.name ?? undefined,
      fetchSpec: sub.fetchSpec ?? 'latest',
      fromRegistry: Boolean(sub.registry),
    };
  }
  const fromRegistry = Boolean(parsed.registry);
  return {
    raw,
    type: parsed.type,
    name: parsed.name ?? undefined,
    registryName: fromRegistry ? parsed.name ?? undefined : undefined,
    fetchSpec: parsed.fetchSpec ?? undefined,
    fromRegistry,
  };
}
