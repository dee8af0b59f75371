/** shims/pip and shims/pip3: route install/download/wheel to safe-pip, pass everything else to the real pip (pure sh). */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-bin.js';

const fakeBin = mkdtempSync(join(tmpdir(), 'fake-pip-'));
for (const n of ['pip', 'pip3']) {
  writeFileSync(join(fakeBin, n), '#!/bin/sh\necho real\n');
  chmodSync(join(fakeBin, n), 0o755);
}

function decide(shim: 'pip' | 'pip3', args: string[]): string {
  return execFileSync(join(repoRoot, 'shims', shim), args, {
    env: { PATH: `${join(repoRoot, 'shims')}:${fakeBin}:/usr/bin:/bin`, SAFE_PIP_SHIM_DRY_RUN: '1' },
  }).toString().trim();
}

describe('pip shims', () => {
  it.each([
    [['install', 'x'], 'route'],
    [['-v', 'download', 'x'], 'route'],
    [['--proxy', 'http://p', 'wheel', '.'], 'route'],
    [['--safe-yes', 'list'], 'route'],
    [['--pro', 'x', 'list'], 'route'],
    [['-i', 'x'], 'route'],
    [['lock', '-o', 'x.toml', 'a'], 'route'],
    [['list'], `pass ${join(fakeBin, 'pip')}`],
    [['--log', 'install', 'freeze'], `pass ${join(fakeBin, 'pip')}`],
    [['-vq', 'show', 'install'], `pass ${join(fakeBin, 'pip')}`],
    [['--version'], `pass ${join(fakeBin, 'pip')}`],
  ])('pip %j → %s', (args, expected) => {
    expect(decide('pip', args)).toBe(expected);
  });

  it('pip3 passes to the real pip3 and runs it without node', () => {
    expect(decide('pip3', ['freeze'])).toBe(`pass ${join(fakeBin, 'pip3')}`);
    const out = execFileSync(join(repoRoot, 'shims', 'pip3'), ['freeze'], { env: { PATH: `${join(repoRoot, 'shims')}:${fakeBin}:/usr/bin:/bin` } }).toString();
    expect(out.trim()).toBe('real');
  });
});
