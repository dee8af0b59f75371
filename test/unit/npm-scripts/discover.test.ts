import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandsOnPath, discoverInstallScripts, findShadowingBins, GYP_COMMAND, referencedFiles, registryTarball, scriptsDigest } from '../../../src/npm/scripts/discover.js';
import { writeProject } from './fixture.js';

const REG = 'http://127.0.0.1:4873';
const pkg = (name: string, version: string, extra: Record<string, unknown> = {}) => ({ name, version, ...extra });

function mainFixture(): string {
  return writeProject({
    root: {
      name: 'proj',
      version: '1.0.0',
      scripts: { preinstall: 'echo pre', postinstall: 'echo post', prepare: 'husky install', test: 'vitest' },
      dependencies: { a: '^1', 'gyp-a': '1', 'gyp-b': '1', 'gyp-c': '1', gitdep: 'github:x/gitdep', linked: 'file:packages/linked', parent: '1', noresolved: '2', confused: '1', myalias: 'npm:real@1', 'opt-missing': '1', plain: '1' },
    },
    lock: {
      'node_modules/a': { version: '1.0.0', resolved: `${REG}/a/-/a-1.0.0.tgz`, integrity: 'sha512-aaa', hasInstallScript: true, dependencies: { 'gyp-a': '1' } },
      'node_modules/gyp-a': { version: '1.0.0', resolved: `${REG}/gyp-a/-/gyp-a-1.0.0.tgz`, integrity: 'sha512-ga', hasInstallScript: true },
      'node_modules/gyp-b': { version: '1.0.0', resolved: `${REG}/gyp-b/-/gyp-b-1.0.0.tgz`, integrity: 'sha512-gb' },
      'node_modules/gyp-c': { version: '1.0.0', resolved: `${REG}/gyp-c/-/gyp-c-1.0.0.tgz`, integrity: 'sha512-gc', hasInstallScript: true },
      'node_modules/gitdep': { version: '0.1.0', resolved: 'git+ssh://git@github.com/x/gitdep.git#0123456789abcdef0123456789abcdef01234567', hasInstallScript: true },
      'node_modules/linked': { resolved: 'packages/linked', link: true },
      'packages/linked': { name: 'linked', version: '0.0.1' },
      'node_modules/parent': { version: '3.0.0', resolved: `${REG}/parent/-/parent-3.0.0.tgz`, integrity: 'sha512-parent', bundleDependencies: ['child'], dependencies: { child: '1' } },
      'node_modules/parent/node_modules/child': { version: '1.2.0', inBundle: true, hasInstallScript: true },
      'node_modules/noresolved': { version: '2.0.0', integrity: 'sha512-nr', dev: true, hasInstallScript: true },
      'node_modules/confused': { version: '1.0.0', resolved: `${REG}/confused/-/confused-1.0.0.tgz`, integrity: 'sha512-cf', hasInstallScript: true },
      'node_modules/myalias': { name: 'real', version: '1.0.0', resolved: `${REG}/real/-/real-1.0.0.tgz`, integrity: 'sha512-real', hasInstallScript: true },
      'node_modules/opt-missing': { version: '1.0.0', optional: true, hasInstallScript: true },
      'node_modules/plain': { version: '1.0.0', resolved: `${REG}/plain/-/plain-1.0.0.tgz`, integrity: 'sha512-plain' },
    },
    files: {
      'node_modules/a/package.json': pkg('a', '1.0.0', { scripts: { install: 'node scripts/install.js', postinstall: 'echo done', prepare: 'tsc', test: 'x' }, dependencies: { 'gyp-a': '1' } }),
      'node_modules/a/scripts/install.js': "console.log('hello')\nrequire('fs')\n",
      'node_modules/gyp-a/package.json': pkg('gyp-a', '1.0.0', { scripts: { postinstall: 'echo after' } }),
      'node_modules/gyp-a/binding.gyp': '{}',
      'node_modules/gyp-b/package.json': pkg('gyp-b', '1.0.0', { gypfile: false }),
      'node_modules/gyp-b/binding.gyp': '{}',
      'node_modules/gyp-c/package.json': pkg('gyp-c', '1.0.0', { scripts: { install: 'prebuild-install || node-gyp rebuild' } }),
      'node_modules/gyp-c/binding.gyp': '{}',
      'node_modules/gitdep/package.json': pkg('gitdep', '0.1.0', { scripts: { prepare: 'npm run build' } }),
      'packages/linked/package.json': pkg('linked', '0.0.1', { scripts: { prepare: 'echo linked-prepare' } }),
      'node_modules/parent/package.json': pkg('parent', '3.0.0', { bundleDependencies: ['child'] }),
      'node_modules/parent/node_modules/child/package.json': pkg('child', '1.2.0', { scripts: { postinstall: 'echo bundled' } }),
      'node_modules/noresolved/package.json': pkg('noresolved', '2.0.0', { scripts: { install: 'echo nr' } }),
      'node_modules/confused/package.json': pkg('confused', '6.6.6', { scripts: { postinstall: 'echo evil' } }),
      'node_modules/myalias/package.json': pkg('real', '1.0.0', { scripts: { postinstall: 'echo real' } }),
      'node_modules/plain/package.json': pkg('plain', '1.0.0', { scripts: { test: 'x', prepare: 'y' } }),
    },
    links: { 'node_modules/linked': 'packages/linked' },
  });
}

