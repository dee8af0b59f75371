import { chmodSync, chownSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onlyRootCanChange } from '../../../src/npm/private-tarballs.js';

// Root reads a tarball the build user cannot read only when no one else could have changed it or its folders.
describe.skipIf(process.geteuid?.() !== 0)('onlyRootCanChange', () => {
  const dir = mkdtempSync(join(tmpdir(), 'safe-npm-only-root-'));
  chmodSync(dir, 0o700);
  const file = (name: string, mode = 0o600) => {
    const path = join(dir, name);
    writeFileSync(path, 'x');
    chmodSync(path, mode); // not through the umask
    return path;
  };
  it('root\'s file in root\'s folders (and /tmp, sticky): yes', () => {
    expect(onlyRootCanChange(file('mine.tgz'))).toBe(true);
  });
  it('a file others may write, or another owner\'s: no', () => {
    expect(onlyRootCanChange(file('open.tgz', 0o666))).toBe(false);
    const theirs = file('theirs.tgz');
    chownSync(theirs, 12345, 12345);
    expect(onlyRootCanChange(theirs)).toBe(false);
  });
  it('a folder on the way that another user owns or may write: no', () => {
    const owned = join(dir, 'owned');
    mkdirSync(owned);
    writeFileSync(join(owned, 'x.tgz'), 'x', { mode: 0o600 });
    chownSync(owned, 12345, 12345);
    expect(onlyRootCanChange(join(owned, 'x.tgz'))).toBe(false);
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    writeFileSync(join(open, 'x.tgz'), 'x', { mode: 0o600 });
    expect(onlyRootCanChange(join(open, 'x.tgz'))).toBe(false);
  });
  it('not a regular file: no', () => {
    expect(onlyRootCanChange(dir)).toBe(false);
    expect(onlyRootCanChange(join(dir, 'missing.tgz'))).toBe(false);
  });
});
