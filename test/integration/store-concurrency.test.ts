/**
 * The per-user store under concurrency and by hand (issue 14): several real processes trusting,
 * approving and setting at the same moment lose no entry; a config edited by hand keeps the keys we
 * do not know; a config broken by hand is refused, never reset.
 *
 * The writers start together on an event: each opens the store, says "ready", and waits for one line
 * on stdin; the test writes that line to all of them once all are ready (no sleeps).
 */
import { execa, type ResultPromise } from 'execa';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, makeTempDir } from '../helpers/projects.js';
import { makeSandbox, runBin, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';

const writer = fileURLToPath(new URL('../helpers/store-writer.mjs', import.meta.url));
const PER_WRITER = 150;

let sandbox: Sandbox;
let cwd: string;
beforeAll(async () => {
  sandbox = await makeSandbox();
  cwd = await makeProject({ owner: 'root' });
});
afterAll(async () => {
  await sandbox?.cleanup();
});

/** Start writers; resolves when every one of them has printed "ready" (wrapped: a child is itself a promise). */
async function startWriters(dir: string, jobs: Array<[op: string, prefix: string]>): Promise<Array<{ child: ResultPromise }>> {
  return Promise.all(jobs.map(([op, prefix]) => new Promise<{ child: ResultPromise }>((resolve, reject) => {
    const child = execa(process.execPath, [writer, dir, op, prefix, String(PER_WRITER)], { stdin: 'pipe', reject: false });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve({ child });
    });
    void child.then((r) => reject(new Error(`writer exited before it was ready: ${String(r.stderr)}`)));
  })));
}

const readStore = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
  trusted: Record<string, unknown>; scripts: Record<string, unknown>; settings: { severity: Record<string, string> }; [key: string]: unknown;
};

describe('the store under concurrent writers', () => {
  it(`four processes trusting, approving and setting at once (${PER_WRITER} changes each) lose nothing; the file stays 0600`, async () => {
    const dir = await makeTempDir('safe-store-race-');
    const writers = await startWriters(dir, [['trust', 'a'], ['trust', 'b'], ['approve', 'c'], ['setting', 'd']]);
    for (const w of writers) w.child.stdin!.write('go\n');
    const results = await Promise.all(writers.map((w) => w.child));
    for (const r of results) expect(r.exitCode, String(r.stderr)).toBe(0);
    const store = readStore(dir);
    for (const prefix of ['a', 'b']) {
      for (let i = 0; i < PER_WRITER; i++) expect(store.trusted, `${prefix}-${i}`).toHaveProperty([`npm:${prefix}-${i}`]);
    }
    expect(Object.keys(store.trusted)).toHaveLength(2 * PER_WRITER);
    expect(Object.keys(store.scripts)).toHaveLength(PER_WRITER);
    expect(Object.keys(store.settings.severity)).toHaveLength(PER_WRITER);
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'config.json.lock'))).toBe(false);
  });

  it('two `safe-npm safe trust` and a `safe-pip safe trust` run at once: every name is trusted', async () => {
    const names = (p: string) => Array.from({ length: 60 }, (_, i) => `${p}-${i}`);
    const env = { PATH: SYSTEM_PATH };
    const runs = await Promise.all([
      runBin('safe-npm', ['safe', 'trust', ...names('x')], { cwd, sandbox, env }),
      runBin('safe-npm', ['safe', 'trust', ...names('y')], { cwd, sandbox, env }),
      runBin('safe-pip', ['safe', 'trust', ...names('z')], { cwd, sandbox, env }),
    ]);
    for (const r of runs) expect(r.exitCode, r.stderr).toBe(0);
    const store = readStore(join(sandbox.env.XDG_CONFIG_HOME!, 'safe-npm'));
    for (const n of [...names('x'), ...names('y')]) expect(store.trusted).toHaveProperty([`npm:${n}`]);
    for (const n of names('z')) expect(store.trusted).toHaveProperty([`pypi:${n}`]);
  });
});

describe('a config edited by hand', () => {
  const handEdited = {
    myNotes: 'kept: the store is mine too',
    settings: { minReleaseAgeHours: 0, futureSetting: { nested: [1, 2] }, thresholds: { fewVersions: 2, notYetKnown: 7 } },
    trusted: { 'npm:left-pad': { at: '2026-01-01T00:00:00.000Z', note: 'hand-added' } },
    scripts: { 'npm:esbuild@0.20.0': { decision: 'allow', key: 'esbuild@0.20.0', at: '2026-01-01T00:00:00.000Z', reviewer: 'me' } },
  };

  it('keeps keys it does not know through trust, untrust and config set from real processes', async () => {
    const sb = await makeSandbox();
    const dir = join(sb.env.XDG_CONFIG_HOME!, 'safe-npm');
    await execa('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'config.json'), `${JSON.stringify(handEdited, null, 2)}\n`, { mode: 0o600 });
    const run = (bin: 'safe-npm' | 'safe-pip', args: string[]) => runBin(bin, args, { cwd, sandbox: sb, env: { PATH: SYSTEM_PATH } });
    for (const r of [
      await run('safe-npm', ['safe', 'trust', 'is-odd']),
      await run('safe-pip', ['safe', 'trust', 'requests']),
      await run('safe-npm', ['safe', 'untrust', 'is-odd']),
      await run('safe-npm', ['safe', 'config', 'set', 'thresholds.fewVersions', '4']),
    ]) expect(r.exitCode, r.stderr).toBe(0);
    const store = readStore(dir);
    expect(store.myNotes).toBe(handEdited.myNotes);
    expect(store.settings).toMatchObject({ futureSetting: { nested: [1, 2] }, thresholds: { fewVersions: 4, notYetKnown: 7 } });
    expect(store.trusted).toEqual({ 'npm:left-pad': { at: '2026-01-01T00:00:00.000Z', note: 'hand-added' }, 'pypi:requests': expect.anything() });
    expect(store.scripts).toEqual(handEdited.scripts);
    await sb.cleanup();
  });

  it('broken by hand (not JSON): refused in one line (64), the file untouched, never reset', async () => {
    const sb = await makeSandbox();
    const dir = join(sb.env.XDG_CONFIG_HOME!, 'safe-npm');
    await execa('mkdir', ['-p', dir]);
    const broken = '{ "trusted": { "npm:left-pad": { "at": "x" } }, // my comment\n';
    writeFileSync(join(dir, 'config.json'), broken);
    chmodSync(join(dir, 'config.json'), 0o600);
    const r = await runBin('safe-npm', ['safe', 'trust', 'is-odd'], { cwd, sandbox: sb, env: { PATH: SYSTEM_PATH } });
    expect(r.exitCode, r.stderr).toBe(64);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot read the safe-npm config .*config\.json.*fix or delete the file/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(broken);
    await sb.cleanup();
  });
});
