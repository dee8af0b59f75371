/**
 * One Ctrl-C is one signal: a library loaded for the store (conf → atomically → when-exit) hooked
 * every signal and re-raised it, so our handler saw a second SIGINT and killed npm's engine (SIGKILL)
 * while it wrote a project in place (a new-user trial, 2026-12-01: node_modules half new).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SafeStore } from '../../../src/config/store.js';
import { withoutSignalHooks } from '../../../src/run/signal-listeners.js';

const watched = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const;
const snapshot = () => Object.fromEntries(watched.map((sig) => [sig, process.listeners(sig)]));
let start = snapshot();
afterEach(() => {
  for (const sig of watched) for (const l of process.listeners(sig)) if (!start[sig]!.includes(l)) process.removeListener(sig, l);
  start = snapshot();
});

describe('signal hooks of libraries we load', () => {
  it('opening the store for writing leaves every signal listener as it was', async () => {
    const before = snapshot();
    const store = await SafeStore.open({ cwd: mkdtempSync(join(tmpdir(), 'safe-npm-store-')) });
    store.settings();
    expect(snapshot()).toEqual(before);
  });

  it('what a load adds to a signal is taken off; what was there stays, and so does an exit hook', async () => {
    const ours = () => {};
    process.on('SIGINT', ours);
    const exitHook = () => {};
    const reRaise = () => process.kill(process.pid, 'SIGINT');
    await withoutSignalHooks(async () => {
      process.once('SIGINT', reRaise);
      process.once('SIGTERM', reRaise);
      process.once('exit', exitHook);
    });
    expect(process.listeners('SIGINT')).toContain(ours);
    expect(process.listeners('SIGINT')).not.toContain(reRaise);
    expect(process.listeners('SIGTERM')).not.toContain(reRaise);
    expect(process.listeners('exit')).toContain(exitHook);
    process.removeListener('exit', exitHook);
  });
});
