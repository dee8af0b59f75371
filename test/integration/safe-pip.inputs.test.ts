/**
 * safe-pip end to end (as root, real pip 23.0.1 in venvs owned by nobody, local indexes on
 * 127.0.0.1): `safe check`, `safe approve|deny|trust`, the hidden inputs (PIP_REQUIREMENT,
 * PIP_EXTRA_INDEX_URL, pip config files, constraints, abbreviated and clustered options), vetted
 * direct-reference and editable builds (markers stat'ed for their owner), direct-URL dependencies
 * declared in a wheel's metadata, and `pip lock`.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSdist, buildWheel, PYTHON, unpackSdist, type BuiltDist } from '../helpers/python-dists.js';
import { makeTempDir } from '../helpers/projects.js';
import { makeSandbox, repoRoot, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type IndexProject, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';
import { runSafePip, sandboxStore, uploadedRecently } from '../helpers/pip-runs.js';

const NOBODY = 65534;
const canRun = existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));
const DEAD_INDEX = 'http://127.0.0.1:9/simple';

let work: string;
let dists: string;
let indexA: SimpleIndex;
let indexB: SimpleIndex;
let sandbox: Sandbox;
const marker = (name: string) => join(work, 'markers', name);
const built: Record<string, BuiltDist> = {};

function oldWheels(name: string, versions: string[], extra: Partial<Parameters<typeof buildWheel>[1]> = {}): IndexProject {
  return {
    name,
    projectUrls: { Source: `https://example.invalid/${name}` },
    files: versions.map((version, i) => ({ dist: buildWheel(dists, { name, version, ...extra }), uploaded: daysAgo(400 - i * 50) })),
  };
}

function freeze(venv: string): string {
  return execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'freeze', '--all'], { env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null' } }).toString();
}

function safePip(venv: string | undefined, args: string[], env: Record<string, string | undefined> = {}, cwd = work) {
  return runSafePip(sandbox, work, venv, args, { env, cwd });
}

const storeOf = () => sandboxStore(sandbox);

/** A file readable by nobody. */
function writePublic(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  chmodSync(p, 0o644);
  return p;
}

