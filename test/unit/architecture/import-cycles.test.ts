/**
 * No import cycles in src/: every relative import (static, `import type`, `export … from` and
 * dynamic `import()`) is an edge; a cycle fails with its path. Types the CLI commands share live
 * in a small module below them, never in the module that dispatches to them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const specifier = /(?:\bimport\s*(?:type\s+)?(?:[^'"()]*?\bfrom\s*)?|\bexport\s+(?:type\s+)?[^'"()]*?\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** file → the src files it imports (relative specifiers only; `.js` maps to the `.ts` source). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const targets = [...text.matchAll(specifier)]
      .map((m) => resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts'))
      .filter((t) => known.has(t));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every cycle found by a depth-first walk (each reported once, as a path that returns to its start). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('import graph of src/', () => {
  it('the cycle finder sees a cycle through a type import and a dynamic import', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  it('the import reader counts static, type, re-export and dynamic imports', () => {
    const files = sourceFiles(srcDir);
    const graph = importGraph(files);
    const edges = (from: string) => (graph.get(join(srcDir, from)) ?? []).map((t) => relative(srcDir, t));
    // safe-pip.ts loads its subcommands lazily: a dynamic import is an edge too.
    expect(edges('cli/safe-pip.ts')).toContain('cli/safe-commands.ts');
    expect(edges('cli/safe-pip.ts')).toContain('cli/exit.ts');
  });

  it('has no cycles', () => {
    const cycles = findCycles(importGraph(sourceFiles(srcDir))).map((c) => c.map((f) => relative(srcDir, f)).join(' → '));
    expect(cycles).toEqual([]);
  });
});
