/**
 * Unit files make temp folders with mkdtempSync (their helpers, and the code under test) and left
 * them behind: thousands of `safe-flow-*` / `safe-pip-flow-*` folders in /tmp after a few runs. Each
 * folder made under the temp dir during a file is removed after that file. (Node's own
 * `syncBuiltinESMExports` makes ES imports of node:fs see the wrapper.)
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { afterAll } from 'vitest';

type Tracker = { made: string[] };
const key = Symbol.for('safe-npm.unit-temp-cleanup');
const shared = globalThis as unknown as Record<symbol, Tracker | undefined>;

// Unit files share one module graph per thread: wrap once, collect per file.
if (!shared[key]) {
  const tracker: Tracker = { made: [] };
  shared[key] = tracker;
  const original = fs.mkdtempSync;
  const root = tmpdir();
  fs.mkdtempSync = function trackedMkdtempSync(prefix: string, options?: unknown) {
    const dir = (original as (p: string, o?: unknown) => string)(prefix, options);
    if (dir.startsWith(`${root}/`)) tracker.made.push(dir);
    return dir;
  } as typeof fs.mkdtempSync;
  syncBuiltinESMExports();
}

afterAll(() => {
  for (const dir of shared[key]!.made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
