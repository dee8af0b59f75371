/**
 * safe-pip's install flow on fake edges (test/helpers/fake-pip-deps.ts): the decision table ×
 * TTY × builds × sources, who runs pip, and what each command ends with — without starting Python.
 * The integration suites (test/integration/safe-pip.*) prove the same against the real pip.
 */
import { describe, expect, it } from 'vitest';
import { Blocked, UsageError } from '../../../src/core/errors.js';
import { pipInstallFlow } from '../../../src/flow/pip-install.js';
import { EXTRA, INDEX, fakePipDeps, pipArgv, wheelUrl, type FakePipSetup } from '../../helpers/fake-pip-deps.js';

const old = { ageDays: [900, 800, 700, 600, 500] };
// A squat is months old, not years: a look-alike established for over a year is only info (issue 11).
const projects = { requests: old, reqeusts: { ageDays: [120, 100, 90, 80] }, urllib3: old, fresh: { ageDays: [3, 2, 1] }, flaky: 'error' as const };

async function run(argv: string[], setup: Partial<FakePipSetup> & Pick<FakePipSetup, 'resolves'>) {
  const t = await fakePipDeps({ projects, ...setup });
  const { first } = pipArgv(argv, setup.env);
  const code = await pipInstallFlow(first, argv, t.deps).catch((error: unknown) => error);
  return { t, code };
}

const requests = { name: 'requests', version: '1.0.4' };

describe('pip install flow: decision table × TTY (fake edges)', () => {
  it('a clean package: resolved under the guard, fetched by hash, installed from the private folder only', async () => {
    const { t, code } = await run(['install', 'requests'], { resolves: [requests] });
    expect(code).toBe(0);
    expect(t.resolves()[0]).toEqual(expect.arrayContaining(['--dry-run', '--only-binary=:all:']));
    expect(t.fetches()).toHaveLength(1);
    expect(t.installs()).toEqual([expect.arrayContaining(['--no-index', '--find-links', '/work/wheels', '--require-hashes'])]);
    expect(t.files.get('/work/final-requirements.txt')).toBe(`requests==1.0.4 --hash=sha256:${'b'.repeat(64)}\n`);
    expect(t.asked).toEqual([]);
    expect(t.cleaned()).toBe(1);
  });

  it.each([
    ['a typosquat', 'reqeusts', {}, 65, /reqeusts: block: .*"requests"/],
    ['a project the index does not have', 'nosuchthing', {}, 65, /not found/],
    ['an index that does not answer', 'flaky', {}, 68, /flaky: block/],
    ['a new project', 'fresh', {}, 66, /SAFE_PIP_YES=1/],
    ['a new project with SAFE_PIP_YES=1', 'fresh', { SAFE_PIP_YES: '1' }, 0, /fresh \(1\.0\.2\)\n {2}! warn/],
  ] as const)('no TTY: %s (%s): the exit code of the decision table; nothing installed unless accepted', async (_what, name, env, exit, says) => {
    const { t, code } = await run(['install', name], { resolves: [{ name, version: '1.0.2' }], env });
    expect(code).toBe(exit);
    expect(t.installs()).toHaveLength(exit === 0 ? 1 : 0);
    expect(t.text()).toMatch(says);
    if (exit !== 0) expect(t.text()).toContain('safe-pip: nothing was installed');
  });

  it('no TTY: the exact files are fetched while the facts are checked, but nothing is installed on a stop', async () => {
    const { t, code } = await run(['install', 'reqeusts'], { resolves: [{ name: 'reqeusts', version: '1.0.4' }] });
    expect(code).toBe(65);
    expect(t.fetches()).toHaveLength(1);
    expect(t.installs()).toEqual([]);
  });

  it('the allowlist accepts a trusted name (normalised as PEP 503)', async () => {
    const t = await fakePipDeps({ projects, resolves: [{ name: 'fresh', version: '1.0.2' }] });
    t.store.trust('pypi', 'fresh');
    const { first } = pipArgv(['install', 'Fresh']);
    expect(await pipInstallFlow(first, ['install', 'Fresh'], t.deps)).toBe(0);
  });

  it('TTY: the did-you-mean rewrites the command line and runs again', async () => {
    const { t, code } = await run(['install', 'reqeusts[socks]>=1'], { resolves: [{ name: 'reqeusts', version: '1.0.4' }], interactive: true, answers: ['substitute', 'abort'] });
    expect(t.text()).toContain('safe-pip: running again as: pip install requests[socks]>=1');
    // The fake pip resolves the same set again: the second run asks again (and is aborted).
    expect(t.asked).toEqual(['reqeusts', 'reqeusts']);
    expect(code).toBe(65);
    expect(t.workspaces()).toBe(2);
    expect(t.cleaned()).toBe(2);
  });

  it('TTY: skip drops the requirement and runs again; skipping the only one installs nothing', async () => {
    const two = await run(['install', 'reqeusts', 'urllib3'], { resolves: [{ name: 'reqeusts', version: '1.0.4' }], interactive: true, answers: ['skip', 'skip'] });
    expect(two.t.text()).toContain('safe-pip: running again as: pip install urllib3');
    const one = await run(['install', 'reqeusts'], { resolves: [{ name: 'reqeusts', version: '1.0.4' }], interactive: true, answers: ['skip'] });
    expect(one.code).toBe(0);
    expect(one.t.text()).toContain('safe-pip: nothing left to install');
    expect(one.t.installs()).toEqual([]);
  });

  it('TTY: a flagged dependency cannot be skipped from the command line: nothing is installed', async () => {
    const { t, code } = await run(['install', 'requests'], { resolves: [requests, { name: 'reqeusts', version: '1.0.4', requested: false }], interactive: true, answers: ['skip'] });
    expect(code).toBe(65);
    expect(t.text()).toContain('pip installs a resolved set as a whole');
    expect(t.installs()).toEqual([]);
  });

  it('TTY: install anyway installs; "always trust" saves the normalised name', async () => {
    const anyway = await run(['install', 'fresh'], { resolves: [{ name: 'fresh', version: '1.0.2' }], interactive: true, answers: ['install'] });
    expect(anyway.code).toBe(0);
    expect(anyway.t.installs()).toHaveLength(1);
    const trust = await run(['install', 'fresh'], { resolves: [{ name: 'Fresh', version: '1.0.2' }], interactive: true, answers: ['install-and-trust'] });
    expect(trust.code).toBe(0);
    expect(trust.t.store.isTrusted('pypi', 'fresh')).toBe(true);
  });

  it('TTY: abort installs nothing (65)', async () => {
    const { t, code } = await run(['install', 'reqeusts'], { resolves: [{ name: 'reqeusts', version: '1.0.4' }], interactive: true, answers: ['abort'] });
    expect(code).toBe(65);
    expect(t.installs()).toEqual([]);
    // With a prompt nothing is fetched before the answer.
    expect(t.fetches()).toEqual([]);
  });
});

