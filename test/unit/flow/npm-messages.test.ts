/**
 * Issue 9, what safe-npm says and asks (fake edges): every stop names the command that lets the
 * install through — following it and running again succeeds — or none; each finding is said once;
 * "trust" records what the user saw; at a terminal several warnings can be accepted at once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSafeCommand } from '../../../src/cli/safe-commands.js';
import { SafeStore } from '../../../src/config/store.js';
import { npmInstallFlow } from '../../../src/flow/npm-install.js';
import type { NpmInvocation } from '../../../src/npm/npm-invocation.js';
import { parseSpec } from '../../../src/npm/parse-npm-args.js';
import { fakeDeps, packument, type FakeSetup } from '../../helpers/fake-npm-deps.js';

function install(args: string[], own: Partial<NpmInvocation['ownFlags']> = {}): NpmInvocation {
  const specs = args.map((a) => parseSpec(a, process.cwd()));
  return {
    kind: 'install', command: 'install', typedCommand: 'i', specs, positionals: args, global: false, workspaces: false,
    npmArgs: ['i', ...args], ownFlags: { yes: false, strictScripts: false, project: false, other: {}, ...own }, cliConfig: {},
  };
}

const registry = {
  'left-pad': packument('left-pad'),
  lodahs: packument('lodahs', { ageDays: 100 }),
  fresh: packument('fresh', { ageDays: 0.01 }),
  fresh2: packument('fresh2', { ageDays: 0.01 }),
  fresh3: packument('fresh3', { ageDays: 0.01 }),
};
const dep = (name: string, version: string) => ({ name, version, location: `node_modules/${name}`, registry: true, source: 'registry' as const, path: ['left-pad', name], dev: false, optional: false });

/** The store `safe trust` writes to: the user's own (XDG_CONFIG_HOME), shared by the runs of one test. */
const savedXdg = process.env.XDG_CONFIG_HOME;
afterEach(() => {
  if (savedXdg === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = savedXdg;
});
async function userStore(): Promise<SafeStore> {
  process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'safe-xdg-'));
  return SafeStore.open();
}

/** Runs the advice line's own command (`safe-npm safe trust x`) as the user would. */
async function follow(advice: string): Promise<void> {
  const m = /run: (?:safe-npm|npm) safe (.*)$/.exec(advice);
  if (!m) throw new Error(`no command in: ${advice}`);
  const io = { env: process.env, cwd: process.cwd(), stdout() {}, stderr() {}, stdoutIsTTY: false, realTool: () => 'npm' };
  expect(await runSafeCommand('npm', m[1]!.split(' '), io)).toBe(0);
}

async function run(setup: FakeSetup, inv: NpmInvocation) {
  const t = await fakeDeps({ packuments: registry, ...setup });
  const code = await npmInstallFlow(inv, t.deps);
  const advice = t.text().split('\n').filter((l) => l.startsWith('  ') && !/^ {2}[✖!i] /.test(l) && !/^ {6}/.test(l));
  return { ...t, code, advice };
}

