/**
 * The PATH shims with the real npm: PATH=shims:<tools>. A passthrough reaches npm without any
 * node start of ours (proved with a NODE_OPTIONS --require hook that logs every node process);
 * install-like commands reach safe-npm; exit codes are npm's; the shim's routing agrees with
 * parseNpmArgs on every argv of the unit table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { loadNpmTables } from '../../src/npm/npm-tables.js';
import { parseNpmArgs } from '../../src/npm/parse-npm-args.js';
import { findRealBinary } from '../../src/run/find-real-binary.js';
import { cases } from '../unit/npm/npm-argv-cases.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const shimNpm = join(root, 'shims', 'npm');
const shimNpx = join(root, 'shims', 'npx');
const built = existsSync(join(root, 'dist', 'shim-tables.sh')) && existsSync(join(root, 'dist', 'cli', 'safe-npm.js'));

let tmp: string;
let tools: string;
let project: string;
let nodeLog: string;
let env: Record<string, string>;
let realNpm: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], extraEnv: Record<string, string | undefined> = {}, cwd = project): Run {
  const e: Record<string, string> = { ...env };
  for (const [k, v] of Object.entries(extraEnv)) {
    if (v === undefined) delete e[k];
    else e[k] = v;
  }
  const r = spawnSync(file, args, { env: e, cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Which node scripts started since the last call (from the NODE_OPTIONS hook). */
function nodeStarts(): string[] {
  const lines = existsSync(nodeLog) ? readFileSync(nodeLog, 'utf8').split('\n').filter(Boolean) : [];
  writeFileSync(nodeLog, '');
  return lines;
}

