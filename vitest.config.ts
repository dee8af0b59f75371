import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites start their own registry/index servers; run files in parallel across 2 cores.
    pool: 'forks',
    // vitest's default is one fork fewer than the cores: on a 2-core CI machine that is one file at a
    // time (~500 s). The files mostly wait on npm, pip and their servers: two at once take ~300 s.
    maxWorkers: Math.max(2, availableParallelism()),
    minWorkers: 1,
    // The JSON report lets .ci/run print the plain 'N passed, N failed' line CI reads.
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
