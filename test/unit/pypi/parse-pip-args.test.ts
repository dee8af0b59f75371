/**
 * The tokeniser against pip's own optparse parsers: the installed pip (/usr/bin/python3 -m pip,
 * 23.0.x here) parses each command line, and we compare what both think was asked.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionValues, parsePipArgs, positionals, hasOption } from '../../../src/pypi/parse-pip-args.js';
import { optionsFor, type PipCommand, type PipVersion } from '../../../src/pypi/pip-options.js';
import { normalizePypiName } from '../../../src/pypi/normalize-name.js';

const PY = '/usr/bin/python3';
const hasPip = existsSync(PY) && (() => {
  try {
    execFileSync(PY, ['-c', 'import pip']);
    return true;
  } catch {
    return false;
  }
})();

const pipScript = String.raw`
import json, sys
from pip._internal.cli.main_parser import parse_command
from pip._internal.commands import create_command
import pip
out = []
for argv in json.loads(sys.stdin.read()):
    try:
        name, cmd_args = parse_command(argv)
        cmd = create_command(name)
        opts, args = cmd.parse_args(cmd_args)
        out.append({"command": name, "args": args,
            "requirements": getattr(opts, "requirements", []), "index_url": getattr(opts, "index_url", None),
            "extra": getattr(opts, "extra_index_urls", []), "upgrade": bool(getattr(opts, "upgrade", False)),
            "target": getattr(opts, "target_dir", None), "editables": getattr(opts, "editables", [])})
    except SystemExit as e:
        out.append({"error": True})
print(json.dumps({"version": pip.__version__, "results": out}))
`;

function realPip(argvs: string[][]): { version: string; results: Array<Record<string, unknown>> } {
  const env = { PATH: '/usr/bin:/bin', PIP_CONFIG_FILE: '/dev/null' };
  return JSON.parse(execFileSync(PY, ['-c', pipScript], { input: JSON.stringify(argvs), env, stdio: ['pipe', 'pipe', 'ignore'] }).toString());
}

const cases: string[][] = [
  ['install', 'requests'],
  ['install', '--extra-ind', 'http://x/simple', 'a'],
  ['install', '--ind', 'http://i/simple', 'a'],
  ['install', '--pypi-url', 'http://p/simple', 'a'],
  ['install', '-Ur', 'req.txt'],
  ['install', '-iURL', 'a'],
  ['install', '-rreq.txt', '-U'],
  ['install', 'a', '--index-url=http://i/simple', 'b'],
  ['--isolated', 'install', '-q', 'a'],
  ['--proxy', 'install', 'install', 'x'],
  ['-v', 'install', '-t', 'tgt', 'a[extra]>=1; python_version>"3"'],
  ['install', '-e', './proj', '--', '-weird'],
  ['install', '--no-dep', 'x'],
  ['install', '--no-b', 'x'],
  ['install', '--only-b=:all:', 'x'],
  ['install', '-Ue', './proj'],
  ['install', '--targ', 'dir', 'x'],
];

describe.skipIf(!hasPip)('parsePipArgs agrees with the real pip', () => {
  it('for abbreviations, clusters, values, positionals and errors', () => {
    const real = realPip(cases);
    const [maj, min] = real.version.split('.').map(Number);
    const version: PipVersion = [maj!, min!];
    cases.forEach((argv, i) => {
      const theirs = real.results[i]!;
      let ours;
      try {
        ours = parsePipArgs(argv, { version });
      } catch {
        expect(theirs.error, `we rejected ${JSON.stringify(argv)}, pip accepted it`).toBe(true);
        return;
      }
      expect(theirs.error, `pip rejected ${JSON.stringify(argv)}, we accepted it`).toBeUndefined();
      expect(ours.command).toBe(theirs.command);
      expect(positionals(ours.items)).toEqual(theirs.args);
      expect(optionValues(ours.items, '--requirement')).toEqual(theirs.requirements);
      expect(optionValues(ours.items, '--editable')).toEqual(theirs.editables);
      expect(optionValues(ours.items, '--index-url').at(-1) ?? 'https://pypi.org/simple').toBe(theirs.index_url);
      expect(optionValues(ours.items, '--extra-index-url')).toEqual(theirs.extra);
      expect(hasOption(ours.items, '--upgrade')).toBe(theirs.upgrade);
      expect(optionValues(ours.items, '--target').at(-1) ?? null).toBe(theirs.target);
    });
  });

  it('has the same options, with the same arity, as the installed pip', () => {
    compareTable({});
  });
});

/** A newer pip wheel on this machine (root's local wheel index), imported straight from the wheel. */
const newPipWheel = (() => {
  if (process.env.SAFE_PIP_TEST_PIP_WHEEL) return process.env.SAFE_PIP_TEST_PIP_WHEEL;
  try {
    const found = readdirSync('/opt/pypi/files').filter((f) => /^pip-(2[6-9])[.\d]*-py3-none-any\.whl$/.test(f)).sort().at(-1);
    return found ? join('/opt/pypi/files', found) : undefined;
  } catch {
    return undefined;
  }
})();

