import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBlock, pythonNamesOnPath, runSetup, setupBlock } from '../../../src/cli/setup.js';

function io(home: string) {
  const out: string[] = [];
  return { out, io: { env: { HOME: home, SHELL: '/bin/bash' }, cwd: home, stdout: (t: string) => void out.push(t), stderr: () => {}, stdoutIsTTY: false, realTool: () => 'npm' } };
}

describe('safe setup', () => {
  it('writes a marked block once (idempotent), shows it, and removes it on --uninstall', async () => {
    const home = mkdtempSync(join(tmpdir(), 'safe-setup-'));
    writeFileSync(join(home, '.bashrc'), 'export A=1\n');
    const first = io(home);
    expect(await runSetup('npm', [], first.io)).toBe(0);
    const rc = readFileSync(join(home, '.bashrc'), 'utf8');
    expect(rc.startsWith('export A=1\n')).toBe(true);
    expect(rc).toMatch(/# >>> safe-npm >>>\n.*\nnpm\(\) \{ .*\/shims\/npm "\$@"; \}\nnpx\(\) \{ .*\/shims\/npx "\$@"; \}\n# <<< safe-npm <<<\n$/);
    expect(first.out.join('')).toContain('npm() {');
    const again = io(home);
    await runSetup('npm', [], again.io);
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toBe(rc);
    expect(again.out.join('')).toContain('already up to date');
    await runSetup('pypi', [], io(home).io);
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toContain('pip3() {');
    await runSetup('npm', ['--uninstall'], io(home).io);
    const after = readFileSync(join(home, '.bashrc'), 'utf8');
    expect(after).not.toContain('safe-npm >>>');
    expect(after).toContain('safe-pip >>>');
    expect(after.startsWith('export A=1\n')).toBe(true);
  });

  it('running it again with lines of the user\'s own after the block changes nothing and says so', async () => {
    const home = mkdtempSync(join(tmpdir(), 'safe-setup-'));
    await runSetup('npm', [], io(home).io);
    writeFileSync(join(home, '.bashrc'), `${readFileSync(join(home, '.bashrc'), 'utf8')}\nexport B=2\n\n`);
    const rc = readFileSync(join(home, '.bashrc'), 'utf8');
    const again = io(home);
    expect(await runSetup('npm', [], again.io)).toBe(0);
    expect(again.out.join('')).toContain('already up to date');
    expect(again.out.join('')).not.toContain('added');
    expect(readFileSync(join(home, '.bashrc'), 'utf8')).toBe(rc);
  });

  it('zsh and fish get their own files and syntax', async () => {
    const home = mkdtempSync(join(tmpdir(), 'safe-setup-'));
    await runSetup('npm', ['--shell', 'zsh'], io(home).io);
    expect(readFileSync(join(home, '.zshrc'), 'utf8')).toContain('npm() {');
    await runSetup('npm', ['--shell=fish'], io(home).io);
    expect(readFileSync(join(home, '.config/fish/config.fish'), 'utf8')).toMatch(/function npm; .*\/shims\/npm \$argv; end/);
  });

  it('as root, an rc file in a folder another user can change (their HOME under sudo -E) is refused before it is read: a link there led root\'s write to a root file', async () => {
    const victimDir = mkdtempSync(join(tmpdir(), 'safe-setup-victim-'));
    const victim = join(victimDir, 'root-only');
    writeFileSync(victim, 'secret\n', { mode: 0o600 });
    const theirs = mkdtempSync(join(tmpdir(), 'safe-setup-theirs-'));
    chmodSync(theirs, 0o755);
    symlinkSync(victim, join(theirs, '.bashrc'));
    lchownSync(join(theirs, '.bashrc'), 65534, 65534);
    chownSync(theirs, 65534, 65534);
    for (const [ecosystem, args] of [['pypi', []], ['npm', ['--uninstall']]] as const) {
      await expect(runSetup(ecosystem, [...args], io(theirs).io)).rejects.toThrow(/^root will not write .*safe-setup-theirs-.*\/\.bashrc: .*\(uid 65534\) can be changed by someone other than root, who could lead the write to any file; run it as that user for their shell, or give root its own HOME \(sudo -H, not sudo -E\)$/);
    }
    expect(readFileSync(victim, 'utf8')).toBe('secret\n');
    // zsh's ZDOTDIR of theirs: the variable is named.
    await expect(runSetup('npm', ['--shell', 'zsh'], { ...io('/root').io, env: { HOME: '/root', SHELL: '/bin/zsh', ZDOTDIR: theirs } })).rejects.toThrow(/unset ZDOTDIR \(sudo -E keeps yours\)$/);
  });

  it('rejects an unknown shell with a usage error', async () => {
    await expect(runSetup('npm', ['--shell', 'tcsh'], io('/tmp').io)).rejects.toThrow(/bash, zsh or fish/);
  });

  it('applyBlock replaces an existing block in place of appending a second', () => {
    const block = setupBlock('npm', 'bash', '/opt/s');
    const twice = applyBlock(applyBlock('a\n', 'npm', block), 'npm', block);
    expect(twice.match(/>>> safe-npm >>>/g)).toHaveLength(1);
  });
});

describe('safe setup for pip: python -m pip and pipX.Y (issue 10)', () => {
  const bin = mkdtempSync(join(tmpdir(), 'safe-setup-bin-'));
  const shims = mkdtempSync(join(tmpdir(), 'safe-setup-shims-'));
  for (const n of ['python3', 'pip3.11', 'pip']) {
    writeFileSync(join(bin, n), `#!/bin/sh\necho real ${n} "$@"\n`);
    chmodSync(join(bin, n), 0o755);
  }
  for (const n of ['python', 'pip', 'pip3']) {
    writeFileSync(join(shims, n), `#!/bin/sh\necho shim ${n} "$SAFE_PIP_SHIM_NAME" "$@"\n`);
    chmodSync(join(shims, n), 0o755);
  }

  it('finds pipX.Y names and py on PATH, outside the shims', () => {
    expect(pythonNamesOnPath(`${shims}:${bin}:/nonexistent`, shims)).toEqual({ pips: ['pip3.11'], py: false });
  });

  it.each([
    ['python3 -m pip install x', 'shim python python3 -m pip install x'],
    ['python3 -mpip install x', 'shim python python3 -mpip install x'],
    ['python3 -c 1', 'real python3 -c 1'],
    ['python3 script.py -m pip', 'real python3 script.py -m pip'],
    ['python3 -m venv v', 'real python3 -m venv v'],
    ['pip3.11 install x', 'shim pip pip3.11 install x'],
  ])('bash: %s → %s', (line, expected) => {
    const block = setupBlock('pypi', 'bash', shims, pythonNamesOnPath(`${bin}`, shims));
    const out = execFileSync('bash', ['-c', `${block}\n${line}`], { env: { PATH: `${bin}:/usr/bin:/bin` } }).toString().trim();
    expect(out).toBe(expected);
  });

  it('py gets a function only where it is on PATH, and may take a version first', () => {
    expect(setupBlock('pypi', 'bash', shims, { pips: [], py: false })).not.toContain('py()');
    const block = setupBlock('pypi', 'bash', shims, { pips: [], py: true });
    writeFileSync(join(bin, 'py'), '#!/bin/sh\necho real py "$@"\n');
    chmodSync(join(bin, 'py'), 0o755);
    const run = (line: string) => execFileSync('bash', ['-c', `${block}\n${line}`], { env: { PATH: `${bin}:/usr/bin:/bin` } }).toString().trim();
    expect(run('py -3.12 -m pip install x')).toBe('shim python py -3.12 -m pip install x');
    expect(run('py -3.12 -c 1')).toBe('real py -3.12 -c 1');
  });
});
