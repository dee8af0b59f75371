import { describe, expect, it } from 'vitest';
import { buildPopularNameIndex } from '../../../src/checks/popular-names.js';
import { offlineLookalikeLines, requestedRegistryNames } from '../../../src/flow/offline-name-stops.js';
import { parseNpmArgs } from '../../../src/npm/parse-npm-args.js';
import { loadNpmTables } from '../../../src/npm/npm-tables.js';

describe('offline look-alike lines (registry or index unreachable)', () => {
  const index = buildPopularNameIndex('npm', ['lodash', 'axios', 'express']);
  it('says each blocking look-alike once with its did-you-mean; popular names, weak look-alikes and others say nothing', () => {
    expect(offlineLookalikeLines(['lodahs', 'lodahs', 'express', 'axios-http', 'my-own-thing'], index)).toEqual([
      '"lodahs" looks like the popular package "lodash" (two letters swapped): did you mean "lodash"?',
    ]);
  });
  it('takes the registry names of the command line (an alias by its real name; folders and git specs have none)', () => {
    const inv = parseNpmArgs(['install', 'lodahs', 'x@npm:expres', './local', 'github:a/b'], {}, loadNpmTables(), { cwd: '/tmp' });
    expect(requestedRegistryNames(inv)).toEqual(['lodahs', 'expres']);
  });
});