describe('discoverInstallScripts', () => {
  it('finds every install-time script with its identity, from the lockfile and the on-disk manifests', async () => {
    const dir = mainFixture();
    const found = await discoverInstallScripts(dir);
    const by = Object.fromEntries(found.map((c) => [c.location, c]));
    expect(Object.keys(by).sort()).toEqual(
      ['', 'node_modules/a', 'node_modules/confused', 'node_modules/gitdep', 'node_modules/gyp-a', 'node_modules/gyp-c', 'node_modules/myalias', 'node_modules/noresolved', 'node_modules/parent/node_modules/child', 'packages/linked'].sort(),
    );
    // registry dep: prepare and test are not install scripts
    expect(by['node_modules/a']!.scripts).toEqual({ install: 'node scripts/install.js', postinstall: 'echo done' });
    expect(by['node_modules/a']!.source).toBe('registry');
    expect(by['node_modules/a']!.integrity).toBe('sha512-aaa');
    expect(by['node_modules/a']!.dependsOn).toEqual(['node_modules/gyp-a']);
    // node <file>: size, sha256, preview
    const ref = by['node_modules/a']!.referencedFiles[0]!;
    expect(ref.relative).toBe('scripts/install.js');
    expect(ref.sha256).toBe(createHash('sha256').update("console.log('hello')\nrequire('fs')\n").digest('hex'));
    expect(ref.preview?.[0]).toBe("console.log('hello')");
    // gyp: implicit install between preinstall and postinstall; gypfile:false suppresses; explicit install wins
    expect(by['node_modules/gyp-a']!.scripts).toEqual({ install: GYP_COMMAND, postinstall: 'echo after' });
    expect(Object.keys(by['node_modules/gyp-a']!.scripts)).toEqual(['install', 'postinstall']);
    expect(by['node_modules/gyp-a']!.gyp).toBe('implicit');
    expect(by['node_modules/gyp-b']).toBeUndefined();
    expect(by['node_modules/gyp-c']!.scripts).toEqual({ install: 'prebuild-install || node-gyp rebuild' });
    expect(by['node_modules/gyp-c']!.gyp).toBe('none');
    // prepare only for git and local folders
    expect(by['node_modules/gitdep']!.source).toBe('git');
    expect(by['node_modules/gitdep']!.scripts).toEqual({ prepare: 'npm run build' });
    expect(by['packages/linked']!.source).toBe('link');
    expect(by['packages/linked']!.scripts).toEqual({ prepare: 'echo linked-prepare' });
    expect(by['packages/linked']!.linkedFrom).toEqual(['node_modules/linked']);
    expect(by['node_modules/plain']).toBeUndefined();
    // root flagged, its install-time scripts (not `test`), last
    expect(by['']!.isRoot).toBe(true);
    expect(by['']!.scripts).toEqual({ preinstall: 'echo pre', postinstall: 'echo post', prepare: 'husky install' });
    expect(found[found.length - 1]!.isRoot).toBe(true);
    // bundled: reported, identity of the bundling parent
    const child = by['node_modules/parent/node_modules/child']!;
    expect(child.inBundle).toBe(true);
    expect(child.source).toBe('bundled');
    expect(child.bundledBy).toEqual({ location: 'node_modules/parent', name: 'parent', version: '3.0.0' });
    expect(child.integrity).toBe('sha512-parent');
    expect(child.dependencyPath).toEqual(['proj', 'parent', 'child']);
    // no `resolved` (omit-lockfile-registry-resolved): name/version/integrity from the entry
    const nr = by['node_modules/noresolved']!;
    expect([nr.name, nr.version, nr.integrity, nr.source, nr.dev, nr.problems]).toEqual(['noresolved', '2.0.0', 'sha512-nr', 'registry', true, []]);
    // manifest confusion is a problem (refused), alias binds to the real name
    expect(by['node_modules/confused']!.problems[0]).toMatch(/manifest confusion.*confused@1\.0\.0.*confused@6\.6\.6/);
    expect(by['node_modules/myalias']!.name).toBe('real');
    expect(by['node_modules/myalias']!.alias).toBe('myalias');
    expect(by['node_modules/myalias']!.problems).toEqual([]);
    // shortest dependency path
    expect(by['node_modules/gyp-a']!.dependencyPath).toEqual(['proj', 'gyp-a']);
  });

  it('uses the hidden lockfile when package-lock.json is missing, and walks node_modules without either', async () => {
    const files = {
      'node_modules/b/package.json': pkg('b', '1.0.0', { scripts: { install: 'echo b' } }),
      'node_modules/a/package.json': pkg('a', '1.0.0', { scripts: { postinstall: 'echo a' }, dependencies: { b: '1' } }),
    };
    const hidden = writeProject({
      root: { name: 'p', version: '1.0.0', dependencies: { a: '1' } },
      lockFile: 'node_modules/.package-lock.json',
      lock: { 'node_modules/a': { version: '1.0.0', dependencies: { b: '1' } }, 'node_modules/b': { version: '1.0.0' } },
      files,
    });
    const walked = writeProject({ root: { name: 'p', version: '1.0.0', dependencies: { a: '1' } }, files });
    for (const dir of [hidden, walked]) {
      const found = await discoverInstallScripts(dir);
      expect(found.map((c) => c.location)).toEqual(['node_modules/a', 'node_modules/b']);
      expect(found[0]!.dependsOn).toEqual(['node_modules/b']);
    }
  });

  it('digests the ordered scripts, including the synthetic gyp marker', () => {
    const implicit = scriptsDigest({ install: GYP_COMMAND }, 'implicit');
    const explicit = scriptsDigest({ install: GYP_COMMAND }, 'none');
    expect(implicit).not.toBe(explicit);
    expect(scriptsDigest({ preinstall: 'a', install: 'b' }, 'none')).not.toBe(scriptsDigest({ preinstall: 'b', install: 'a' }, 'none'));
    expect(implicit).toMatch(/^[0-9a-f]{64}$/);
  });

  it('parses name and version from registry tarball URLs', () => {
    expect(registryTarball('https://r.example/@s/pkg/-/pkg-1.2.3-beta.1.tgz')).toEqual({ name: '@s/pkg', version: '1.2.3-beta.1' });
    expect(registryTarball('https://r.example/@s%2fpkg/-/pkg-1.0.0.tgz')).toEqual({ name: '@s/pkg', version: '1.0.0' });
    expect(registryTarball('https://r.example/esbuild/-/esbuild-0.25.0.tgz')).toEqual({ name: 'esbuild', version: '0.25.0' });
    expect(registryTarball('https://example.com/x.tgz')).toBeUndefined();
  });
});

