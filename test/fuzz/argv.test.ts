/**
 * Parser fuzzing (issue 14), property-based with fast-check, for safe-npm's and safe-pip's argv:
 *
 * 1. What goes to the real tool is the input minus our own `--safe-…` flags, in order, byte for byte.
 *    The input is built that way — the user's tokens, with own flags slipped in before any `--` — so
 *    the expected answer does not come from the code under test. (safe-npm also rewrites, in place
 *    and reported, the user's attempts to turn install scripts back on: `--ignore-scripts=false` goes
 *    to npm as `--ignore-scripts=true`; no other token may differ.)
 * 2. Every package the real tool would install is among those we check: npm's own parser (nopt with
 *    npm's definitions) finds the same packages; pip's own parser (optparse, run in python) finds the
 *    same requirements, requirement files, constraints, editables and indexes.
 * 3. On a sample, the real tools' own dry runs: `npm install --dry-run` adds only packages we checked,
 *    and `pip install --dry-run` would install exactly what `safe-pip install --dry-run` says.
 * Nothing but a one-line UsageError may come out of the parsers, whatever the input.
 *
 * Cases: SAFE_FUZZ_RUNS (default 2,000: 1,000 per tool, CI); `npm run fuzz` runs 100,000.
 */
import { execa } from 'execa';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { mapConcurrent } from '../../src/npm/npm-registry.js';
import { loadNpmTables } from '../../src/npm/npm-tables.js';
import { parseNpmArgs } from '../../src/npm/parse-npm-args.js';
import { optionValues, parsePipArgs, positionals } from '../../src/pypi/parse-pip-args.js';
import { startFaultRegistry, type FaultRegistry } from '../helpers/fault-registry.js';
import { runSafePip } from '../helpers/pip-runs.js';
import { makeTempDir } from '../helpers/projects.js';
import { buildWheel, PYTHON } from '../helpers/python-dists.js';
import { makeSandbox, runTool, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';

const RUNS = Number(process.env.SAFE_FUZZ_RUNS ?? 2_000);
const PER_TOOL = Math.max(1, Math.floor(RUNS / 2));
/** Real-tool dry runs: a handful in CI, more in `npm run fuzz` (4 at a time). */
const DRY_RUNS = RUNS > 10_000 ? 40 : 3;
const TIMEOUT = RUNS > 10_000 ? 30 * 60_000 : 60_000;
const CWD = '/tmp/safe-fuzz-project';

// ---------------------------------------------------------------------------------------------
// input: the user's tokens, and our own flags slipped in before the end of options

const hostile = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }).map((s) => s.replace(/\0/g, '')), // argv cannot hold NUL
  fc.constantFrom('\x1b[31m', '\u202e', '$(touch x)', '`id`', ';rm -rf /', '|sh', '../../etc/passwd', '/etc/shadow', '', ' ', '-', '=', '@', '@/', 'a'.repeat(300)),
);
/** Any user token; `vocabulary` for the words that mean something to the tool. */
const userToken = (vocabulary: readonly string[]) => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...vocabulary) }, { weight: 1, arbitrary: hostile });
/** Own flags must never reach the tool; after the end of options they are the user's. */
const withOwnFlags = (tokens: fc.Arbitrary<string[]>, own: readonly string[], isEnd: (t: string) => boolean) =>
  fc.tuple(tokens, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...own)), { maxLength: 3 })).map(([user, inserts]) => {
    const end = user.findIndex(isEnd);
    const limit = end === -1 ? user.length : end;
    const argv = [...user];
    for (const [at, flag] of inserts.sort((a, b) => b[0] - a[0])) argv.splice(at % (limit + 1), 0, flag);
    return { argv, user };
  });

// ---------------------------------------------------------------------------------------------
// npm

