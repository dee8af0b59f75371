import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installedBeforeInterrupt } from '../../../src/flow/npm-finish.js';
import { watchInterrupts } from '../../../src/run/interrupts.js';
import type { SignalSource } from '../../../src/run/passthrough.js';
import { installSummary, npmInstallFlow, rewriteArgs, wholeTreeMode } from '../../../src/flow/npm-install.js';
import type { NpmInvocation } from '../../../src/npm/npm-invocation.js';
import { parseSpec } from '../../../src/npm/parse-npm-args.js';
import { fakeDeps, packument } from '../../helpers/fake-npm-deps.js';
import { Cancelled } from '../../../src/core/errors.js';
import { loadNpmTables } from '../../../src/npm/npm-tables.js';
import { NPX_MARKER, parseNpmArgs } from '../../../src/npm/parse-npm-args.js';
import type { ExecContext } from '../../../src/flow/npm-install.js';
import type { PackageAnswer } from '../../../src/ui/prompts.js';

function install(args: string[], own: Partial<NpmInvocation['ownFlags']> = {}): NpmInvocation {
  const specs = args.filter((a) => !a.startsWith('-')).map((a) => parseSpec(a, process.cwd()));
  return {
    kind: 'install', command: 'install', typedCommand: 'i', specs, positionals: args, global: false, workspaces: false,
    npmArgs: ['i', ...args], ownFlags: { yes: false, strictScripts: false, project: false, other: {}, ...own }, cliConfig: {},
  };
}

const registry = {
  'left-pad': packument('left-pad'),
  lodash: packument('lodash'),
  // A squat published 100 days ago: younger than a year, so the registry's answer does not make it established.
  lodahs: packument('lodahs', { ageDays: 100 }),
  fresh: packument('fresh', { ageDays: 0.01 }),
};