describe('findShadowingBins', () => {
  it('flags .bin entries named like a command on the user\'s PATH, root and nested; a name no PATH folder has (tsc without TypeScript) is not', () => {
    const dir = writeProject({
      root: { name: 'p', version: '1.0.0' },
      files: {
        'node_modules/evil/bin.js': '#!/bin/sh\n',
        'node_modules/ok/bin.js': '#!/bin/sh\n',
        'node_modules/x/node_modules/.bin/.keep': '',
      },
      links: {
        'node_modules/.bin/node': 'node_modules/evil/bin.js',
        'node_modules/.bin/python3.11': 'node_modules/evil/bin.js',
        'node_modules/.bin/tsc': 'node_modules/ok/bin.js',
        'node_modules/.bin/prettier': 'node_modules/ok/bin.js',
        'node_modules/x/node_modules/.bin/git': 'node_modules/evil/bin.js',
      },
    });
    const system = mkdtempSync(join(tmpdir(), 'safe-path-'));
    for (const cmd of ['node', 'git']) {
      writeFileSync(join(system, cmd), '#!/bin/sh\n');
      chmodSync(join(system, cmd), 0o755);
    }
    writeFileSync(join(system, 'python3.11'), 'not executable');
    // The project's own .bin on PATH (as in an npm script) does not count as the system's.
    const findings = findShadowingBins(dir, commandsOnPath(`${join(dir, 'node_modules/.bin')}:${system}:relative/dir`));
    expect(findings.map((f) => f.message.split(' ')[0])).toEqual(['node_modules/.bin/node', 'node_modules/x/node_modules/.bin/git']);
    expect(findings[0]!.message).toContain(`shadows the system command "node" (${join(system, 'node')})`);
    expect(findings.every((f) => f.check === 'bin-shadowing' && f.severity === 'warn')).toBe(true);
    // After an install: only the bins of what it wrote (it was said on every command, even a no-op).
    const onPath = commandsOnPath(`${join(dir, 'node_modules/.bin')}:${system}:relative/dir`);
    expect(findShadowingBins(dir, onPath, new Set(['node_modules/ok']))).toEqual([]);
    expect(findShadowingBins(dir, onPath, new Set(['node_modules/evil'])).map((f) => f.message.split(' ')[0])).toEqual(['node_modules/.bin/node', 'node_modules/x/node_modules/.bin/git']);
  });
});