const NPM_WORDS = [
  'install', 'i', 'add', 'isntall', 'ci', 'update', 'up', 'install-test', 'it', 'exec', 'x', 'run', 'test', 'ls', 'uninstall', 'rebuild', 'link', 'dedupe', 'audit', 'fix', 'init', 'pack', 'help',
  '-g', '-D', '-E', '-S', '-O', '-P', '-w', '-ws', '-y', '-f', '-d', '-gD', '--workspace', '--workspaces', '--prefix', '--registry', 'http://127.0.0.1:9/', '--tag', 'next', '--save', '--no-save', '--save-dev', '--save-exact',
  '--global', '--location', 'global', '--omit', 'dev', '--dry-run', '--json', '--force', '--yes', '--loglevel', 'silent', '--unknown-flag', '--unknown=val', '--@s:registry=http://r/', '--version', '--foreground-scripts',
  '--ignore-scripts=false', '--no-ignore-scripts', '--ignore-scripts', 'false', 'true',
  'lodash', 'left-pad', '@types/node', '@s/x', 'lodash@4.17.21', 'lodash@^4', 'lodash@latest', 'a@npm:lodash@^4', 'github:u/r', 'file:./x', './dir', 'https://x.invalid/y.tgz',
  '--', '---',
];
const NPM_OWN = ['--safe-yes', '--safe-yes=true', '--safe-yes=false', '--safe-strict-scripts', '--safe-strict-scripts=0', '--safe-project', '--safe-project=on'];
const npmInput = withOwnFlags(fc.array(userToken(NPM_WORDS), { maxLength: 9 }), NPM_OWN, (t) => /^-{2,}$/.test(t));
const OVERRIDE_TOKENS = new Set(['--ignore-scripts=false', '--no-ignore-scripts', '--ignore-scripts', 'false', 'true']);
const SCRIPTS_OFF = new Set(['--ignore-scripts=true', '--ignore-scripts', 'true']);

const tables = loadNpmTables();
type Nopt = (types: object, shorthands: object, args: string[], slice: number) => Record<string, unknown> & { argv: { remain: string[] } };
let nopt: Nopt | undefined;
const types: Record<string, unknown> = {};
let shorthands: object = {};
try {
  const req = createRequire(join(tables.npmDir, 'package.json'));
  nopt = req('nopt') as Nopt;
  const defs = req('@npmcli/config/lib/definitions') as { shorthands: object; definitions: Record<string, { type: unknown }> };
  shorthands = defs.shorthands;
  for (const [k, d] of Object.entries(defs.definitions)) types[k] = d.type;
} catch {
  nopt = undefined;
}