describe.skipIf(!canRun)('safe-pip: check, approvals, hidden inputs, builds', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-inputs-');
    dists = join(work, 'dists');
    for (const d of ['dists', 'cache', 'direct', 'urldep']) mkdirSync(join(work, d));
    mkdirSync(join(work, 'markers'), { mode: 0o777 });
    chmodSync(join(work, 'markers'), 0o777);
    sandbox = await makeSandbox();

    built.direct = buildSdist(join(work, 'direct'), { name: 'directpkg', version: '0.1', marker: marker('direct') });
    built.evil = buildSdist(join(work, 'urldep'), { name: 'evilurl', version: '1.0', marker: marker('evilurl') });
    built.urlwheel = buildWheel(join(work, 'urldep'), { name: 'urlwheel', version: '1.0' });
    built.editme = buildSdist(join(work, 'direct'), { name: 'editme', version: '0.1', marker: marker('editme'), requires: ['quiet-widget'] });
    const srcdep: IndexProject = {
      name: 'srcdep',
      projectUrls: { Source: 'https://example.invalid/srcdep' },
      files: ['1.0', '1.1', '1.2'].map((version, i) => ({ dist: buildSdist(dists, { name: 'srcdep', version, marker: marker('srcdep') }), uploaded: daysAgo(400 - i * 50) })),
    };
    indexA = await startSimpleIndex([
      oldWheels('quiet-widget', ['1.0', '1.1', '1.2']),
      oldWheels('requests', ['1.0', '1.1', '1.2']),
      uploadedRecently(oldWheels('reqeusts', ['1.0', '1.1', '1.2'])),
      oldWheels('internal-tool', ['0.9', '1.0', '1.1']),
      oldWheels('app-wheel', ['1.0', '1.1', '1.2'], { requires: ['srcdep'] }),
      srcdep,
      // New and with a single release: warn findings that only trust (or --safe-yes) accepts.
      { name: 'Foo_Bar', files: [{ dist: buildWheel(dists, { name: 'Foo_Bar', version: '1.0' }), uploaded: daysAgo(1) }] },
      oldWheels('app-url', ['1.0', '1.1', '1.2'], { requires: [`evilurl @ ${pathToFileURL(built.evil.path).href}`] }),
      oldWheels('app-urlwheel', ['1.0', '1.1', '1.2'], { requires: [`urlwheel @ ${pathToFileURL(built.urlwheel.path).href}`] }),
    ]);
    indexB = await startSimpleIndex([oldWheels('internal-tool', ['99.0'])]);
    execFileSync('chmod', ['-R', 'a+rX', work]);
  }, 240_000);

  afterAll(async () => {
    await indexA?.close();
    await indexB?.close();
    await sandbox?.cleanup();
  });

  describe('safe check', () => {
    it('--json: one entry per requirement in order, named as typed; did-you-mean; invalid is its own block; exit 65', async () => {
      const before = indexA.requests.length;
      const r = await safePip(undefined, ['safe', 'check', '--json', 'reqeusts', 'requests', 'Foo_Bar', 'bad req!!'], { PIP_INDEX_URL: indexA.url });
      expect(r.exitCode, r.stderr).toBe(65);
      const doc = JSON.parse(r.stdout) as { packages: Array<{ name: string; version: string | null; verdict: string; findings: Array<{ check: string; severity: string; message: string; didYouMean?: string }> }> };
      expect(doc.packages.map((p) => p.name)).toEqual(['reqeusts', 'requests', 'Foo_Bar', 'bad req!!']);
      const [typo, real, foo, bad] = doc.packages;
      expect(typo!.verdict).toBe('block');
      expect(typo!.findings.find((f) => f.check === 'typosquat')?.didYouMean).toBe('requests');
      expect(real!.verdict).toBe('ok');
      expect(foo!.verdict).toBe('warn');
      expect(foo!.findings.some((f) => f.check === 'new-package')).toBe(true);
      expect(bad).toMatchObject({ verdict: 'block', version: null, findings: [{ check: 'invalid-spec', severity: 'block' }] });
      for (const p of doc.packages) for (const f of p.findings) expect(Object.keys(f).every((k) => ['check', 'severity', 'message', 'didYouMean'].includes(k))).toBe(true);
      // The facts came from the index named by PIP_INDEX_URL (PEP 503 normalized names).
      expect(indexA.requests.slice(before)).toContain('/pypi/foo-bar/json');
    });

    it('reads the index from a pip config file (PIP_CONFIG_FILE), and pins a version with ==', async () => {
      const conf = writePublic('check-pip.conf', `[global]\nindex-url = ${indexA.url}\n`);
      const r = await safePip(undefined, ['safe', 'check', '--json', 'quiet-widget==1.1', 'quiet_widget==7.0'], { PIP_CONFIG_FILE: conf });
      const doc = JSON.parse(r.stdout) as { packages: Array<{ name: string; version: string; verdict: string; findings: Array<{ check: string }> }> };
      expect(doc.packages[0]).toMatchObject({ name: 'quiet-widget==1.1', version: '1.1', verdict: 'ok' });
      expect(doc.packages[1]!.verdict).not.toBe('ok');
      expect(r.exitCode).toBe(doc.packages.some((p) => p.verdict === 'block') ? 65 : 0);
    });

    it('--offline never touches the (dead) index and still catches the typosquat; online, the dead index cannot verify', async () => {
      const off = await safePip(undefined, ['safe', 'check', '--offline', '--json', 'reqeusts', 'requests'], { PIP_INDEX_URL: DEAD_INDEX });
      expect(off.exitCode, off.stderr).toBe(65);
      const doc = JSON.parse(off.stdout) as { packages: Array<{ name: string; verdict: string; findings: Array<{ didYouMean?: string }> }> };
      expect(doc.packages.map((p) => [p.name, p.verdict])).toEqual([['reqeusts', 'block'], ['requests', 'ok']]);
      expect(doc.packages[0]!.findings.find((f) => f.didYouMean)?.didYouMean).toBe('requests');
      const on = await safePip(undefined, ['safe', 'check', '--json', 'requests'], { PIP_INDEX_URL: DEAD_INDEX });
      // Nothing could be verified: 68, as an install would end (issue 14), not "blocked".
      expect(on.exitCode).toBe(68);
      expect(JSON.parse(on.stdout).packages[0].findings.map((f: { check: string }) => f.check)).toContain('could-not-verify');
    });
  });

  describe('approve, deny, trust', () => {
    it('trust Foo_Bar (normalized) lets foo-bar install; without it the warnings stop a non-interactive run', async () => {
      const venv = await newVenv();
      const before = freeze(venv);
      const stopped = await safePip(venv, ['install', '-i', indexA.url, 'foo-bar']);
      expect(stopped.exitCode, stopped.stderr).toBe(66);
      expect(freeze(venv)).toBe(before);
      const t = await safePip(undefined, ['safe', 'trust', 'Foo_Bar']);
      expect(t.stdout).toContain('trusted foo-bar');
      expect((await safePip(undefined, ['safe', 'list'])).stdout).toMatch(/^\s+foo-bar$/m);
      const ok = await safePip(venv, ['install', '-i', indexA.url, 'foo-bar']);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(freeze(venv)).toMatch(/^foo[-_]bar==1\.0$/im);
      await safePip(undefined, ['safe', 'untrust', 'FOO.bar']);
      expect((await storeOf()).isTrusted('pypi', 'foo-bar')).toBe(false);
    });

    it('deny wins over an approval; approve Name==version lifts it and the build runs as the venv owner', async () => {
      rmSync(marker('srcdep'), { force: true });
      const venv = await newVenv();
      expect((await safePip(undefined, ['safe', 'deny', 'SrcDep'])).exitCode).toBe(0);
      (await storeOf()).recordScriptDecision('pypi', { decision: 'allow', key: 'srcdep@1.2', at: new Date().toISOString() });
      const denied = await safePip(venv, ['install', '-i', indexA.url, 'app-wheel']);
      expect(denied.exitCode, denied.stderr).toBe(67);
      expect(denied.stderr).toContain('safe-pip safe approve srcdep==1.2');
      expect(existsSync(marker('srcdep'))).toBe(false);

      const a = await safePip(undefined, ['safe', 'approve', 'SrcDep==1.2']);
      expect(a.exitCode, a.stderr).toBe(0);
      const decisions = (await storeOf()).scriptDecisions('pypi');
      expect(decisions['srcdep@1.2']?.decision).toBe('allow');
      expect(decisions.srcdep).toBeUndefined();
      const ok = await safePip(venv, ['install', '-i', indexA.url, 'app-wheel']);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(statSync(marker('srcdep')).uid).toBe(NOBODY);
      expect(freeze(venv)).toMatch(/srcdep==1\.2/);
      (await storeOf()).removeScriptDecision('pypi', 'srcdep@1.2');
    });

    it('a `name @ file://…` sdist builds only once its URL is approved, then as the venv owner', async () => {
      rmSync(marker('direct'), { force: true });
      const venv = await newVenv();
      const url = pathToFileURL(built.direct!.path).href;
      const withheld = await safePip(venv, ['install', '--no-index', `directpkg @ ${url}`]);
      expect(withheld.exitCode, withheld.stderr).toBe(67);
      expect(withheld.stderr).toContain(`safe-pip safe approve ${url}`);
      expect(existsSync(marker('direct'))).toBe(false);
      const a = await safePip(undefined, ['safe', 'approve', built.direct!.path]);
      expect(a.exitCode, a.stderr).toBe(0);
      expect((await storeOf()).scriptDecisions('pypi')[url]?.decision).toBe('allow');
      const ok = await safePip(venv, ['install', '--no-index', `directpkg @ ${url}`]);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(statSync(marker('direct')).uid).toBe(NOBODY);
      expect(readFileSync(marker('direct'), 'utf8').trim().split('\n').every((l) => l === String(NOBODY))).toBe(true);
      expect(freeze(venv)).toContain('directpkg==0.1');
    });

    it('approve/deny reject what they cannot record, in one line', async () => {
      for (const args of [['approve'], ['approve', 'bad name!'], ['deny', 'x==1.0'], ['approve', '--network', 'x']]) {
        const r = await safePip(undefined, ['safe', ...args]);
        expect(r.exitCode, args.join(' ')).toBe(64);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    });
  });

  describe('hidden inputs and option forms', () => {
    it('PIP_REQUIREMENT with no arguments installs that file (its own --index-url inside)', async () => {
      const venv = await newVenv();
      const req = writePublic('env-req.txt', `--index-url ${indexA.url}\nquiet-widget==1.1\n`);
      const r = await safePip(venv, ['install'], { PIP_REQUIREMENT: req });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(freeze(venv)).toContain('quiet-widget==1.1');
    });

    it('PIP_EXTRA_INDEX_URL adds a second index: dependency confusion is blocked', async () => {
      const venv = await newVenv();
      const before = freeze(venv);
      const r = await safePip(venv, ['install', '-i', indexA.url, 'internal-tool'], { PIP_EXTRA_INDEX_URL: indexB.url });
      expect(r.exitCode, r.stderr).toBe(65);
      expect(r.stderr).toContain(indexB.url);
      expect(r.stderr).toContain('99.0');
      expect(freeze(venv)).toBe(before);
    });

    it('a pip config file (PIP_CONFIG_FILE) with extra-index-url: blocked likewise', async () => {
      const venv = await newVenv();
      const before = freeze(venv);
      const conf = writePublic('confusion-pip.conf', `[global]\nindex-url = ${indexA.url}\nextra-index-url = ${indexB.url}\n`);
      const r = await safePip(venv, ['install', 'internal-tool'], { PIP_CONFIG_FILE: conf });
      expect(r.exitCode, r.stderr).toBe(65);
      expect(r.stderr).toContain(indexB.url);
      expect(freeze(venv)).toBe(before);
    });

    it('clustered short options (-qUi URL), an abbreviated --constr and a constraints file', async () => {
      const venv = await newVenv();
      const constraints = writePublic('constraints.txt', 'quiet-widget==1.1\n');
      const r = await safePip(venv, ['install', '-qUi', indexA.url, '--constr', constraints, 'quiet-widget']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(freeze(venv)).toContain('quiet-widget==1.1');
      const r2 = await safePip(venv, ['install', `--ind=${indexA.url}`, '-U', 'quiet-widget']);
      expect(r2.exitCode, r2.stderr).toBe(0);
      expect(freeze(venv)).toContain('quiet-widget==1.2');
    });
  });

  describe('direct-URL dependencies declared in a wheel', () => {
    it('an sdist URL in a wheel\'s Requires-Dist is refused before it builds, naming package, URL and the way out', async () => {
      rmSync(marker('evilurl'), { force: true });
      const venv = await newVenv();
      const before = freeze(venv);
      const r = await safePip(venv, ['install', '-i', indexA.url, 'app-url', '--safe-yes']);
      expect(r.exitCode, r.stderr).toBe(65);
      const line = r.stderr.split('\n').find((l) => l.includes('declares the dependency'))!;
      expect(line).toContain('app-url');
      expect(line).toContain(`evilurl @ ${pathToFileURL(built.evil!.path).href}`);
      expect(line).toContain(`safe-pip safe approve ${pathToFileURL(built.evil!.path).href}`);
      expect(existsSync(marker('evilurl'))).toBe(false);
      expect(freeze(venv)).toBe(before);
    });

    it('a wheel URL in a wheel\'s Requires-Dist is refused too (no build, but no index either)', async () => {
      const venv = await newVenv();
      const before = freeze(venv);
      const r = await safePip(venv, ['install', '-i', indexA.url, 'app-urlwheel']);
      expect(r.exitCode, r.stderr).toBe(65);
      expect(r.stderr).toMatch(/app-urlwheel==1\.2 declares the dependency "urlwheel @ file:/);
      expect(freeze(venv)).toBe(before);
    });
  });

  describe('editable installs', () => {
    it('-e <folder> is withheld until approved, then built as the venv owner (its deps pinned from the index)', async () => {
      rmSync(marker('editme'), { force: true });
      const venv = await newVenv();
      const src = await makeTempDir('safe-pip-editable-');
      const dir = unpackSdist(built.editme!, src);
      execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, src]);
      const withheld = await safePip(venv, ['install', '-i', indexA.url, '-e', dir]);
      expect(withheld.exitCode, withheld.stderr).toBe(67);
      expect(existsSync(marker('editme'))).toBe(false);
      expect(withheld.stderr).toContain(`safe-pip safe approve ${pathToFileURL(dir).href}`);
      expect((await safePip(undefined, ['safe', 'approve', dir])).exitCode).toBe(0);
      const ok = await safePip(venv, ['install', '-i', indexA.url, '-e', dir]);
      expect(ok.exitCode, ok.stderr).toBe(0);
      expect(statSync(marker('editme')).uid).toBe(NOBODY);
      const frozen = freeze(venv);
      expect(frozen).toContain('quiet-widget==1.2');
      expect(frozen).toMatch(/editme/i);
      const site = readdirSync(join(venv, 'lib')).map((d) => join(venv, 'lib', d, 'site-packages'))[0]!;
      expect(JSON.parse(readFileSync(join(site, 'editme-0.1.dist-info', 'direct_url.json'), 'utf8')).dir_info).toEqual({ editable: true });
      expect(statSync(join(site, 'editme-0.1.dist-info')).uid).toBe(NOBODY);
    });

    it('-e with a VCS URL is refused with how to proceed', async () => {
      const venv = await newVenv();
      const r = await safePip(venv, ['install', '-e', 'git+https://127.0.0.1:9/x.git#egg=x']);
      expect(r.exitCode).toBe(64);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('clone it, review it, then run: safe-pip install -e <folder>');
    });
  });
});