beforeAll(() => {
  if (!built) throw new Error('run `npm run build` first (dist/shim-tables.sh, dist/cli/safe-npm.js)');
  tmp = mkdtempSync(join(tmpdir(), 'safe-npm-shims-'));
  realNpm = findRealBinary('npm', { path: process.env.PATH, skipDirs: [join(root, 'shims')] });
  const realNpx = findRealBinary('npx', { path: process.env.PATH, skipDirs: [join(root, 'shims')] });
  tools = join(tmp, 'tools');
  mkdirSync(tools);
  symlinkSync(process.execPath, join(tools, 'node'));
  symlinkSync(realNpm, join(tools, 'npm'));
  symlinkSync(realNpx, join(tools, 'npx'));
  project = join(tmp, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'shim-test',
      version: '1.0.0',
      scripts: {
        fail: 'exit 7',
        show: 'node -e "console.log(JSON.stringify({args: process.argv.slice(1), safe: process.env.npm_config_safe_yes ?? null}))"',
      },
    }),
  );
  nodeLog = join(tmp, 'node-starts.log');
  const hook = join(tmp, 'log-node-start.cjs');
  writeFileSync(hook, `require('fs').appendFileSync(${JSON.stringify(nodeLog)}, (process.argv[1] || '-') + '\\n');\n`);
  writeFileSync(join(tmp, 'npmrc'), '');
  env = {
    PATH: `${join(root, 'shims')}:${tools}:/usr/bin:/bin`,
    HOME: tmp,
    npm_config_userconfig: join(tmp, 'npmrc'),
    npm_config_cache: join(tmp, 'cache'),
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    NODE_OPTIONS: `--require ${hook}`,
  };
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('shims/npm', () => {
  it('passes `npm --version` to the real npm: same output, same exit code, no node start of ours', () => {
    const direct = run(join(tools, 'npm'), ['--version']);
    nodeStarts();
    const viaShim = run(shimNpm, ['--version']);
    expect(viaShim).toEqual(direct);
    expect(viaShim.code).toBe(0);
    const starts = nodeStarts();
    expect(starts.length).toBe(1); // npm itself
    expect(starts.some((s) => s.endsWith('/bin/safe-npm.js'))).toBe(false);
    expect(run(shimNpm, ['--version'], { SAFE_NPM_SHIM_DRY_RUN: '1' }).stdout.trim()).toBe(`pass ${join(tools, 'npm')}`);
  });

  it("passes `npm run` through with npm's exit code", () => {
    const direct = run(join(tools, 'npm'), ['run', 'fail']);
    expect(direct.code).not.toBe(0);
    nodeStarts();
    const viaShim = run(shimNpm, ['run', 'fail']);
    expect(viaShim.code).toBe(direct.code);
    expect(nodeStarts().some((s) => s.endsWith('/bin/safe-npm.js'))).toBe(false);
    // and through safe-npm itself (the passthrough in node)
    expect(run(process.execPath, [join(root, 'bin', 'safe-npm.js'), 'run', 'fail']).code).toBe(direct.code);
  });

  it('routes `npm install x` to safe-npm', () => {
    expect(run(shimNpm, ['install', 'x'], { SAFE_NPM_SHIM_DRY_RUN: '1' }).stdout.trim()).toBe('route');
    // a real run that stops in safe-npm's parser (no registry needed): safe-npm's own error and exit code
    nodeStarts();
    const r = run(shimNpm, ['install', ' ']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^safe-npm: empty package spec/);
    expect(nodeStarts().some((s) => s.endsWith(join('bin', 'safe-npm.js')))).toBe(true);
  });

  it('never forwards our own flags: `npm run show --safe-yes` routes, then npm runs without it', () => {
    expect(run(shimNpm, ['run', 'show', '--safe-yes'], { SAFE_NPM_SHIM_DRY_RUN: '1' }).stdout.trim()).toBe('route');
    const r = run(shimNpm, ['run', 'show', '--safe-yes', '--', 'a']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('{"args":["a"],"safe":null}');
  });

  it('works through a symlink to the shim and never finds itself', () => {
    const bin = join(tmp, 'userbin');
    mkdirSync(bin);
    symlinkSync(shimNpm, join(bin, 'npm'));
    const path = `${bin}:${join(root, 'shims')}:${tools}:/usr/bin:/bin`;
    expect(run(join(bin, 'npm'), ['ls'], { PATH: path, SAFE_NPM_SHIM_DRY_RUN: '1' }).stdout.trim()).toBe(
      `pass ${join(tools, 'npm')}`,
    );
    const r = run(join(bin, 'npm'), ['i', ''], { PATH: path });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('safe-npm: empty package spec');
  });

  it('fails with 127 and one line when there is no real npm', () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    const r = run(shimNpm, ['--version'], { PATH: `${join(root, 'shims')}:${empty}` });
    expect(r.code).toBe(127);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it("agrees with parseNpmArgs on every argv of the unit table (routes whenever it isn't a passthrough)", () => {
    const tables = loadNpmTables();
    const overRouted: string[] = [];
    for (const [argv, kind, exp] of cases) {
      if (argv[0] === '--safe-npx') continue;
      let parsed: string;
      try {
        parsed = parseNpmArgs(argv, exp?.env ?? {}, tables, { cwd: project }).kind;
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        parsed = 'usage-error';
      }
      expect(parsed).toBe(kind);
      const decision = run(shimNpm, argv, { SAFE_NPM_SHIM_DRY_RUN: '1' }).stdout.trim().split(' ')[0];
      if (parsed !== 'passthrough') {
        expect(decision, `npm ${JSON.stringify(argv)}`).toBe('route');
      } else if (decision === 'route') {
        overRouted.push(argv.join(' '));
      } else {
        expect(decision, `npm ${JSON.stringify(argv)}`).toBe('pass');
      }
    }
    // The shim routes these passthroughs to safe-npm (which then passes them through): an
    // own flag to strip, or npm answering --version/--help before running an install command.
    expect(overRouted).toEqual([
      'run build --safe-yes',
      'run x -- --safe-yes',
      'i foo -v',
      'install --help',
    ]);
  });
});

describe('shims/npm on random command lines', () => {
  it('never passes through what parseNpmArgs would check (400 random argv)', () => {
    const tables = loadNpmTables();
    const pool = [
      'i', 'install', 'isntall', 'run', 'ci', 'audit', 'fix', 'init', 'create', 'exec', 'x', 'ls', 'test', 'rb', 'up',
      'foo', 'bar@1', '--', '-', 'true', 'false', 'null', 'always', 'global', '-g', '-D', '-gD', '-w', '-ws', '--ws',
      '-y', '-C', '-d', '-s', '-p', '-c', '-v', '-h', '-x', '--x', '--registry', '--regi', '--reg', '--prefix',
      '--save', '--save=foo', '--no-save', '--global', '--local', '--workspace', '--workspaces', '--yes', '--no-yes',
      '--color', '--browser', '--no-browser', '--message', '--tag', '--ignore-scripts=false', '--cpu', '--depth',
      '--omit', '--also', 'dev', '--unknown', '--unknown=val', '--=x', '--version', '--loglevel', '--usage',
      '--location', '--no-registry', '--NO-save', '-Dfoo', '--message=-x',
    ];
    let seed = 987654;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const underRouted: string[] = [];
    for (let n = 0; n < 400; n++) {
      const argv = Array.from({ length: 1 + rnd(6) }, () => pool[rnd(pool.length)]);
      let kind: string;
      try {
        kind = parseNpmArgs(argv, {}, tables, { cwd: project }).kind;
      } catch {
        kind = 'usage-error';
      }
      if (kind === 'passthrough') continue;
      const decision = run(shimNpm, argv, { SAFE_NPM_SHIM_DRY_RUN: '1' }).stdout.trim().split(' ')[0];
      if (decision !== 'route') underRouted.push(`${JSON.stringify(argv)} (${kind})`);
    }
    expect(underRouted).toEqual([]);
  });
});

describe('shims/npx', () => {
  it('passes `npx --version` straight to the real npx', () => {
    const direct = run(join(tools, 'npx'), ['--version']);
    nodeStarts();
    expect(run(shimNpx, ['--version'])).toEqual(direct);
    expect(nodeStarts().some((s) => s.endsWith('/bin/safe-npm.js'))).toBe(false);
  });

  it('routes every npx run to safe-npm, marked as npx argv', () => {
    for (const argv of [['cowsay'], ['-p', 'pkg', 'cmd'], ['--package=pkg', '--', 'cmd'], ['-y', 'create-x'], ['-c', 'echo hi']]) {
      expect(run(shimNpx, argv, { SAFE_NPM_SHIM_DRY_RUN: '1' }).stdout.trim()).toBe('route');
    }
    const r = run(shimNpx, ['']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('safe-npm: empty package spec');
  });
});

describe('bin/safe-npm.js', () => {
  const bin = join(root, 'bin', 'safe-npm.js');

  it.each([
    ['in process', {}],
    ['spawned (SAFE_NPM_SPAWN=1)', { SAFE_NPM_SPAWN: '1' }],
  ] as const)('passes through %s: npm output and exit code', (_how, extra) => {
    for (const args of [['--version'], ['run', 'fail'], ['run', 'show', '--', 'a b', ''], ['run', 'missing-script'], ['config', 'get', 'registry']]) {
      const direct = run(join(tools, 'npm'), args);
      const ours = run(bin, args, extra);
      expect(ours.code, args.join(' ')).toBe(direct.code);
      expect(ours.stdout, args.join(' ')).toBe(direct.stdout);
    }
    // outside a project: npm's own error and exit code
    const empty = mkdtempSync(join(tmp, 'noproject-'));
    expect(run(bin, ['run', 'x'], extra, empty).code).toBe(run(join(tools, 'npm'), ['run', 'x'], {}, empty).code);
  });

  it('SAFE_NPM_BYPASS=1: one loud line, a log entry, our flags stripped, npm unchecked', () => {
    const state = join(tmp, 'state');
    const r = run(bin, ['--version', '--safe-yes'], { SAFE_NPM_BYPASS: '1', XDG_STATE_HOME: state });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('safe-npm: SAFE_NPM_BYPASS=1 — running npm unchecked');
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(readFileSync(join(state, 'safe-npm', 'bypass.log'), 'utf8')).toContain('["--version","--safe-yes"]');
  });

  it('usage errors are one line with exit 64', () => {
    const r = run(bin, ['i', '--safe-bogus']);
    expect(r.code).toBe(64);
    expect(r.stderr).toBe('safe-npm: unknown option --safe-bogus (safe-npm\'s own options: --safe-yes, --safe-strict-scripts, --safe-project)\n');
  });
});

describe('own commands as the user typed them (issue 9, the pass over every message)', () => {
  const bin = join(root, 'bin', 'safe-npm.js');
  // Each line of advice or usage that names one of our commands, from a stop or a bad input.
  const cases: Array<{ args: string[]; code: number; says: string }> = [
    { args: ['safe', 'check', '--offline', 'lodahs'], code: 65, says: 'safe update-db' }, // no feed yet: the notice
    { args: ['safe', 'check'], code: 64, says: 'safe check [--offline]' },
    { args: ['safe', 'approve', 'esbuild'], code: 64, says: 'safe approve esbuild@' },
    { args: ['safe', 'deny'], code: 64, says: 'safe deny <name>' },
    { args: ['safe', 'config', 'frob'], code: 64, says: 'safe config get|set|list' },
    { args: ['safe', 'config', 'list', '--bogus'], code: 64, says: 'safe config get|set|list' },
    { args: ['safe', 'list', '--bogus'], code: 64, says: 'safe list [--project]' },
    { args: ['safe', 'version', '--bogus'], code: 64, says: 'safe version' },
    { args: ['safe', 'update-db', '--bogus'], code: 64, says: 'safe update-db [--url' },
  ];
  it.each(cases.map((c) => [c.args.join(' '), c] as const))('%s: `npm safe …` through the shim, `safe-npm safe …` run directly', (_name, { args, code, says }) => {
    const home = mkdtempSync(join(tmp, 'home-'));
    const viaShim = run(shimNpm, args, { HOME: home });
    const shimText = viaShim.stdout + viaShim.stderr;
    expect(viaShim.code, shimText).toBe(code);
    expect(shimText).toContain(`npm ${says}`);
    expect(shimText).not.toContain('safe-npm safe');
    const direct = run(bin, args, { HOME: home });
    const directText = direct.stdout + direct.stderr;
    expect(direct.code, directText).toBe(code);
    expect(directText).toContain(`safe-npm ${says}`);
  });
});

describe('safe trust takes only what the allowlist can match (bad input: one line, 64, nothing written)', () => {
  const npmBin = join(root, 'bin', 'safe-npm.js');
  const pipBin = join(root, 'bin', 'safe-pip.js');
  it.each([
    ['safe-npm', npmBin, ['', 'a b', '../x', 'lodash@^4', 'lodash@latest', 'x@npm:y@1.0.0', 'git+https://x.invalid/a.git'], ['lodash', '@types/node', 'lodash@4.17.21']],
    ['safe-pip', pipBin, ['', 'a b', '../x', 'requests==2.0'], ['Django', 'zope.interface']],
  ] as const)('%s', (_tool, bin, refused, kept) => {
    const home = mkdtempSync(join(tmp, 'home-'));
    for (const name of refused) {
      const r = run(bin, ['safe', 'trust', 'ok-name', name], { HOME: home });
      expect(r.code, `${name}: ${r.stderr}`).toBe(64);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
    }
    expect(run(bin, ['safe', 'list'], { HOME: home }).stdout).toContain('  (none)\n');
    for (const name of kept) expect(run(bin, ['safe', 'trust', name], { HOME: home }).code, name).toBe(0);
    expect(run(bin, ['safe', 'list'], { HOME: home }).stdout).not.toContain('(none)');
  });
});
