import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { npmCliScript } from '../../../src/run/npm-in-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'safe-npm-inproc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake npm package: bin/npm-cli.js records its argv and exits with 5. */
function fakeNpm(dir: string, name = 'npm'): string {
  mkdirSync(join(tmp, dir, 'bin'), { recursive: true });
  writeFileSync(join(tmp, dir, 'package.json'), JSON.stringify({ name }));
  const cli = join(tmp, dir, 'bin', 'npm-cli.js');
  writeFileSync(
    cli,
    `#!/usr/bin/env node\nrequire('fs').writeFileSync(${JSON.stringify(join(tmp, dir, 'argv.json'))}, JSON.stringify(process.argv.slice(1)));\nprocess.exitCode = 5;\n`,
  );
  return cli;
}

describe('npmCliScript', () => {
  const cli = fakeNpm('npm');
  mkdirSync(join(tmp, 'usrbin'));
  symlinkSync(cli, join(tmp, 'usrbin', 'npm'));
  const other = fakeNpm('not-npm', 'something-else');
  writeFileSync(join(tmp, 'wrapper.sh'), '#!/bin/sh\nexec npm "$@"\n');

  it.each([
    ['a symlink to npm/bin/npm-cli.js', join(tmp, 'usrbin', 'npm'), cli],
    ['npm-cli.js itself', cli, cli],
    ['a package that is not npm', other, undefined],
    ['a shell wrapper', join(tmp, 'wrapper.sh'), undefined],
    ['a missing file', join(tmp, 'nope'), undefined],
  ])('%s', (_n, input, expected) => {
    expect(npmCliScript(input)).toBe(expected);
  });

  const built = fileURLToPath(new URL('../../../dist/run/npm-in-process.js', import.meta.url));
  it.skipIf(!existsSync(built))('runNpmInProcess hands argv and the exit code to npm (in a child node; needs the build)', () => {
    const script = `import { runNpmInProcess } from ${JSON.stringify(built)}; runNpmInProcess(${JSON.stringify(cli)}, ['run', 'a b', ''], process);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(5);
    expect(JSON.parse(readFileSync(join(tmp, 'npm', 'argv.json'), 'utf8'))).toEqual([cli, 'run', 'a b', '']);
  });
});