describe('npm install flow (fake edges)', () => {
  it('a clean package installs with scripts off, as the flow decided, without a prompt', async () => {
    const t = await fakeDeps({ packuments: registry });
    expect(await npmInstallFlow(install(['left-pad']), t.deps)).toBe(0);
    // npm's engine resolved the tree with the spec and installed exactly that tree; npm itself never ran.
    expect(t.installs).toHaveLength(1);
    expect(t.installs[0]!.add).toEqual(['left-pad']);
    expect(t.installs[0]!.mode).toEqual({ kind: 'self' });
    expect(t.npmRuns).toEqual([]);
    expect(t.asked).toEqual([]);
  });

  it('no TTY: a typosquat stops with 65 and nothing is installed', async () => {
    const t = await fakeDeps({ packuments: registry });
    expect(await npmInstallFlow(install(['lodahs']), t.deps)).toBe(65);
    expect(t.installs).toEqual([]);
    // The resolver started alongside the check is stopped: nothing of it remains.
    expect(t.cancelled).toHaveLength(1);
    expect(t.text()).toMatch(/lodahs: blocked \(did you mean "lodash"\?\)/);
  });

  it('no TTY: a fresh package needs confirmation (66); --safe-yes installs it', async () => {
    const t = await fakeDeps({ packuments: registry });
    expect(await npmInstallFlow(install(['fresh']), t.deps)).toBe(66);
    expect(t.installs).toEqual([]);
    expect(t.text()).toContain('--safe-yes');
    const y = await fakeDeps({ packuments: registry });
    expect(await npmInstallFlow(install(['fresh'], { yes: true }), y.deps)).toBe(0);
    expect(y.installs).toHaveLength(1);
  });

  it('no TTY: a registry failure is could-not-verify (68)', async () => {
    const t = await fakeDeps({ packuments: { flaky: 'error' } });
    expect(await npmInstallFlow(install(['flaky']), t.deps)).toBe(68);
    expect(t.installs).toEqual([]);
  });

  it('the allowlist accepts a trusted warn-level package', async () => {
    const t = await fakeDeps({ packuments: registry });
    t.store.trust('npm', 'fresh');
    expect(await npmInstallFlow(install(['fresh']), t.deps)).toBe(0);
  });

  it('TTY: substituting the suggestion rewrites the argument and checks the substitute', async () => {
    const t = await fakeDeps({ packuments: registry, interactive: true, answers: ['substitute'] });
    expect(await npmInstallFlow(install(['lodahs', 'left-pad']), t.deps)).toBe(0);
    expect(t.asked).toEqual(['lodahs']);
    // The first resolution (started while checking) is dropped; the install uses the substitute.
    expect(t.cancelled.map((r) => r.add)).toEqual([['lodahs', 'left-pad']]);
    expect(t.installs.map((r) => r.add)).toEqual([['lodash', 'left-pad']]);
    expect(t.fetched).toContain('lodash');
  });

  it('TTY: skip drops the package; skipping everything installs nothing', async () => {
    const t = await fakeDeps({ packuments: registry, interactive: true, answers: ['skip'] });
    expect(await npmInstallFlow(install(['lodahs', 'left-pad']), t.deps)).toBe(0);
    expect(t.installs.map((r) => r.add)).toEqual([['left-pad']]);
    const all = await fakeDeps({ packuments: registry, interactive: true, answers: ['skip'] });
    expect(await npmInstallFlow(install(['lodahs']), all.deps)).toBe(0);
    expect(all.installs).toEqual([]);
  });

  it('TTY: abort installs nothing', async () => {
    const t = await fakeDeps({ packuments: registry, interactive: true, answers: ['abort'] });
    await expect(npmInstallFlow(install(['lodahs']), t.deps)).rejects.toThrow(Cancelled);
    expect(t.installs).toEqual([]);
  });

  it('TTY: "always trust" saves what the user saw (name@version) to the allowlist', async () => {
    const t = await fakeDeps({ packuments: registry, interactive: true, answers: ['install-and-trust'] });
    expect(await npmInstallFlow(install(['fresh']), t.deps)).toBe(0);
    expect(t.store.isTrusted('npm', 'fresh@1.0.9')).toBe(true);
  });

  it('root: a project owned by an ordinary user installs as that user; a root project stages as the install identity, under the project lock', async () => {
    const owned = await fakeDeps({ packuments: registry, euid: 0, ownerUid: 1234 });
    await npmInstallFlow(install(['left-pad']), owned.deps);
    expect(owned.installs[0]!.mode).toMatchObject({ kind: 'as-owner', user: { uid: 1234 } });
    const rootOwned = await fakeDeps({ packuments: registry, euid: 0, ownerUid: 0 });
    await npmInstallFlow(install(['left-pad']), rootOwned.deps);
    expect(rootOwned.installs[0]!.mode).toMatchObject({ kind: 'staging', user: { name: '_safe-npm' }, scriptUser: { name: '_safe-npm-scripts' }, dedicated: true });
    expect(rootOwned.installs[0]!.cacheDir).toBe('/var/cache/safe-npm/_safe-npm/npm');
    // The project was locked for the whole install, and released.
    expect(rootOwned.locked).toEqual([rootOwned.installs[0]!.projectDir]);
    expect(rootOwned.released).toEqual(rootOwned.locked);
    // The engine was spawned once, early, for the right user, and that worker did the install.
    expect(rootOwned.spawned).toHaveLength(1);
    expect(rootOwned.unusedWorkers).toEqual([]);
  });

  it('rewriteArgs replaces or drops only the first occurrence of a spec', () => {
    expect(rewriteArgs(['i', 'a', 'b', 'a'], new Map([['a', 'x'], ['b', null]]))).toEqual(['i', 'x', 'a']);
  });

  it('a transitive look-alike is caught with its dependency path; nothing is installed', async () => {
    const t = await fakeDeps({
      packuments: registry,
      tree: [{ name: 'lodahs', version: '1.0.9', location: 'node_modules/lodahs', registry: true, source: 'registry', path: ['left-pad', 'lodahs'], dev: false, optional: false }],
    });
    expect(await npmInstallFlow(install(['left-pad']), t.deps)).toBe(65);
    expect(t.text()).toContain('lodahs@1.0.9 (via left-pad): blocked');
    expect(t.installs).toEqual([]);
  });

  it('no version old enough for the cooldown: the newest is kept with a warn naming its age', async () => {
    const t = await fakeDeps({
      packuments: registry,
      tree: [{ name: 'fresh', version: '1.0.9', location: 'node_modules/fresh', registry: true, source: 'registry', path: ['left-pad', 'fresh'], dev: false, optional: false }],
      tooYoung: [{ name: 'fresh', wanted: '^1.0.0' }],
    });
    expect(await npmInstallFlow(install(['left-pad']), t.deps)).toBe(66);
    expect(t.text()).toMatch(/no version of fresh matching the request is older than the 48-hour cooldown; fresh@1\.0\.9 is \d+ minutes old/);
    expect(t.started[0]!.before!.getTime()).toBe(new Date('2026-11-23T12:00:00Z').getTime());
  });

  it('the note after an interrupt names the replay in the tool\'s own name, as typed', () => {
    expect(installedBeforeInterrupt('safe-npm')).toContain('safe-npm rebuild runs them');
    expect(installedBeforeInterrupt('npm')).toContain(': npm rebuild runs them');
  });

  it.each([
    ['wrote', 0, [`safe-npm: ${installedBeforeInterrupt('safe-npm')}`]],
    ['failed', 1, []],
  ] as const)('a Ctrl-C while npm\'s engine writes, which then %s: no summary of npm\'s after the interrupt line, no replay, 130', async (_how, engineExit, said) => {
    const t = await fakeDeps({ packuments: registry });
    const signals = new EventEmitter();
    const lines: string[] = [];
    let exited: number | undefined;
    t.deps.interrupts = watchInterrupts({ signals: signals as unknown as SignalSource, exit: (code) => { exited = code; }, say: (l) => void lines.push(`safe-npm: ${l}`) });
    const spawn = t.deps.spawnTreeWorker;
    t.deps.spawnTreeWorker = (mode, cacheRoot) => {
      const worker = spawn(mode, cacheRoot);
      return {
        ...worker,
        start(request) {
          const job = worker.start(request);
          // The signal lands while npm is writing; npm's answer comes after it.
          return { ...job, install: async () => { signals.emit('SIGINT'); return { ...(await job.install()), exitCode: engineExit }; } };
        },
      };
    };
    let replayed = false;
    t.deps.afterInstall = async () => { replayed = true; return 0; };
    expect(await npmInstallFlow(install(['left-pad']), t.deps)).toBe(130);
    expect({ out: t.out(), lines, replayed }).toEqual({ out: '', lines: said, replayed: false });
    await new Promise((r) => setImmediate(r));
    expect(exited).toBe(130);
  });

  it.each([
    [{ added: 68, removed: 0, changed: 0 }, 'added 68 packages'],
    [{ added: 1, removed: 1, changed: 2 }, 'added 1 package, removed 1 package, and changed 2 packages'],
    [{ added: 2, removed: 1, changed: 0 }, 'added 2 packages, and removed 1 package'],
    [{ added: 0, removed: 3, changed: 1 }, 'removed 3 packages, and changed 1 package'],
    [{ added: 0, removed: 0, changed: 0 }, 'up to date'],
    // npm audit fix: the packages audited after the fix.
    [{ added: 0, removed: 0, changed: 1, audited: 2 }, 'changed 1 package, and audited 2 packages'],
    [{ added: 1, removed: 1, changed: 0, audited: 5 }, 'added 1 package, removed 1 package, and audited 5 packages'],
    [{ added: 0, removed: 0, changed: 0, audited: 1 }, 'up to date, audited 1 package'],
  ])('install summary in npm\'s words: %j', (counts, text) => {
    expect(installSummary(counts)).toBe(text);
  });

  it.each([
    ['install', {}, {}, 'resolve'],
    ['ci', {}, {}, 'lockfile'],
    ['install', { global: true }, {}, 'none'],
    ['install', { workspaces: ['a'] }, {}, 'none'],
    // --no-save / --no-package-lock: npm still installs the whole tree (saving nothing): it is vetted.
    ['install', {}, { command: 'install' }, 'resolve'],
    ['dedupe', {}, { command: 'dedupe' }, 'resolve'],
    ['reify', {}, { command: 'uninstall', positionals: ['x'] }, 'resolve'],
    ['reify', {}, { command: 'prune' }, 'resolve'],
    // npm's own usage error, said by npm.
    ['reify', {}, { command: 'uninstall', positionals: [] }, 'none'],
    ['exec', {}, {}, 'none'],
  ] as const)('whole-tree mode for %s %j %j', (kind, extra, more, expected) => {
    const inv = { ...install([]), kind, ...extra, ...more } as NpmInvocation;
    expect(wholeTreeMode(inv)).toBe(expected);
  });
});