describe.skipIf(!hasPip || !newPipWheel)('the option table agrees with pip >= 26 (from a local wheel)', () => {
  it('has the same options, with the same arity, incl. lock and the release-control options', () => {
    const version = compareTable({ PYTHONPATH: newPipWheel! }, ['lock']);
    expect(version[0]).toBeGreaterThanOrEqual(26);
    const install = optionsFor('install', version).flatMap((o) => [o.name, ...o.aliases]);
    for (const name of ['--only-deps', '--only-final', '--all-releases', '--refresh-package', '--uploaded-prior-to']) expect(install).toContain(name);
    expect(optionsFor('install', [23, 0]).map((o) => o.name)).not.toContain('--only-deps');
  });
});

/** Our table vs pip's optparse parsers (general + each command), for the pip `env` imports. */
function compareTable(extraEnv: Record<string, string>, extraCommands: string[] = []): PipVersion {
  const commands = ['install', 'download', 'wheel', ...extraCommands];
  const dump = String.raw`
import json, sys
from pip._internal.commands import create_command
from pip._internal.cli.main_parser import create_main_parser
import pip
def d(p):
    return sorted([[w, o.takes_value()] for g in [p] + p.option_groups for o in g.option_list for w in o._long_opts + o._short_opts])
print(json.dumps({"version": pip.__version__, "general": d(create_main_parser()), **{c: d(create_command(c).parser) for c in json.loads(sys.argv[1])}}))
`;
  const real = JSON.parse(execFileSync(PY, ['-c', dump, JSON.stringify(commands)], { env: { PATH: '/usr/bin:/bin', PIP_CONFIG_FILE: '/dev/null', ...extraEnv } }).toString());
  const [maj, min] = (real.version as string).split('.').map(Number);
  for (const cmd of ['general', ...commands]) {
    const specs = optionsFor(cmd === 'general' ? undefined : (cmd as PipCommand), [maj!, min!]);
    const ours = specs.flatMap((s) => [s.name, ...s.aliases, ...s.short].map((w) => [w, s.takesValue])).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const theirs = (real[cmd] as Array<[string, boolean]>).sort((a, b) => a[0].localeCompare(b[0]));
    expect(ours, `${real.version} ${cmd}`).toEqual(theirs);
  }
  return [maj!, min!];
}

describe('parsePipArgs', () => {
  it('routes only install/download/wheel; everything else passes through', () => {
    expect(parsePipArgs(['list']).kind).toBe('passthrough');
    expect(parsePipArgs(['--version']).kind).toBe('passthrough');
    expect(parsePipArgs(['install', '--help']).kind).toBe('passthrough');
    expect(parsePipArgs(['--log', 'install', 'freeze']).kind).toBe('passthrough');
    expect(parsePipArgs(['download', 'x']).kind).toBe('download');
    expect(parsePipArgs(['safe', 'check', 'x']).kind).toBe('safe');
  });

  it('strips our own flags and reads their env equivalents', () => {
    const inv = parsePipArgs(['install', '--safe-yes', 'x', '--', '--safe-yes'], { env: {} });
    expect(inv.ownFlags.yes).toBe(true);
    expect(inv.pipArgs).toEqual(['install', 'x', '--', '--safe-yes']);
    expect(parsePipArgs(['install', 'x'], { env: { SAFE_PIP_YES: '1' } }).ownFlags.yes).toBe(true);
  });

  it('normalizes names the PEP 503 way', () => {
    expect(normalizePypiName('Foo_Bar')).toBe(normalizePypiName('foo-bar'));
    expect(normalizePypiName('Foo__.Bar')).toBe('foo-bar');
  });
});