/** Parse as safe-npm does; only a UsageError may be thrown (returned as undefined). */
function parseNpm(argv: string[]) {
  try {
    return parseNpmArgs(argv, {}, tables, { cwd: CWD });
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

describe('safe-npm argv', () => {
  it(`forwards the input minus our own flags, byte for byte, in order (${PER_TOOL} cases)`, () => {
    fc.assert(fc.property(npmInput, ({ argv, user }) => {
      const inv = parseNpm(argv);
      if (!inv) return;
      const why = JSON.stringify({ argv, forwarded: inv.npmArgs });
      // Same tokens at the same places; only an attempt to turn scripts back on is rewritten (in
      // place, to its scripts-off form, so that npm reads every neighbour as typed), and reported.
      expect(inv.npmArgs, why).toHaveLength(user.length);
      user.forEach((token, i) => {
        if (inv.npmArgs[i] !== token) expect(OVERRIDE_TOKENS.has(token) && SCRIPTS_OFF.has(inv.npmArgs[i]!), why).toBe(true);
      });
      for (const token of inv.ignoredScriptsOverrides) expect(OVERRIDE_TOKENS.has(token), why).toBe(true);
      if (inv.kind === 'passthrough') expect(inv.npmArgs, why).toEqual(user);
    }), { numRuns: PER_TOOL });
  }, TIMEOUT);

  it.skipIf(!nopt)(`checks every package npm's own parser would install (${PER_TOOL} cases)`, () => {
    fc.assert(fc.property(npmInput, ({ argv }) => {
      const inv = parseNpm(argv);
      if (!inv || inv.kind === 'passthrough' || inv.kind === 'safe') return;
      const theirs = nopt!(types, shorthands, [...inv.npmArgs], 0);
      expect([inv.typedCommand, ...inv.positionals], JSON.stringify(argv)).toEqual(theirs.argv.remain);
      expect(inv.global, JSON.stringify(argv)).toBe(theirs.global === true || theirs.location === 'global');
      if (['install', 'update', 'install-test', 'link'].includes(inv.kind)) {
        expect(inv.specs.map((s) => s.raw), JSON.stringify(argv)).toEqual(theirs.argv.remain.slice(1));
      }
    }), { numRuns: PER_TOOL });
  }, TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// pip

const PIP_GENERAL = [['-v'], ['-q'], ['-qqq'], ['--isolated'], ['--no-input'], ['--disable-pip-version-check'], ['--timeout', '5'], ['--retries=0'], ['--no-cache-dir'], ['--proxy', 'http://p:1']];
const PIP_COMMANDS = ['install', 'install', 'install', 'download', 'wheel', 'list', 'show', 'freeze', 'uninstall', 'help', 'config', 'inspect', 'lock'];
/** Whole arguments of pip's install/download/wheel: an option with its value, a flag, a requirement, an abbreviation, a cluster. */
const PIP_ARGS = [
  ['-r', 'req.txt'], ['--requirement=r2.txt'], ['--requi', 'r3.txt'], ['-rreq4.txt'], ['-Ur', 'r5.txt'], ['-c', 'c.txt'], ['-e', './proj'], ['--editable', 'git+https://x.invalid/y#egg=z'],
  ['-i', 'http://127.0.0.1:9/simple'], ['--index-url=http://i.invalid/simple'], ['--extra-index-url', 'http://e.invalid/simple'], ['--extra-ind', 'http://e2.invalid/simple'], ['--no-index'],
  ['-f', '/wheels'], ['--find-links=/more'], ['-U'], ['--upgrade'], ['--user'], ['-t', '/t'], ['--target=/t2'], ['--prefix', '/p'], ['--root', '/r'], ['--no-deps'], ['--pre'], ['--dry-run'],
  ['--report', 'r.json'], ['--only-binary', ':all:'], ['--no-binary=:none:'], ['--require-hashes'], ['--no-build-isolation'], ['-I'], ['--upgrade-strategy', 'eager'], ['--src', '/s'],
  ['--break-system-packages'], ['-q'], ['-v'], ['--help'], ['--unknown-opt'],
  ['requests'], ['requests==2.0'], ['numpy>=1; python_version<"4"'], ['pkg[extra]'], ['./local'], ['x @ https://x.invalid/y.whl'], ['file:///tmp/x'], ['--'], ['-r'], ['--index-url'],
];
const pipUser = fc.tuple(
  fc.array(fc.constantFrom(...PIP_GENERAL), { maxLength: 2 }),
  fc.constantFrom(...PIP_COMMANDS),
  fc.array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...PIP_ARGS) }, { weight: 1, arbitrary: hostile.map((h) => [h]) }), { maxLength: 6 }),
).map(([general, command, rest]) => [...general.flat(), command, ...rest.flat()]);
const PIP_OWN = ['--safe-yes', '--safe-yes=1', '--safe-strict-builds', '--safe-strict-scripts=no'];
const pipInput = withOwnFlags(pipUser, PIP_OWN, (t) => t === '--');
const PIP_VERSION: [number, number] = [23, 0];

function parsePip(argv: string[]) {
  try {
    return parsePipArgs(argv, { env: {}, version: PIP_VERSION });
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

/** pip's own parsers (pip._internal), one python for every case: command, positionals and the options that bring requirements in. */
const PIP_PARSE = String.raw`
import json, sys, io, contextlib
from pip._internal.cli.main_parser import parse_command
from pip._internal.commands import create_command
out = []
for argv in json.load(sys.stdin):
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            name, args = parse_command(argv)
            if name not in ("install", "download", "wheel"):
                out.append({"ok": True, "command": name})
                continue
            options, positionals = create_command(name, isolated=True).parse_args(args)
        out.append({"ok": True, "command": name, "positionals": positionals,
                    "requirements": options.requirements, "constraints": options.constraints, "editables": options.editables,
                    "index_url": options.index_url, "extra_index_urls": options.extra_index_urls, "find_links": options.find_links, "no_index": options.no_index})
    except SystemExit as e:
        out.append({"ok": False, "exit": e.code})
    except Exception as e:
        out.append({"ok": False, "error": "%s: %s" % (type(e).__name__, e)})
json.dump(out, sys.stdout)
`;

interface PipAnswer { ok: boolean; command?: string; positionals?: string[]; requirements?: string[]; constraints?: string[]; editables?: string[]; index_url?: string; extra_index_urls?: string[]; find_links?: string[]; no_index?: boolean }

describe('safe-pip argv', () => {
  it(`forwards the input minus our own flags, byte for byte, in order (${PER_TOOL} cases)`, () => {
    fc.assert(fc.property(pipInput, ({ argv, user }) => {
      const inv = parsePip(argv);
      if (!inv) return;
      expect(inv.pipArgs, JSON.stringify(argv)).toEqual(user);
    }), { numRuns: PER_TOOL });
  }, TIMEOUT);

  it.skipIf(!existsSync(PYTHON))(`finds every requirement pip's own parser finds (${PER_TOOL} cases, one python)`, async () => {
    const samples = fc.sample(pipInput, { numRuns: PER_TOOL });
    // pip is given what we would forward: the user's tokens (own flags are never pip's).
    const python = await execa(PYTHON, ['-c', PIP_PARSE], { input: JSON.stringify(samples.map(({ user }) => user)), env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null', PIP_NO_INPUT: '1' }, extendEnv: false });
    const answers = JSON.parse(python.stdout) as PipAnswer[];
    let compared = 0;
    samples.forEach(({ argv }, i) => {
      const ours = parsePip(argv);
      const theirs = answers[i]!;
      const why = JSON.stringify({ argv, theirs });
      if (!theirs.ok || !theirs.positionals) {
        // pip installs nothing: it refuses the line (we may refuse it too) or it is not an install.
        if (ours && !theirs.ok) expect(['passthrough', 'install', 'download', 'wheel']).toContain(ours.kind);
        if (ours && theirs.ok) expect(ours.kind, why).toBe('passthrough');
        return;
      }
      // pip would install from this line: we must have parsed it as that command, with the same inputs.
      expect(ours, why).toBeDefined();
      expect(ours!.kind, why).toBe(theirs.command);
      compared++;
      expect(positionals(ours!.items), why).toEqual(theirs.positionals);
      expect(optionValues(ours!.items, '--requirement'), why).toEqual(theirs.requirements);
      expect(optionValues(ours!.items, '--constraint'), why).toEqual(theirs.constraints);
      expect(optionValues(ours!.items, '--editable'), why).toEqual(theirs.editables);
      expect(optionValues(ours!.items, '--find-links'), why).toEqual(theirs.find_links);
      expect(optionValues(ours!.items, '--extra-index-url'), why).toEqual(theirs.extra_index_urls);
      const index = optionValues(ours!.items, '--index-url');
      if (index.length) expect(index.at(-1), why).toBe(theirs.index_url);
    });
    // The generator reaches pip's install path often enough to mean something.
    expect(compared).toBeGreaterThan(PER_TOOL / 5);
  }, TIMEOUT);
});

// ---------------------------------------------------------------------------------------------
// the real tools' own dry runs, on a sample

const NAMES = ['alpha', 'beta', 'gamma', 'delta'];
const dryNpmInput = fc.record({
  specs: fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }).chain((names) => fc.tuple(...names.map((n) => fc.constantFrom(n, `${n}@^1.0.0`, `${n}@1.1.0`, `${n}@latest`, `al-${n}@npm:${n}@^1`)))),
  flags: fc.subarray(['-D', '-E', '--legacy-peer-deps', '--no-fund', '--foreground-scripts', '--ignore-scripts=false']),
  own: fc.subarray(['--safe-yes', '--safe-strict-scripts']),
});

describe('the real tools\' own dry runs agree (a sample)', () => {
  let registry: FaultRegistry;
  let index: SimpleIndex | undefined;
  let sandbox: Sandbox;
  let work: string;
  let venv: string | undefined;
  beforeAll(async () => {
    registry = await startFaultRegistry({ packages: [], healthyByDefault: true });
    sandbox = await makeSandbox({ registry: registry.url });
    work = await makeTempDir('safe-fuzz-');
    if (existsSync(PYTHON) && process.getuid?.() === 0) {
      const dists = join(work, 'dists');
      mkdirSync(dists);
      mkdirSync(join(work, 'cache'));
      index = await startSimpleIndex(NAMES.map((name) => ({
        name, projectUrls: { Source: `https://example.invalid/${name}` },
        files: ['1.0', '1.1', '1.2'].map((version, i) => ({ dist: buildWheel(dists, { name, version, requires: name === 'alpha' ? ['beta'] : [] }), uploaded: daysAgo(400 - i * 50) })),
      })));
      await execa('chmod', ['-R', 'a+rX', work]);
      venv = await newVenv('nobody');
    }
  }, 120_000);
  afterAll(async () => {
    await registry?.close();
    await index?.close();
    await sandbox?.cleanup();
  });

  it(`npm install --dry-run adds only packages safe-npm checks (${DRY_RUNS} command lines)`, async () => {
    const samples = fc.sample(dryNpmInput, { numRuns: DRY_RUNS });
    await mapConcurrent(samples.map((sample, n) => ({ ...sample, n })), 4, async ({ specs, flags, own, n }) => {
      const argv = ['install', ...specs, ...flags, ...own];
      const inv = parseNpmArgs(argv, {}, tables, { cwd: CWD });
      const checked = new Set(inv.specs.map((s) => s.name));
      const project = join(work, `npm-${n}`);
      mkdirSync(project);
      writeFileSync(join(project, 'package.json'), '{"name":"p","version":"1.0.0"}\n');
      const r = await runTool('npm', [...inv.npmArgs, '--dry-run', '--json', '--ignore-scripts'], { cwd: project, sandbox });
      expect(r.exitCode, JSON.stringify({ argv, stderr: r.stderr.slice(0, 2000) })).toBe(0);
      const added = (JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { add: Array<{ name: string; path: string }> }).add;
      const topLevel = added.filter((a) => a.path === join(project, 'node_modules', a.name));
      expect(topLevel.length, JSON.stringify({ argv, added })).toBeGreaterThan(0);
      for (const a of topLevel) expect(checked.has(a.name), JSON.stringify({ argv, checked: [...checked], added })).toBe(true);
    });
  }, TIMEOUT);

  it.skipIf(!existsSync(PYTHON) || process.getuid?.() !== 0)(`pip install --dry-run would install exactly what safe-pip install --dry-run says (${DRY_RUNS} command lines)`, async () => {
    const pipSample = fc.record({
      reqs: fc.uniqueArray(fc.constantFrom(...NAMES), { minLength: 1, maxLength: 3 }).chain((names) => fc.tuple(...names.map((n) => fc.constantFrom(n, `${n}==1.1`, `${n}>=1.0`, `${n}<1.2`)))),
      flags: fc.subarray(['--no-deps', '--pre', '-q', '--upgrade']),
      own: fc.subarray(['--safe-yes']),
    });
    const wouldInstall = (text: string) => (/^Would install (.*)$/m.exec(text)?.[1] ?? '').split(' ').filter(Boolean).sort();
    await mapConcurrent(fc.sample(pipSample, { numRuns: DRY_RUNS }), 4, async ({ reqs, flags, own }) => {
      const args = ['install', '--dry-run', ...reqs, ...flags];
      const env = { PIP_INDEX_URL: index!.url };
      const safe = await runSafePip(sandbox, work, venv, [...args, ...own], { env });
      const plain = await runTool(join(venv!, 'bin', 'pip'), args, { cwd: work, sandbox, env });
      expect(safe.exitCode, safe.stderr).toBe(0);
      expect(wouldInstall(safe.stdout), JSON.stringify({ args, safe: safe.stdout, plain: plain.stdout })).toEqual(wouldInstall(plain.stdout));
      // -q hides pip's summary line; otherwise it names at least what was asked for.
      if (!flags.includes('-q')) expect(wouldInstall(plain.stdout).length).toBeGreaterThan(0);
    });
  }, TIMEOUT);
});

