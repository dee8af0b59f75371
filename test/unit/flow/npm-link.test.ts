import { describe, expect, it } from 'vitest';
import { globalInstallArgs, linkReifyOptions } from '../../../src/flow/npm-link.js';
import { fromTree } from '../../../src/flow/npm-resolve.js';
import { loadNpmTables } from '../../../src/npm/npm-tables.js';
import { parseNpmArgs } from '../../../src/npm/parse-npm-args.js';

const tables = loadNpmTables();
const parse = (argv: string[], cwd = '/work/proj') => parseNpmArgs(argv, {}, tables, { cwd });

describe('npm link, its global half', () => {
  it('is `install --global` of the missing packages with every flag as typed (a flag value that looks like a package stays a flag value)', () => {
    const inv = parse(['link', '--registry', 'http://r/', 'a', '--tag', 'b', 'b', '-D']);
    const missing = inv.specs.filter((sp) => sp.name === 'b');
    expect(globalInstallArgs(inv.npmArgs, inv, missing)).toEqual(['install', '--global', '--registry', 'http://r/', '--tag', 'b', '-D', 'b']);
  });

  it('saves to package.json only when asked, as npm link does, and keeps what the lockfile lacks', () => {
    const config = (values: Record<string, unknown>, defaults: string[] = ['save']) => ({ get: (k: string) => values[k], isDefault: (k: string) => defaults.includes(k) });
    expect(linkReifyOptions(config({ save: true }))).toEqual({ save: false, prune: false });
    expect(linkReifyOptions(config({ save: true }, []))).toEqual({ save: true, prune: false });
    expect(linkReifyOptions(config({ save: true, 'save-dev': true }))).toEqual({ save: true, prune: false });
  });
});

describe('fromTree', () => {
  it('a folder typed relative to where the command ran is given relative to the tree npm\'s engine reads', () => {
    // `cd /work/proj/src && safe-npm i ../../lib`; `-g ../lib` from the project (the tree: the global prefix).
    const inSub = parse(['install', '../../lib'], '/work/proj/src');
    expect(fromTree('../../lib', inSub, '/work/proj')).toBe('file:../lib');
    const global = parse(['install', '-g', '../lib']);
    expect(fromTree('../lib', global, '/usr/local/lib')).toBe('file:../../../work/lib');
    const alias = parse(['install', 'x@file:../lib'], '/work/proj/src');
    expect(fromTree('x@file:../lib', alias, '/work/proj')).toBe('x@file:lib');
    // Registry specs are left as they are.
    expect(fromTree('left-pad@1', parse(['install', 'left-pad@1']), '/work/proj')).toBe('left-pad@1');
  });
});
