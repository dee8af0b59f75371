import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafeError } from '../../../src/core/errors.js';
import { exitCodeForSignal, runPassthrough, type SignalSource } from '../../../src/run/passthrough.js';

describe('runPassthrough', () => {
  it.each([
    [['-c', 'exit 0'], 0],
    [['-c', 'exit 3'], 3],
    [['-c', 'exit 255'], 255],
    [['-c', 'kill -TERM $$'], 143],
    [['-c', 'kill -INT $$'], 130],
    [['-c', 'kill -KILL $$'], 137],
  ] as const)('sh %j → exit %i (a child killed by signal N → 128+N)', async (args, code) => {
    expect(await runPassthrough('/bin/sh', [...args])).toBe(code);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('forwards %s to the child, then stops listening', async (sig) => {
    const signals = new EventEmitter();
    const done = runPassthrough('/bin/sleep', ['10'], { signals: signals as unknown as SignalSource });
    expect(signals.listenerCount(sig)).toBe(1);
    setTimeout(() => signals.emit(sig), 50);
    expect(await done).toBe(exitCodeForSignal(sig));
    expect(signals.listenerCount(sig)).toBe(0);
  });

  it('passes argv through untouched (spaces, quotes, empty strings, no shell)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'safe-npm-pt-')), 'argv');
    const argv = ['a b', '', "'*'", '$(echo x)', '--x=1', ';', '\\'];
    expect(await runPassthrough('/bin/sh', ['-c', 'printf "%s\\0" "$@" > "$0"', out, ...argv])).toBe(0);
    expect(readFileSync(out, 'utf8').split('\0').slice(0, -1)).toEqual(argv);
  });

  it('a missing binary is a one-line SafeError with exit 127', async () => {
    const err = await runPassthrough('/nonexistent/npm', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafeError);
    expect((err as SafeError).exitCode).toBe(127);
    expect((err as Error).message).toBe('cannot run /nonexistent/npm: ENOENT');
  });
});
