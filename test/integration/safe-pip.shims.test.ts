/**
 * shims/pip, shims/pip3 (and any pipX.Y name) and shims/python, shims/python3 (and py): route what
 * can install or build to safe-pip, pass everything else to the real tool untouched (pure sh).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-bin.js';

const fakeBin = mkdtempSync(join(tmpdir(), 'fake-pip-'));
for (const n of ['pip', 'pip3', 'pip3.11', 'python3', 'py']) {
  writeFileSync(join(fakeBin, n), n === 'py' ? '#!/bin/sh\n[ "$4" = "-c" ] || [ "$3" = "-c" ] && echo /opt/py3.12/bin/python3 && exit 0\necho real py "$@"\n' : `#!/bin/sh\necho real ${n} "$@"\n`);
  chmodSync(join(fakeBin, n), 0o755);
}
const PATH = `${join(repoRoot, 'shims')}:${fakeBin}:/usr/bin:/bin`;

function decide(shim: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(join(repoRoot, 'shims', shim), args, { env: { PATH, SAFE_PIP_SHIM_DRY_RUN: '1', ...env } }).toString().trim();
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
    // Our own commands, as our messages advise them through the shim (after general options, as pip parses them).
    [['safe', 'list'], 'route'],
    [['-q', '--proxy', 'http://p', 'safe', 'trust', 'x'], 'route'],
    [['show', 'safe'], `pass ${join(fakeBin, 'pip')}`],
    [['list'], `pass ${join(fakeBin, 'pip')}`],
    [['--log', 'install', 'freeze'], `pass ${join(fakeBin, 'pip')}`],
    [['-vq', 'show', 'install'], `pass ${join(fakeBin, 'pip')}`],
    [['--version'], `pass ${join(fakeBin, 'pip')}`],
  ])('pip %j → %s', (args, expected) => {
    expect(decide('pip', args)).toBe(expected);
  });

  it('pip3 safe / pip3.11 safe route too, and `pip safe list` runs safe-pip (not the real pip, which has no such command)', () => {
    expect(decide('pip3', ['safe', 'list'])).toBe('route');
    expect(decide('pip', ['safe', 'help'], { SAFE_PIP_SHIM_NAME: 'pip3.11' })).toBe('route');
    const home = mkdtempSync(join(tmpdir(), 'pip-safe-list-'));
    const env = { PATH, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') };
    const out = execFileSync(join(repoRoot, 'shims', 'pip3'), ['safe', 'help'], { env }).toString();
    expect(out).toMatch(/^pip3 safe <command>\n/);
    expect(out).not.toContain('real pip3');
    const list = execFileSync(join(repoRoot, 'shims', 'pip'), ['safe', 'list'], { env }).toString();
    expect(list).not.toContain('real pip');
  });

  it('pip3 passes to the real pip3 and runs it without node', () => {
    expect(decide('pip3', ['freeze'])).toBe(`pass ${join(fakeBin, 'pip3')}`);
    const out = execFileSync(join(repoRoot, 'shims', 'pip3'), ['freeze'], { env: { PATH } }).toString();
    expect(out.trim()).toBe('real pip3 freeze');
  });

  it('a pipX.Y name (a `safe setup` function passes it) finds the real pipX.Y', () => {
    expect(decide('pip', ['list'], { SAFE_PIP_SHIM_NAME: 'pip3.11' })).toBe(`pass ${join(fakeBin, 'pip3.11')}`);
    expect(decide('pip', ['install', 'x'], { SAFE_PIP_SHIM_NAME: 'pip3.11' })).toBe('route');
  });

  it('pip, pip3, python and python3 are one shim each (identical copies)', () => {
    const read = (n: string) => readFileSync(join(repoRoot, 'shims', n), 'utf8');
    expect(read('pip3')).toBe(read('pip'));
    expect(read('python3')).toBe(read('python'));
  });
});

describe('python shims: exactly `python -m pip <install-like>` goes to safe-pip', () => {
  const real = join(fakeBin, 'python3');
  it.each([
    [['-m', 'pip', 'install', 'x'], `route ${real}`],
    [['-mpip', 'install', 'x'], `route ${real}`],
    [['-m', 'pip', '--proxy', 'http://p', 'download', 'x'], `route ${real}`],
    [['-m', 'pip', '-qU', 'x'], `route ${real}`],
    [['-m', 'pip', 'safe', 'trust', 'x'], `route ${real}`],
    [['-m', 'pip', 'list'], `pass ${real}`],
    [['-m', 'pip'], `pass ${real}`],
    [['-m', 'venv', 'install'], `pass ${real}`],
    [['-c', 'print(1)'], `pass ${real}`],
    [['script.py', '-m', 'pip', 'install', 'x'], `pass ${real}`],
    [[], `pass ${real}`],
  ])('python3 %j → %s', (args, expected) => {
    expect(decide('python3', args)).toBe(expected);
  });

  it('what passes runs the real interpreter with the arguments as typed', () => {
    const run = (args: string[]) => execFileSync(join(repoRoot, 'shims', 'python3'), args, { env: { PATH } }).toString().trim();
    expect(run(['-c', 'x = "a b"'])).toBe('real python3 -c x = "a b"');
    expect(run(['-m', 'pip', 'freeze'])).toBe('real python3 -m pip freeze');
  });

  it('py: the interpreter is the one the launcher picks (asked without site-packages)', () => {
    expect(decide('python', ['-3.12', '-m', 'pip', 'install', 'x'], { SAFE_PIP_SHIM_NAME: 'py' })).toBe('route /opt/py3.12/bin/python3');
    expect(decide('python', ['-3.12', '-c', '1'], { SAFE_PIP_SHIM_NAME: 'py' })).toBe(`pass ${join(fakeBin, 'py')}`);
  });
});
