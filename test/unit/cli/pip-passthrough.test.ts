/**
 * Whose code root runs for pip's own commands (cli/pip-passthrough.ts): another user's venv runs as
 * them; a pip outside any venv that someone other than root can change is refused. Real folders and
 * owners (root only).
 */
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passthroughPlan, venvOf } from '../../../src/cli/pip-passthrough.js';
import { tempDir } from '../npm-scripts/fixture.js';

const isRoot = process.getuid?.() === 0;
const nobody = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' };
const lookup = (uid: number) => (uid === 65534 ? nobody : undefined);

function fakeVenv(owner: number): string {
  const venv = join(tempDir('pip-passthrough-'), 'venv');
  mkdirSync(join(venv, 'bin'), { recursive: true });
  writeFileSync(join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n');
  writeFileSync(join(venv, 'bin', 'pip'), '#!/bin/sh\n', { mode: 0o755 });
  chownSync(venv, owner, owner);
  return venv;
}

describe.skipIf(!isRoot)('pip passthrough as root', () => {
  it('runs the pip of another user\'s venv as that user, with their HOME', () => {
    const venv = fakeVenv(65534);
    expect(venvOf(join(venv, 'bin', 'pip'))).toBe(venv);
    const plan = passthroughPlan(join(venv, 'bin', 'pip'), ['list'], { HOME: '/root', PATH: '/usr/bin' }, true, lookup);
    expect(plan.as).toEqual(nobody);
    expect(plan.env).toMatchObject({ HOME: '/nonexistent', USER: 'nobody', LOGNAME: 'nobody', PATH: '/usr/bin' });
  });

  it('runs root\'s own venv, and any pip for a user who is not root, as it is', () => {
    const venv = fakeVenv(0);
    expect(passthroughPlan(join(venv, 'bin', 'pip'), ['list'], {}, true, lookup).as).toBeUndefined();
    expect(passthroughPlan(join(fakeVenv(65534), 'bin', 'pip'), ['list'], {}, false, lookup).as).toBeUndefined();
  });

  it('refuses a venv of a uid without an account, and a pip outside a venv that another user can change', () => {
    expect(() => passthroughPlan(join(fakeVenv(54321), 'bin', 'pip'), ['list'], {}, true, lookup)).toThrow(/belongs to uid 54321, which has no account here/);
    const dir = tempDir('pip-passthrough-bin-');
    const pip = join(dir, 'pip');
    writeFileSync(pip, '#!/bin/sh\n', { mode: 0o755 });
    expect(passthroughPlan(pip, ['list'], {}, true, lookup).as).toBeUndefined();
    chownSync(pip, 65534, 65534);
    expect(() => passthroughPlan(pip, ['list'], {}, true, lookup)).toThrow(/root will not run .*pip: the file \(uid 65534\) can be changed by someone other than root.*runuser -u <user> -- .*pip list/);
    chownSync(pip, 0, 0);
    chmodSync(pip, 0o757);
    expect(() => passthroughPlan(pip, ['list'], {}, true, lookup)).toThrow(/writable by group or others/);
  });
});
