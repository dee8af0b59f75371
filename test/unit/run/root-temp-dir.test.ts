import { chmodSync, chownSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRootTempDir } from '../../../src/run/root-temp-dir.js';

describe.skipIf(process.getuid?.() !== 0)('root\'s temporary folder', () => {
  it('is root\'s alone: /tmp (sticky) and a private folder pass; another user\'s, or one open to others without the sticky bit, is refused (64)', () => {
    expect(() => checkRootTempDir(true, '/tmp')).not.toThrow();
    const own = mkdtempSync(join(tmpdir(), 'safe-tmp-unit-'));
    // mkdtemp's 700: root's alone, but the build users cannot enter it.
    expect(() => checkRootTempDir(true, own)).toThrow(/\(mode 700\) cannot be entered by the users safe-npm builds as; unset TMPDIR, or point it at a folder only root can write and every user can enter \(mode 755 or 1777\)/);
    chmodSync(own, 0o755);
    expect(() => checkRootTempDir(true, own)).not.toThrow();
    chmodSync(own, 0o777);
    expect(() => checkRootTempDir(true, own)).toThrow(/writable by group or others, not sticky/);
    chmodSync(own, 0o1777);
    expect(() => checkRootTempDir(true, own)).not.toThrow();
    chmodSync(own, 0o700);
    chownSync(own, 65534, 65534);
    expect(() => checkRootTempDir(true, own)).toThrow(expect.objectContaining({ exitCode: 64, message: expect.stringMatching(/\(uid 65534\) can be changed by someone other than root/) }));
    // Not root: nothing to guard (no one else's link leads this process anywhere it could not go).
    expect(() => checkRootTempDir(false, own)).not.toThrow();
  });
});