describe('why a package is installed', () => {
  it('a dependency of a root devDependency names its path (tsx > esbuild), as does one the lockfile does not reach', async () => {
    const dir = writeProject({
      root: { name: 'proj', version: '1.0.0', devDependencies: { tsx: '^4' } },
      lock: {
        'node_modules/tsx': { version: '4.0.0', dev: true, dependencies: { esbuild: '^0.25' } },
        'node_modules/tsx/node_modules/esbuild': { version: '0.25.0', dev: true, hasInstallScript: true },
        'node_modules/stray/node_modules/deep': { version: '1.0.0', hasInstallScript: true },
      },
      files: {
        'node_modules/tsx/package.json': pkg('tsx', '4.0.0'),
        'node_modules/tsx/node_modules/esbuild/package.json': pkg('esbuild', '0.25.0', { scripts: { postinstall: 'node install.js' } }),
        'node_modules/stray/node_modules/deep/package.json': pkg('deep', '1.0.0', { scripts: { install: 'node x.js' } }),
      },
    });
    const by = Object.fromEntries((await discoverInstallScripts(dir)).map((c) => [c.name, c]));
    expect(by.esbuild!.dependencyPath).toEqual(['proj', 'tsx', 'esbuild']);
    expect(by.deep!.dependencyPath).toEqual(['proj', 'stray', 'deep']);
  });
});

describe('the files a script runs', () => {
  it('node -e / -p run inline code, no file (the approval screen said "-e: missing"); a file after flags is read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'safe-npm-refs-'));
    writeFileSync(join(dir, 'install.js'), 'module.exports = 1;\n');
    expect(referencedFiles(dir, { postinstall: `node -e "require('fs').writeFileSync('x', '1')"` })).toEqual([]);
    expect(referencedFiles(dir, { postinstall: 'node -p "1 + 1"', install: 'node --eval "1"' })).toEqual([]);
    expect(referencedFiles(dir, { install: 'node --max-old-space-size=100 install.js' }).map((f) => [f.file, f.exists])).toEqual([['install.js', true]]);
  });
});
