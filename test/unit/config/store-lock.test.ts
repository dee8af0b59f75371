/** The store's lock (issue 14): a dead holder's lock is broken, a live holder's is waited for, then refused in one line. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withStoreLock } from '../../../src/config/store-lock.js';
import { ConfigError } from '../../../src/core/errors.js';

const store = () => join(mkdtempSync(join(tmpdir(), 'safe-store-lock-')), 'config.json');
/** A pid that was alive and is not any more. */
const deadPid = () => Number(execFileSync(process.execPath, ['-e', 'console.log(process.pid)']).toString().trim());

describe('withStoreLock', () => {
  it('holds the lock only while the change runs, and returns its value', () => {
    const path = store();
    expect(withStoreLock(path, () => {
      expect(existsSync(`${path}.lock`)).toBe(true);
      return 42;
    })).toBe(42);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('creates the store folder on a first write', () => {
    const path = join(store(), '..', 'new', 'config.json');
    expect(withStoreLock(path, () => 'ok')).toBe('ok');
  });

  it('breaks the lock of a holder that died inside its change', () => {
    const path = store();
    writeFileSync(`${path}.lock`, `${deadPid()} deadbeef`);
    expect(withStoreLock(path, () => 'went on', { timeoutMs: 5_000 })).toBe('went on');
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('waits for a live holder, then gives up with one line naming it (the lock is left to its holder)', () => {
    const path = store();
    writeFileSync(`${path}.lock`, `${process.pid} cafebabe`);
    expect(() => withStoreLock(path, () => 'never', { timeoutMs: 50 })).toThrow(ConfigError);
    expect(() => withStoreLock(path, () => 'never', { timeoutMs: 50 })).toThrow(new RegExp(`stayed locked by pid ${process.pid}`));
    expect(existsSync(`${path}.lock`)).toBe(true);
  });
});
