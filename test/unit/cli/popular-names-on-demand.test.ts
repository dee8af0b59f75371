import { describe, expect, it } from 'vitest';
import { realNpmFlowDeps } from '../../../src/cli/npm-install-flow.js';
import { forgetPopularNames, lookAlikeTablesBuilt } from '../../../src/checks/popular-names.js';
import type { Interrupts } from '../../../src/run/interrupts.js';

// `npm i lodash` built the look-alike tables (about 0.3 s of CPU, on the way to the requested check)
// for a name that needs none: the flow's popular() loaded the data by looking a name up.
describe('the install flow\'s popular-name index', () => {
  const interrupts: Interrupts = { received: () => undefined, onInterrupt: () => () => {}, abort: () => {}, dispose: () => {}, settled: () => {} };
  it('reads the data file, and builds the look-alike tables only for a name that is not popular (or when asked to prepare)', () => {
    forgetPopularNames();
    const deps = realNpmFlowDeps({ argv: [], env: {}, cwd: '/tmp', stdinIsTTY: false, stdoutIsTTY: false, realNpm: '/usr/bin/npm', early: { interrupts } });
    const index = deps.popular();
    expect(lookAlikeTablesBuilt('npm')).toBe(false);
    expect(index.isPopular('lodash')).toBe(true);
    expect(index.lookAlike('lodash')).toBeUndefined();
    expect(lookAlikeTablesBuilt('npm')).toBe(false);
    expect(index.lookAlike('lodahs')?.target).toBe('lodash');
    expect(lookAlikeTablesBuilt('npm')).toBe(true);
    forgetPopularNames();
    index.prepare?.();
    expect(lookAlikeTablesBuilt('npm')).toBe(true);
    forgetPopularNames();
  });
});