describe('npx as root: npm\'s own "Ok to proceed?" (root\'s packages are installed by us, not by npm exec)', () => {
  const npx = (args: string[]) => parseNpmArgs([NPX_MARKER, ...args], {}, loadNpmTables(), { cwd: process.cwd() });
  async function root(args: string[], setup: { interactive?: boolean; confirms?: boolean[]; answers?: PackageAnswer[] }) {
    const t = await fakeDeps({ packuments: registry, euid: 0, ownerUid: 0, ...setup });
    const ran: ExecContext[] = [];
    t.deps.runExec = async (context) => {
      ran.push(context);
      return 0;
    };
    return { t, ran };
  }

  it('at a terminal: asked as npm asks; "no" installs and runs nothing (exit 1, npm\'s words)', async () => {
    const { t, ran } = await root(['left-pad'], { interactive: true, confirms: [false] });
    expect(await npmInstallFlow(npx(['left-pad']), t.deps)).toBe(1);
    // npm's question names what would be installed: the version that was vetted.
    expect(t.confirmed).toEqual(['Need to install the following packages:\n  left-pad@1.0.9\nOk to proceed?']);
    expect(ran).toEqual([]);
    expect(t.text()).toContain('npm error canceled');
  });

  it('a look-alike at a terminal is asked about as name@version; its did-you-mean is what npm\'s question names and what is installed and run', async () => {
    const { t, ran } = await root(['lodahs'], { interactive: true, answers: ['substitute'], confirms: [true] });
    expect(await npmInstallFlow(npx(['lodahs']), t.deps)).toBe(0);
    expect(t.asked).toEqual(['lodahs@1.0.9']);
    expect(t.text()).toMatch(/^lodahs@1\.0\.9\n {2}✖ block "lodahs" looks like/m);
    expect(t.confirmed).toEqual(['Need to install the following packages:\n  lodash@1.0.9\nOk to proceed?']);
    expect(ran.map((c) => c.installSpecs)).toEqual([[{ spec: 'lodash@1.0.9', name: 'lodash' }]]);
  });

  it('every package skipped at the question: nothing runs, exit 1 as npm\'s "canceled" (it exited 0: `npx x && next` went on); an install of nothing is 0', async () => {
    const { t, ran } = await root(['lodahs'], { interactive: true, answers: ['skip'] });
    expect(await npmInstallFlow(npx(['lodahs']), t.deps)).toBe(1);
    expect(ran).toEqual([]);
    expect(t.text()).toContain('safe-npm: every requested package was skipped; nothing was run\n');
    const installing = await fakeDeps({ packuments: registry, interactive: true, answers: ['skip'] });
    expect(await npmInstallFlow(install(['lodahs']), installing.deps)).toBe(0);
  });

  it('"yes" runs it; --yes asks nothing; without a terminal npm\'s warning is said and it runs', async () => {
    const yes = await root(['left-pad'], { interactive: true, confirms: [true] });
    expect(await npmInstallFlow(npx(['left-pad']), yes.t.deps)).toBe(0);
    expect(yes.ran).toHaveLength(1);
    const flag = await root(['--yes', 'left-pad'], { interactive: true });
    const base = await flag.t.deps.loadNpmConfig([]);
    flag.t.deps.loadNpmConfig = async () => ({ ...base, get: (k: string) => (k === 'yes' ? true : base.get(k)) }); // npm's config read --yes
    expect(await npmInstallFlow(npx(['--yes', 'left-pad']), flag.t.deps)).toBe(0);
    expect(flag.t.confirmed).toEqual([]);
    const ci = await root(['left-pad'], {});
    expect(await npmInstallFlow(npx(['left-pad']), ci.t.deps)).toBe(0);
    expect(ci.t.text()).toContain('npm warn exec The following package was not found and will be installed: left-pad@1.0.9\n');
    expect(ci.ran).toHaveLength(1);
    expect(ci.ran[0]!.installSpecs).toEqual([{ spec: 'left-pad@1.0.9', name: 'left-pad' }]);
  });
});

