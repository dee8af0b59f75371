/**
 * Virtual environments for tests, as `/usr/bin/python3 -m venv` makes them (pip 23.0.1 here), made
 * fast: one real venv per test process is the template; each new venv is `-m venv --without-pip`
 * plus a copy of the template's site-packages and pip scripts (shebangs rewritten). Owned by
 * `nobody` unless asked otherwise. `extraWheels` are installed into the template first (e.g. a
 * newer pip), giving a separate template.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './projects.js';
import { PYTHON } from './python-dists.js';

const templates = new Map<string, Promise<string>>();

function template(extraWheels: string[]): Promise<string> {
  const key = extraWheels.join('\n');
  let t = templates.get(key);
  if (!t) {
    t = (async () => {
      const dir = await makeTempDir('safe-pip-venv-template-');
      const venv = join(dir, 'venv');
      execFileSync(PYTHON, ['-m', 'venv', venv]);
      if (extraWheels.length) {
        execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '-q', '--no-index', '--disable-pip-version-check', ...extraWheels], {
          env: { PATH: '/usr/bin:/bin', PIP_CONFIG_FILE: '/dev/null' },
        });
      }
      return venv;
    })();
    templates.set(key, t);
  }
  return t;
}

function sitePackages(venv: string): string {
  const lib = join(venv, 'lib');
  return join(lib, readdirSync(lib).find((d) => d.startsWith('python'))!, 'site-packages');
}

export async function newVenv(owner: 'nobody' | 'root' = 'nobody', extraWheels: string[] = []): Promise<string> {
  const from = await template(extraWheels);
  const dir = await makeTempDir('safe-pip-venv-');
  const venv = join(dir, 'venv');
  execFileSync(PYTHON, ['-m', 'venv', '--without-pip', venv]);
  cpSync(sitePackages(from), sitePackages(venv), { recursive: true });
  for (const f of readdirSync(join(from, 'bin')).filter((n) => /^pip/.test(n))) {
    const text = readFileSync(join(from, 'bin', f), 'utf8').replace(/^#!.*\n/, `#!${join(venv, 'bin', 'python3')}\n`);
    writeFileSync(join(venv, 'bin', f), text, { mode: 0o755 });
  }
  if (owner === 'nobody') execFileSync('chown', ['-R', '65534:65534', dir]);
  return venv;
}
