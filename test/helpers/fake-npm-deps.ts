import { noInterrupts } from '../../src/run/interrupts.js';
/**
 * Fake edges for the install flow: a scripted registry, scripted prompt answers (an unexpected
 * prompt THROWS), a recorded npm run. The flow's own logic is what the tests exercise.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafeStore } from '../../src/config/store.js';
import type { NpmFlowDeps } from '../../src/flow/npm-install.js';
import type { InstallMode } from '../../src/npm/install-mode.js';
import type { TreeInstallRequest } from '../../src/npm/tree-install.js';
import type { ResolvedNode } from '../../src/npm/tree-nodes.js';
import type { NpmConfig } from '../../src/npm/npm-config.js';
import type { Packument, PackumentResult } from '../../src/npm/npm-registry.js';
import type { NpmInstallJob } from '../../src/npm/run-npm-install.js';
import type { PackageAnswer } from '../../src/ui/prompts.js';
import { makeContext, NOW } from './make-facts.js';
import { scriptedPrompts } from './scripted-prompts.js';

export function packument(name: string, opts: { ageDays?: number; versions?: number; scripts?: Record<string, string> } = {}): Packument {
  const t = new Date(NOW.getTime() - (opts.ageDays ?? 800) * 86_400_000).toISOString();
  const versions: Packument['versions'] = {};
  const time: Record<string, string> = { created: t, modified: t };
  for (let i = 0; i < (opts.versions ?? 10); i++) {
    const v = `1.0.${i}`;
    versions[v] = { name, version: v, description: 'd', repository: 'git+https://x.invalid/r.git', scripts: opts.scripts };
    time[v] = t;
  }
  return { name, versions, time, 'dist-tags': { latest: `1.0.${(opts.versions ?? 10) - 1}` }, maintainers: [] };
}

export interface FakeSetup {
  packuments?: Record<string, Packument | 'not-found' | 'error'>;
  answers?: PackageAnswer[];
  /** Answers to the yes/no questions, in order. */
  confirms?: boolean[];
  interactive?: boolean;
  euid?: number;
  ownerUid?: number;
  /** Extra (transitive) packages the fake resolver puts in the tree. */
  tree?: ResolvedNode[];
  tooYoung?: Array<{ name: string; wanted: string }>;
  /** The per-user store (default: a new one in a temp folder). */
  store?: SafeStore;
  /** How the user typed safe-npm (`npm` through the shim). */
  ownCommand?: string;
  /** How long before now() the command started. */
  ranForMs?: number;
}

export async function fakeDeps(setup: FakeSetup) {
  const stderr: string[] = [];
  const stdout: string[] = [];
  /** Whole-tree installs that went ahead (the engine's reify), with the mode its worker ran in. */
  const installs: Array<TreeInstallRequest & { mode: InstallMode }> = [];
  const locked: string[] = [];
  const released: string[] = [];
  const spawned: InstallMode[] = [];
  const unusedWorkers: InstallMode[] = [];
  /** Runs of the real npm (ci, global, exec…). */
  const npmRuns: NpmInstallJob[] = [];
  const started: TreeInstallRequest[] = [];
  const cancelled: TreeInstallRequest[] = [];
  const fetched: string[] = [];
  const scripted = scriptedPrompts({ answers: setup.answers, confirms: setup.confirms });
  const store = setup.store ?? await SafeStore.open({ cwd: mkdtempSync(join(tmpdir(), 'safe-flow-')) });
  const projectDir = mkdtempSync(join(tmpdir(), 'safe-flow-project-'));
  const config: NpmConfig = {
    flat: {}, get: (k) => ({ tag: 'latest', cache: '/tmp/cache' } as Record<string, unknown>)[k], isDefault: () => true,
    localPrefix: projectDir, globalPrefix: '/usr', userconfigPath: '/nonexistent/.npmrc',
  };
  const deps: NpmFlowDeps = {
    env: {}, cwd: projectDir, interactive: setup.interactive ?? false, stderrIsTTY: false,
    euid: setup.euid ?? 1000, realNpm: '/usr/bin/npm', ownCommand: setup.ownCommand ?? 'safe-npm', now: () => NOW,
    startedAt: NOW.getTime() - (setup.ranForMs ?? 2000), stdout: (t) => void stdout.push(t),
    stderr: (t) => void stderr.push(t),
    openStore: async () => store,
    loadNpmConfig: async () => config,
    createRegistry: async () => ({
      options: {},
      prime() {},
      async packument(name): Promise<PackumentResult> {
        fetched.push(name);
        const p = setup.packuments?.[name];
        if (p === undefined || p === 'not-found') return { ok: false, notFound: true, error: '404' };
        if (p === 'error') return { ok: false, notFound: false, error: 'ECONNREFUSED' };
        return { ok: true, packument: p };
      },
    }),
    asBuildUser: (_u, fn) => fn(),
    popular: () => ({ isPopular: (n) => n === 'lodash', lookAlike: makeContext().popular.lookAlike }),
    prompts: scripted.prompts,
    spinner: async () => ({ update() {}, stop() {} }),
    lookupUser: (u) => (u === 'nobody' || u === 65534 ? { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' } : typeof u === 'number' ? { name: `u${u}`, uid: u, gid: u, home: '/nonexistent' } : undefined),
    ownerUidOf: () => setup.ownerUid ?? 1000,
    interrupts: noInterrupts,
    buildIdentities: () => ({
      install: { name: '_safe-npm', uid: 990, gid: 990, home: '/nonexistent' },
      scripts: { name: '_safe-npm-scripts', uid: 991, gid: 991, home: '/nonexistent' },
      dedicated: true,
      warnings: [],
    }),
    lockProject: async (dir) => {
      locked.push(dir);
      return { release: async () => void released.push(dir) };
    },
    recoverProject: () => undefined,
    ensureUserCache: (root, user) => `${root}/${user.name}/npm`,
    async runNpmInstall(job) {
      npmRuns.push(job);
      return { exitCode: 0, ranIn: job.projectDir };
    },
    // npm's engine stands in as: each requested package, alone, at the top level, plus `setup.tree`.
    guessProjectDir: () => projectDir,
    spawnTreeWorker(mode) {
      spawned.push(mode);
      let used = false;
      return {
        mode,
        async cancel() {
          if (!used) unusedWorkers.push(mode);
        },
        start(request) {
          used = true;
          started.push(request);
          const nodes = [...(setup.tree ?? []), ...request.add.map((spec) => {
            const name = spec.replace(/(.)@.*$/, '$1');
            const p = setup.packuments?.[name];
            const version = p && typeof p === 'object' ? p['dist-tags']!.latest! : '0.0.0';
            return { name, version, location: `node_modules/${name}`, registry: true, source: 'registry' as const, path: [name], dev: false, optional: false };
          })];
          let done = false;
          return {
            resolved: Promise.resolve({ nodes, tooYoung: setup.tooYoung ?? [], packuments: {} }),
            async docs() {
              return {};
            },
            async install() {
              done = true;
              installs.push({ ...request, mode });
              return { exitCode: 0, added: nodes.length, removed: 0, changed: 0 };
            },
            async cancel() {
              if (!done) cancelled.push(request);
            },
          };
        },
      };
    },
    installedEntries: () => new Map(),
    lockedEntries: () => new Map(),
  };
  return { deps, store, stderr, installs, npmRuns, started, cancelled, spawned, unusedWorkers, asked: scripted.asked, questions: scripted.questions, confirmed: scripted.confirmed, fetched, locked, released, text: () => stderr.join(''), out: () => stdout.join('') };
}