describe('pip install flow: builds', () => {
  const srcdep = { name: 'srcdep', url: null, editable: false, kind: 'index', version: '1.0.4' };
  const built = { resolves: [{ name: 'srcdep', version: '1.0.4' }], builds: [srcdep], projects: { srcdep: old } };

  it('no TTY: a build that is not approved is withheld (67), with the command that approves it', async () => {
    const { t, code } = await run(['install', 'srcdep'], built);
    expect(code).toBe(67);
    expect(t.text()).toContain('safe-pip: to allow it: safe-pip safe approve srcdep==1.0.4');
    expect(t.resolves()).toHaveLength(1);
  });

  it('--safe-yes never approves a build', async () => {
    const { code } = await run(['install', 'srcdep', '--safe-yes'], built);
    expect(code).toBe(67);
  });

  it('pre-approved: resolved again with the build allowed and built from source (--no-binary)', async () => {
    const t = await fakePipDeps(built);
    t.store.recordScriptDecision('pypi', { key: 'srcdep@1.0.4', decision: 'allow' } as never);
    const { first } = pipArgv(['install', 'srcdep']);
    expect(await pipInstallFlow(first, ['install', 'srcdep'], t.deps)).toBe(0);
    expect(t.runs.filter((r) => r.pipArgs.includes('--dry-run')).map((r) => r.allow)).toEqual([[], ['srcdep']]);
    expect(t.resolves()[1]).toContain('--no-binary=srcdep');
    expect(t.fetches()[0]).toContain('--no-binary=srcdep');
    expect(t.text()).toContain('building srcdep==1.0.4 (pre-approved');
  });

  it('a denied name is never built, even when a version is approved', async () => {
    const t = await fakePipDeps(built);
    t.store.recordScriptDecision('pypi', { key: 'srcdep@1.0.4', decision: 'allow' } as never);
    t.store.recordScriptDecision('pypi', { key: 'srcdep', decision: 'deny' } as never);
    expect(await pipInstallFlow(pipArgv(['install', 'srcdep']).first, ['install', 'srcdep'], t.deps)).toBe(67);
  });

  it.each([[true, 0], [false, 67]] as const)('TTY: the build prompt answered %s → exit %s', async (yes, exit) => {
    const { t, code } = await run(['install', 'srcdep'], { ...built, interactive: true, confirms: [yes] });
    expect(code).toBe(exit);
    expect(t.confirmed).toEqual(['Build srcdep==1.0.4 now, running its code as you?']);
  });

  it('a project with only source releases needs a build too (pip fails under --only-binary)', async () => {
    const { t, code } = await run(['install', 'srconly'], { resolves: [], resolveFails: 1, side: { sourceOnly: { srconly: ['0.9', '1.0'] }, candidates: {} } });
    expect(code).toBe(67);
    expect(t.text()).toContain('srconly==1.0 needs a build');
  });

  it('pip failing for its own reasons: its output and exit code, nothing installed', async () => {
    const { t, code } = await run(['install', 'requests==99'], { resolves: [], resolveFails: 1 });
    expect(code).toBe(1);
    expect(t.text()).toContain('ERROR: pip says no');
    expect(t.text()).toContain('pip could not resolve the request');
  });

  it('a dependency declaring `name @ URL` in its metadata is refused (65) unless that URL is approved', async () => {
    const declared = { name: 'evil', url: 'https://x.invalid/evil-1.0.tar.gz', editable: false, kind: 'archive', version: null, parent: 'nice', parentVersion: '1.0', declaredUrl: true };
    const { t, code } = await run(['install', 'nice'], { resolves: [{ name: 'nice', version: '1.0.4' }], builds: [declared], projects: { nice: old } });
    expect(code).toBe(65);
    expect(t.text()).toContain('safe-pip safe approve https://x.invalid/evil-1.0.tar.gz');
  });

  it('a wheel fetched from a URL another wheel declares is refused too', async () => {
    const url = 'https://x.invalid/dep-1.0-py3-none-any.whl';
    const { code, t } = await run(['install', 'nice'], { resolves: [{ name: 'nice', version: '1.0', requires: [`dep @ ${url}`] }, { name: 'dep', version: '1.0', url, isDirect: true, requested: false }] });
    expect(code).toBe(65);
    expect(t.text()).toContain('nice==1.0 declares the dependency "dep @');
  });

  it('-e with a VCS URL is a usage error before pip runs', async () => {
    const { t, code } = await run(['install', '-e', 'git+https://x.invalid/r.git#egg=r'], { resolves: [] });
    expect(code).toBeInstanceOf(UsageError);
    expect(t.runs).toEqual([]);
  });

  it('an approved editable folder is installed last, --no-deps, after the pinned set', async () => {
    const t = await fakePipDeps({ projects, resolves: [requests, { name: 'mine', version: '0.1', editable: true, url: 'file:///src/mine' }], builds: [{ name: 'mine', url: 'file:///src/mine', editable: true, kind: 'dir', version: '0.1' }] });
    t.store.recordScriptDecision('pypi', { key: 'file:///src/mine', decision: 'allow' } as never);
    expect(await pipInstallFlow(pipArgv(['install', '-e', '/src/mine']).first, ['install', '-e', '/src/mine'], t.deps)).toBe(0);
    const installs = t.installs();
    expect(installs).toHaveLength(2);
    expect(installs[1]!.slice(-3)).toEqual(['--no-deps', '--editable', '/src/mine']);
  });
});

