import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { loadNpmTables } from '../../../src/npm/npm-tables.js';
import { parseNpmArgs } from '../../../src/npm/parse-npm-args.js';
import { cases } from './npm-argv-cases.js';

const tables = loadNpmTables();
const CWD = '/work/proj';

describe('parseNpmArgs', () => {
  it.each(cases.map((c, i) => [i, c[0].join(' ') || '(none)', c] as const))('#%i npm %s', (_i, _label, [argv, kind, exp = {}]) => {
    const env = exp.env ?? {};
    if (kind === 'usage-error') {
      let err: unknown;
      try {
        parseNpmArgs(argv, env, tables, { cwd: CWD });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(exp.error ?? '');
      expect((err as Error).message).not.toContain('\n');
      return;
    }
    const r = parseNpmArgs(argv, env, tables, { cwd: CWD });
    expect(r.kind).toBe(kind);
    if ('command' in exp) expect(r.command).toBe(exp.command);
    if (exp.specs) {
      expect(r.specs).toHaveLength(exp.specs.length);
      exp.specs.forEach((s, k) => expect(r.specs[k]).toMatchObject(typeof s === 'string' ? { raw: s } : s));
    }
    if (exp.positionals) expect(r.positionals).toEqual(exp.positionals);
    if (exp.global !== undefined) expect(r.global).toBe(exp.global);
    if (exp.workspaces !== undefined) expect(r.workspaces).toEqual(exp.workspaces);
    // everything not ours is forwarded byte for byte, in order
    expect(r.npmArgs).toEqual(
      exp.npmArgs ?? (argv[0] === '--safe-npx' ? r.npmArgs : argv.filter((a) => !a.startsWith('--safe-'))),
    );
    if (exp.cliConfig) expect(r.cliConfig).toMatchObject(exp.cliConfig);
    if (exp.ownFlags) expect(r.ownFlags).toMatchObject(exp.ownFlags);
    if (exp.ignored) expect(r.ignoredScriptsOverrides).toEqual(exp.ignored);
    if (exp.exec) {
      expect(r.exec).toBeDefined();
      const e = r.exec!;
      if (exp.exec.packages) expect(e.packages.map((p) => p.raw)).toEqual(exp.exec.packages);
      if ('command' in exp.exec) expect(e.command).toBe(exp.exec.command);
      if (exp.exec.args) expect(e.args).toEqual(exp.exec.args);
      expect(r.specs).toEqual(e.packages);
    }
    // own flags never reach npm; scripts are never turned back on for install-like kinds
    expect(r.npmArgs.some((a, k) => a.startsWith('--safe-') && !r.npmArgs.slice(0, k).includes('--'))).toBe(false);
    if (kind !== 'passthrough' && kind !== 'safe') {
      expect(r.npmArgs.some((a) => /^--(no-ignore-scripts|ignore-scripts=false)$/.test(a))).toBe(false);
    }
  });

  it('records where the tables came from', () => {
    expect(tables.npmVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(tables.commandMap.isntall).toBe('install');
    expect(tables.shorthands.g).toEqual(['--global']);
  });
});

/**
 * Differential check against npm's own nopt and definitions (the real npm the tables came from):
 * the positionals our port finds must be exactly npm's, on every table case and on random argv.
 */
describe('nopt port agrees with npm', () => {
  let nopt: ((types: object, shorthands: object, args: string[], slice: number) => Record<string, unknown> & { argv: { remain: string[] } }) | undefined;
  let types: Record<string, unknown> = {};
  let shorthands: object = {};
  try {
    const req = createRequire(join(tables.npmDir, 'package.json'));
    nopt = req('nopt');
    const defs = req('@npmcli/config/lib/definitions');
    shorthands = defs.shorthands;
    for (const [k, d] of Object.entries(defs.definitions as Record<string, { type: unknown }>)) types[k] = d.type;
  } catch {
    nopt = undefined;
  }

  const check = (argv: string[]): void => {
    const ours = parseNpmArgs(argv, {}, tables, { cwd: CWD });
    const theirs = nopt!(types, shorthands, [...argv], 0);
    const remain = theirs.argv.remain;
    const positionals = ours.kind === 'safe' ? undefined : [ours.typedCommand, ...ours.positionals].filter((x) => x !== undefined);
    if (positionals) expect(positionals, JSON.stringify(argv)).toEqual(remain);
    expect(ours.global, JSON.stringify(argv)).toBe(theirs.global === true || theirs.location === 'global');
    expect(ours.cliConfig.version === true, JSON.stringify(argv)).toBe(theirs.version === true);
  };

  it.skipIf(!nopt)('on the table cases', () => {
    for (const [argv, kind] of cases) {
      if (kind === 'usage-error' || argv[0] === '--safe-npx' || argv.some((a) => a.startsWith('--safe-'))) continue;
      check(argv);
    }
  });

  it.skipIf(!nopt)('on 3000 random command lines', () => {
    const pool = [
      'i', 'install', 'run', 'ci', 'audit', 'fix', 'foo', 'bar@1', '--', '---', '-', '', 'true', 'false', 'null', 'always',
      '-g', '-D', '-gD', '-w', '-ws', '--ws', '-y', '-C', '-d', '-dd', '-s', '-p', '-c', '-v', '-h', '-x', '--x', '-gx',
      '--registry', '--regi', '--reg', '--prefix', '--save', '--save=foo', '--no-save', '--global', '--no-global', '--local',
      '--workspace', '--workspaces', '--yes', '--no-yes', '--color', '--browser', '--no-browser', '--message', '--tag',
      '--ignore-scripts', '--ignore-scripts=false', '--no-ignore-scripts', '--ignore-scr', '--cpu', '--depth', '--omit',
      '--unknown-flag', '--unknown=val', '--@s:registry=http://r', '--=x', '--version', '--loglevel', '--usage', '--json',
      '--location', 'global', '--also', 'dev', '--lockfile-version', '3', '--NO-save', '--no-no-save', '-Dfoo', '-?',
    ];
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let n = 0; n < 3000; n++) {
      const argv = Array.from({ length: 1 + rnd(7) }, () => pool[rnd(pool.length)]);
      try {
        check(argv);
      } catch (err) {
        if (err instanceof UsageError) continue; // bad spec: not a parsing disagreement
        throw err;
      }
    }
  });
});
