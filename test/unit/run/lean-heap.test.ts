/**
 * lean-heap.ts: V8's young generation stays at its initial size in a process that called leanHeap(),
 * where it grows in one that did not; gc can be had without --expose-gc, and nobody else sees it.
 * Each case runs in a fresh node process (V8 flags are per process, and this one's heap has history).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'safe-npm-lean-heap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// The module as node runs it (it imports only node's own modules).
const source = readFileSync(fileURLToPath(new URL('../../../src/run/lean-heap.ts', import.meta.url)), 'utf8');
writeFileSync(join(tmp, 'lean-heap.mjs'), ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);

/** Runs `body` in a new node process with the module imported as `lean`; its stdout, parsed. */
function run(body: string): Record<string, unknown> {
  const script = join(tmp, `case-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, `import v8 from 'node:v8';\nimport * as lean from './lean-heap.mjs';\n${body}\n`);
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

// Many short-lived objects, a few thousand alive at a time: what makes V8 grow the young generation.
const churn = `
const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
const initial = newSpace();
let live = [];
for (let i = 0; i < 1e6; i++) {
  live.push({ i, s: 'x' + i });
  if (live.length > 20000) live = [];
}
console.log(JSON.stringify({ initial, after: newSpace() }));
`;

describe('leanHeap', () => {
  it('keeps the young generation small where a process without it grows it', () => {
    const without = run(churn) as { initial: number; after: number };
    const lean = run(`lean.leanHeap();\n${churn}`) as { initial: number; after: number };
    // Without: V8 doubles it up to its maximum (16 MB semi-spaces on 64-bit).
    expect(without.after).toBeGreaterThanOrEqual(8 * without.initial);
    // With: at most one step above where it started (V8 may round its first resize up).
    expect(lean.after).toBeLessThanOrEqual(2 * lean.initial);
  });

  it('sets no flag another process inherits, and is safe to call twice', () => {
    const r = run(`lean.leanHeap(); lean.leanHeap();\nconsole.log(JSON.stringify({ execArgv: process.execArgv, flags: lean.LEAN_HEAP_FLAGS }));`);
    expect(r.execArgv).toEqual([]);
    expect(r.flags).toEqual(['--semi-space-growth-factor=1']);
  });
});

describe('collectGarbage', () => {
  it('collects what nothing holds, without --expose-gc and without handing gc to anyone else', () => {
    const r = run(`
let held = { big: new Array(1e5).fill(0) };
const ref = new WeakRef(held);
held = undefined;
// A WeakRef's target lives at least until the current job ends: collect on a later turn.
setTimeout(() => {
  const collected = lean.collectGarbageNow();
  console.log(JSON.stringify({ collected, cleared: ref.deref() === undefined, globalGc: typeof globalThis.gc }));
}, 0);`);
    expect(r).toEqual({ collected: true, cleared: true, globalGc: 'undefined' });
  });

  it('collectGarbageSoon neither throws nor keeps the process alive, and prints nothing', () => {
    const r = run(`
let held = { big: new Array(1e5).fill(0) };
const ref = new WeakRef(held);
held = undefined;
lean.collectGarbageSoon();
lean.collectGarbageSoon();
// Two turns later the collection asked for has run.
setTimeout(() => setTimeout(() => console.log(JSON.stringify({ cleared: ref.deref() === undefined })), 0), 0);`);
    expect(r).toEqual({ cleared: true });
  });
});