describe('pip install flow: sources, inspection and commands', () => {
  it('two indexes offering the same name with a higher version elsewhere: dependency confusion blocks (65)', async () => {
    const cand = (index: string, version: string) => ({ version, url: wheelUrl('acme', version, index), filename: `acme-${version}-py3-none-any.whl`, hash: `sha256=${version}`, comesFrom: `${index}/acme/`, isWheel: true });
    const { t, code } = await run(['install', 'acme'], {
      projects: { acme: old },
      resolves: [{ name: 'acme', version: '1.0.4' }],
      side: { indexUrls: [INDEX, EXTRA], candidates: { acme: [cand(INDEX, '1.0.4'), cand(EXTRA, '99.0')] } },
    });
    expect(code).toBe(65);
    expect(t.text()).toContain('2 package sources are configured');
    expect(t.text()).toMatch(/acme: block: .*99\.0/);
  });

  it('find-links only: no index facts; a local file is a warn (66 without a TTY, accepted by --safe-yes)', async () => {
    const setup = { resolves: [{ name: 'local', version: '1.0' }], side: { indexUrls: [], findLinks: ['/wheels'], candidates: {} } };
    const plain = await run(['install', 'local'], setup);
    expect(plain.code).toBe(66);
    expect(plain.t.text()).toMatch(/local: warn: .*local archive/);
    expect((await run(['install', 'local', '--safe-yes'], setup)).code).toBe(0);
  });

  it('a wheel whose .pth runs code is caught after the fetch, before the install (65)', async () => {
    const { t, code } = await run(['install', 'requests'], {
      resolves: [requests],
      wheelFindings: { requests: [{ check: 'wheel-contents', severity: 'block', message: 'requests installs evil.pth, which runs code at every interpreter start' }] },
    });
    expect(code).toBe(65);
    expect(t.fetches()).toHaveLength(1);
    expect(t.installs()).toEqual([]);
  });

  it('nothing to install: every requirement is already satisfied', async () => {
    const { t, code } = await run(['install', 'requests'], { resolves: [] });
    expect(code).toBe(0);
    expect(t.text()).toContain('nothing to install');
  });

  it('--dry-run: pip\'s summary line and the report copied where the user asked; nothing fetched or installed', async () => {
    const { t, code } = await run(['install', '--dry-run', '--report', 'out.json', 'requests'], { resolves: [requests] });
    expect(code).toBe(0);
    expect(t.out()).toBe('Would install requests-1.0.4\n');
    expect(t.copies).toEqual([['/work/report-0.json', '/project/out.json']]);
    expect(t.fetches()).toEqual([]);
    expect(t.installs()).toEqual([]);
  });

  it('download: vetted, then the user\'s own command runs under the guard, in the terminal', async () => {
    const { t, code } = await run(['download', '-d', 'out', 'requests'], { resolves: [requests] });
    expect(code).toBe(0);
    const last = t.runs.at(-1)!;
    expect(last.pipArgs[0]).toBe('download');
    expect(last.pipArgs).toContain('--dest=out');
    expect(last.pipArgs).not.toContain('--dry-run');
    expect(last.stdio).toBe('inherit');
    expect(t.resolves()[0]).toContain('--ignore-installed');
  });

  it('pip lock on a pip older than 25.1 goes to the real pip untouched', async () => {
    const { t, code } = await run(['lock', 'requests'], { resolves: [requests], pipVersion: [24, 0] });
    expect(code).toBe(0);
    expect(t.passthroughs).toEqual([['lock', 'requests']]);
    expect(t.runs).toEqual([]);
  });

  it('the cooldown says which newer version it skipped, even when all is well', async () => {
    const { t, code } = await run(['install', 'requests'], {
      resolves: [requests],
      side: { cooldown: { skipped: { requests: { '1.0.5': new Date(Date.parse('2026-11-25T07:00:00Z')).toISOString() } } } },
    });
    expect(code).toBe(0);
    expect(t.text()).toBe('safe-pip: requests==1.0.5 is 5 hours old; installing 1.0.4\n');
  });
});

describe('pip install flow: who runs pip', () => {
  it('as root, pip runs as the owner of the venv, with their HOME and a private pip config', async () => {
    const { t, code } = await run(['install', 'requests'], { resolves: [requests], root: true, ownerUid: 1234 });
    expect(code).toBe(0);
    expect(t.runs[0]!.env).toMatchObject({ HOME: '/nonexistent', USER: 'u1234', PIP_CONFIG_FILE: '/work/pip.conf', PIP_CACHE_DIR: '/cache/pip-1234', TMPDIR: '/work/tmp' });
  });

  it('as root, a root-owned venv is refused before pip runs', async () => {
    const { t, code } = await run(['install', 'requests'], { resolves: [requests], root: true, ownerUid: 0 });
    expect(code).toBeInstanceOf(Blocked);
    expect(t.workspaces()).toBe(0);
  });

  it('pip\'s own configuration moving the destination is could-not-verify', async () => {
    const { code } = await run(['install', 'requests'], { resolves: [requests], side: { options: { target_dir: '/elsewhere' } } });
    expect((code as Blocked).exitCode).toBe(68);
  });
});