describe('the name tables while npm\'s engine resolves', () => {
  /**
   * npm's engine holds its answer until the flow asks for the name tables, or until the event loop has
   * turned 50 times without it: the order of the two says whether the tables were built while it resolved.
   */
  async function order(installed: Map<string, { version: string }>): Promise<string[]> {
    const events: string[] = [];
    const t = await fakeDeps({ packuments: registry, tree: [{ name: 'lodash', version: registry.lodash['dist-tags']!.latest!, location: 'node_modules/lodash', registry: true, source: 'registry', path: ['lodash'], dev: false, optional: false }] });
    let release: () => void = () => {};
    const asked = new Promise<void>((resolve) => (release = resolve));
    const popular = t.deps.popular;
    t.deps.popular = () => {
      events.push('tables');
      release();
      return popular();
    };
    t.deps.installedEntries = () => installed;
    const spawn = t.deps.spawnTreeWorker;
    t.deps.spawnTreeWorker = (...args) => {
      const worker = spawn(...args);
      return {
        ...worker,
        start(request) {
          const started = worker.start(request);
          const turns = async () => {
            for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
          };
          const resolved = Promise.race([asked, turns()]).then(() => {
            events.push('resolved');
            return started.resolved;
          });
          return { ...started, resolved };
        },
      };
    };
    expect(await npmInstallFlow(install([]), t.deps)).toBe(0);
    return events;
  }

  it('nothing installed yet: built while the engine resolves, not after it', async () => {
    expect((await order(new Map()))[0]).toBe('tables');
  });

  it('packages installed (an up-to-date tree may need no look-up): not built before the answer', async () => {
    expect((await order(new Map([['node_modules/lodash', { version: registry.lodash['dist-tags']!.latest! }]])))[0]).toBe('resolved');
  });
});
