import { sep } from 'node:path';

/** Whether `path` is `dir` or lies below it (both absolute and normalized: real paths, resolved paths). */
export function isWithin(path: string, dir: string): boolean {
  const d = dir.endsWith(sep) ? dir : dir + sep;
  return path === dir || path.startsWith(d);
}
