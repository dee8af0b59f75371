/**
 * Pure: how each package of pip's install set got there. pip's report has no edges; the guard
 * recomputes them (Requires-Dist evaluated with the report's environment markers and extras, by
 * pip's own vendored `packaging`) and this turns them into the shortest path from a requested package.
 */
import type { ReportItem } from './pip-report.js';

/** canonical name → [requested root, …, itself] (shortest; roots in report order). Unreachable items are absent. */
export function dependencyPaths(items: readonly ReportItem[], edges: Readonly<Record<string, readonly string[]>>): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  const present = new Set(items.map((i) => i.canonical));
  const queue: string[][] = items.filter((i) => i.requested).map((i) => [i.canonical]);
  for (const p of queue) if (!paths.has(p[0]!)) paths.set(p[0]!, p);
  // Breadth first over all roots at once: each package gets its shortest path.
  for (let i = 0; i < queue.length; i++) {
    const path = queue[i]!;
    for (const child of edges[path.at(-1)!] ?? []) {
      if (!present.has(child) || paths.has(child)) continue;
      const next = [...path, child];
      paths.set(child, next);
      queue.push(next);
    }
  }
  return paths;
}

/** `evil==1.0 (via flask > evil)`: a transitive package with the path from what was requested. */
export function pathDisplayName(item: Pick<ReportItem, 'name' | 'version'>, path: readonly string[], items: readonly ReportItem[]): string {
  const names = new Map(items.map((i) => [i.canonical, i.name]));
  return `${item.name}==${item.version} (via ${path.map((c) => names.get(c) ?? c).join(' > ')})`;
}
