/**
 * The exit stage: a run whose event loop empties before it has settled (it waited on something that
 * could no longer come) ends as an internal error, never as exit 0. Each case in a process of its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const tmp = mkdtempSync(join(tmpdir(), 'safe-npm-exit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const exitModule = fileURLToPath(new URL('../../../dist/cli/exit.js', import.meta.url));

function runWith(run: string) {
  const script = join(tmp, `run-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, `import { exitWith } from ${JSON.stringify(exitModule)};\nexitWith('safe-npm', ${run}, false);\n`);
  return spawnSync(process.execPath, [script], { encoding: 'utf8' });
}

it('a run still pending when nothing is left to wait for exits 70 with one line (it exited 0: "done", nothing done)', () => {
  const r = runWith('new Promise(() => {})');
  expect(r.status).toBe(70);
  expect(r.stderr).toMatch(/^safe-npm: internal error: the run stopped before it finished/);
  expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
});

it('a run that settles keeps its code; one that leaves the exit code to the tool in this process keeps the tool\'s', () => {
  expect(runWith('new Promise((r) => setTimeout(() => r(3), 20))').status).toBe(3);
  const own = runWith('Promise.resolve(undefined).then(() => { process.exitCode = 5; return undefined; })');
  expect(own.status).toBe(5);
  expect(own.stderr).toBe('');
});
