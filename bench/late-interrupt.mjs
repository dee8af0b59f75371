#!/usr/bin/env node
/**
 * A Ctrl-C just after an install's last word (issue 9): `safe-npm install is-number` into a fresh
 * project, SIGINT sent 0-80 ms after npm's "added N packages" line, several rounds. Each run ends
 * either done (0) or interrupted (130, with the line saying the install had completed); a run
 * killed by the signal itself (no handler left: Node's own teardown) said nothing. Prints the count
 * of each per delay, and the time from "install done" to the process's exit.
 *
 *   npm run build && node bench/late-interrupt.mjs [--rounds 5]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const safeNpm = fileURLToPath(new URL('../bin/safe-npm.js', import.meta.url));
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const delays = [0, 10, 20, 30, 40, 60, 80];
const base = mkdtempSync(join(tmpdir(), 'safe-npm-late-interrupt-'));

function once(delay) {
  const dir = mkdtempSync(join(base, 'p-'));
  writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0","private":true}');
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [safeNpm, 'install', 'is-number'], { cwd: dir, env: { ...process.env, SAFE_NPM_TIMING: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let doneAt;
    let sent = false;
    c.stdout.on('data', (d) => {
      out += d;
      if (!sent && /added \d+ package/.test(out)) {
        sent = true;
        setTimeout(() => c.kill('SIGINT'), delay);
      }
    });
    c.stderr.on('data', (d) => {
      err += d;
      if (doneAt === undefined && /install done/.test(err)) doneAt = performance.now();
    });
    c.on('exit', (code, signal) => {
      const gap = doneAt === undefined ? undefined : performance.now() - doneAt;
      const said = /the install itself had completed/.test(err);
      resolve({ outcome: signal ? 'killed, nothing said' : code === 0 ? 'done' : code === 130 && said ? 'interrupted, said' : `exit ${code}`, gap });
    });
  });
}

try {
  const table = {};
  const gaps = [];
  for (let r = 0; r < rounds; r++) {
    for (const delay of delays) {
      const { outcome, gap } = await once(delay);
      (table[delay] ??= {})[outcome] = (table[delay][outcome] ?? 0) + 1;
      if (gap !== undefined && outcome === 'done') gaps.push(gap);
    }
  }
  gaps.sort((a, b) => a - b);
  console.log(JSON.stringify({ date: new Date().toISOString(), rounds, byDelayMs: table, doneToExitMs: { median: Math.round(gaps[gaps.length >> 1] ?? NaN), max: Math.round(gaps.at(-1) ?? NaN) } }, null, 2));
} finally {
  rmSync(base, { recursive: true, force: true });
}