describe('no TTY: advice that works', () => {
  it('a package that is not on the registry: the reason is "not found", with no trust command that would not help', async () => {
    const r = await run({ packuments: { 'left-pad': registry['left-pad'] } }, install(['lodahs']));
    expect(r.code).toBe(65);
    expect(r.advice).toEqual(['  lodahs: not on the registry; check the name (did you mean "lodash"?)']);
    expect(r.text()).not.toContain('safe trust');
    // One fact, one finding: the typo's (with its did-you-mean), not a second "was not found".
    expect(r.text().match(/✖ block .*/g)).toEqual(['✖ block "lodahs" does not exist: a free name one typo from the popular package "lodash" (two letters swapped)']);
  });

  it('a version that does not exist of a package that does: said as such, with where to see the versions (not "check the name", no trust)', async () => {
    const r = await run({}, install(['left-pad@>99']));
    expect(r.code).toBe(65);
    expect(r.text().match(/✖ block .*/g)).toEqual(['✖ block "left-pad" has no version matching ">99"']);
    expect(r.advice).toEqual(['  left-pad@>99: no such version; see the versions with: npm view left-pad versions']);
    expect(r.text()).not.toContain('safe trust');
  });

  it('a look-alike (65): the advice is `safe trust name@version`; following it, the same install goes through', async () => {
    const store = await userStore();
    const first = await run({ store }, install(['lodahs']));
    expect(first.code).toBe(65);
    expect(first.advice).toEqual(['  lodahs: blocked (did you mean "lodash"?); if you are sure, run: safe-npm safe trust lodahs@1.0.9']);
    await follow(first.advice[0]!);
    const again = await run({ store: await SafeStore.open() }, install(['lodahs']));
    expect(again.code, again.text()).toBe(0);
    expect(again.installs).toHaveLength(1);
  });

  it('a warning (66), requested or transitive: run again with --safe-yes and it installs', async () => {
    const requested = await run({}, install(['fresh']));
    expect(requested.code).toBe(66);
    expect(requested.advice).toEqual(['  fresh: needs your confirmation; run again with --safe-yes (or SAFE_NPM_YES=1) to accept it']);
    expect((await run({}, install(['fresh'], { yes: true }))).code).toBe(0);

    const tree = [dep('fresh', '1.0.9')];
    const transitive = await run({ tree }, install(['left-pad']));
    expect(transitive.code).toBe(66);
    expect(transitive.advice).toEqual(['  fresh@1.0.9 (via left-pad): needs your confirmation; run again with --safe-yes (or SAFE_NPM_YES=1) to accept it']);
    const accepted = await run({ tree }, install(['left-pad'], { yes: true }));
    expect(accepted.code).toBe(0);
    expect(accepted.installs).toHaveLength(1);
  });

  it('a transitive look-alike (65): trusting the version it names lets the install through', async () => {
    const store = await userStore();
    const tree = [dep('lodahs', '1.0.9')];
    const first = await run({ store, tree }, install(['left-pad']));
    expect(first.code).toBe(65);
    expect(first.advice).toEqual(['  lodahs@1.0.9 (via left-pad): blocked (did you mean "lodash"?); if you are sure, run: safe-npm safe trust lodahs@1.0.9']);
    await follow(first.advice[0]!);
    expect((await run({ store: await SafeStore.open(), tree }, install(['left-pad']))).code).toBe(0);
  });

  it('through the shim the commands are `npm safe …`, as the user types them', async () => {
    const r = await run({ ownCommand: 'npm' }, install(['lodahs']));
    expect(r.advice[0]).toMatch(/run: npm safe trust lodahs@1\.0\.9$/);
  });

  it('each finding is said once: in the report, not again in the stop lines', async () => {
    const r = await run({}, install(['fresh', 'lodahs']));
    for (const finding of ['first published', 'looks like the popular package']) {
      expect(r.text().split(finding).length - 1, `${finding} in:\n${r.text()}`).toBe(1);
    }
  });
});

describe('TTY: what the prompt offers', () => {
  it('"always trust" names and records exactly the version the user saw; another version asks again', async () => {
    const t = await fakeDeps({ packuments: registry, interactive: true, answers: ['install-and-trust'] });
    expect(await npmInstallFlow(install(['fresh']), t.deps)).toBe(0);
    expect(t.questions[0]).toMatchObject({ trust: 'fresh@1.0.9' });
    expect(t.store.trustedNames('npm')).toEqual(['fresh@1.0.9']);
    const next = await fakeDeps({ packuments: { fresh: packument('fresh', { ageDays: 0.01, versions: 11 }) }, store: t.store });
    expect(await npmInstallFlow(install(['fresh']), next.deps)).toBe(66);
  });

  it('several warnings: "install all" after the first accepts the rest without asking each', async () => {
    const t = await fakeDeps({ packuments: registry, interactive: true, answers: ['install-all'] });
    expect(await npmInstallFlow(install(['fresh', 'fresh2', 'fresh3']), t.deps)).toBe(0);
    expect(t.asked).toEqual(['fresh']);
    expect(t.questions[0]).toMatchObject({ others: 2 });
    expect(t.installs).toHaveLength(1);
  });

  it('a package that is not on the registry cannot be installed anyway: the prompt does not offer it', async () => {
    const t = await fakeDeps({ packuments: {}, interactive: true, answers: ['skip'] });
    expect(await npmInstallFlow(install(['lodahs']), t.deps)).toBe(0);
    expect(t.questions[0]).toMatchObject({ installable: false });
    expect(t.installs).toEqual([]);
  });
});
