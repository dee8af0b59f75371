import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each slow integration file took in a full run, its hooks included (vitest's own cache,
 * node_modules/.vite/vitest/…/results.json, of a fresh-clone CI run on 2026-12-01; the JSON report's
 * times leave out beforeAll: the parity file builds and runs everything there, 88 s that showed as 0).
 * Only the order comes from them: longest first, so that the last file to start is a short one and
 * both workers end together. Without a cache, as on CI's fresh clone, vitest orders files by size: the
 * 83-second trust-boundary file started last and the run took 652 s for 1035 s of files. A file not
 * listed (new, or fast) runs after these, larger files first. Update after a big change.
 */
const secondsTaken: Record<string, number> = {
  'test/integration/everyday.test.ts': 121,
  'test/integration/trust-boundary.test.ts': 91,
  'test/integration/safe-pip.inputs.test.ts': 88,
  'test/integration/safe-pip.parity.test.ts': 88,
  'test/integration/safe-npm.verdaccio.test.ts': 87,
  'test/integration/hostile-inputs.test.ts': 69,
  'test/integration/safe-pip.whole-set.test.ts': 66,
  'test/integration/safe-pip.twin.test.ts': 59,
  'test/integration/safe-pip.local-index.test.ts': 59,
  'test/integration/safe-npm.scripts.test.ts': 53,
  'test/integration/safe-npm.whole-tree.test.ts': 52,
  'test/integration/registry-faults.test.ts': 50,
  'test/integration/shims.test.ts': 49,
  'test/integration/safe-pip.own-name.test.ts': 28,
  'test/integration/safe-pip.root-boundary.test.ts': 14,
  'test/integration/safe-pip.tty.test.ts': 28,
  'test/integration/safe-pip.lock.test.ts': 26,
  'test/fuzz/argv.test.ts': 24,
  'test/integration/safe-pip.quickstart.test.ts': 22,
  'test/integration/safe-npm.tty.test.ts': 18,
  'test/integration/safe-npm.private-install.test.ts': 18,
  'test/integration/harness.test.ts': 16,
  'test/integration/scripts-replay.test.ts': 15,
  'test/integration/feed.test.ts': 9,
  'test/integration/store-concurrency.test.ts': 8,
};

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const bySize = await super.sort(files);
    const weight = (f: TestSpecification) => secondsTaken[relative(this.ctx.config.root, f.moduleId)] ?? 0;
    // Array.prototype.sort is stable: unlisted files keep vitest's order among themselves.
    return [...bySize].sort((a, b) => weight(b) - weight(a));
  }
}

/** Unit files whose assertions are heap sizes. */
const HEAP_MEASURING = 'test/unit/flow/vetting-memory.test.ts';

export default defineConfig({
  test: {
    // A test of several real installs took 58-62 s in CI under load (alone: 17 s): room for that, and such tests are split.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // Integration suites start their own registry/index servers; run files in parallel across 2 cores.
    pool: 'forks',
    // vitest's default is one fork fewer than the cores: on a 2-core CI machine that is one file at a
    // time. The files mostly wait on npm, pip and their servers: two at once take about half as long.
    maxWorkers: Math.max(2, availableParallelism()),
    minWorkers: 1,
    sequence: { sequencer: LongestFirst },
    // Read by vitest's threads pool from the root config only (not per project): the unit project's.
    poolOptions: { threads: { isolate: false } },
    projects: [
      // Unit files run in threads that keep one module graph across files: each file's own start-up
      // (a fresh process and module graph, the popular-name tables parsed again) cost 2-3 s under
      // load, about 90 s of CI's run; together they take 10 s this way (30 s isolated, alone). Their
      // state is per test (temp folders, injected deps); four runs in shuffled file order passed.
      // Their temp folders go after each file (test/helpers/unit-temp-cleanup.ts).
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: [HEAP_MEASURING], pool: 'threads', setupFiles: ['test/helpers/unit-temp-cleanup.ts'] } },
      // A file that measures the heap gets an isolate of its own: in a shared thread, what an earlier
      // file left to run later (a name table built on a later turn) showed in its figures (once in
      // five CI runs, under load: 30 KB freed where several MB were).
      { extends: true, test: { name: 'unit-heap', include: [HEAP_MEASURING], setupFiles: ['test/helpers/unit-temp-cleanup.ts'] } },
      // Integration and fuzz files each get a fresh process: they start servers, set signals, spawn.
      // Their temp folders made with mkdtempSync (the flow's fake deps, built Python dists) go after
      // each file too: about a hundred were left in /tmp by every run.
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts', 'test/fuzz/**/*.test.ts'], setupFiles: ['test/helpers/unit-temp-cleanup.ts'] } },
    ],
    // The JSON report lets .ci/run print the plain 'N passed, N failed' line CI reads.
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
