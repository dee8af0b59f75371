import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownPipCommandName } from '../../../src/cli/own-command.js';
import { runSafeCommand } from '../../../src/cli/safe-commands.js';
import { checkExitCode } from '../../../src/core/decide.js';
import { npmInstallFlow } from '../../../src/flow/npm-install.js';
import { runsGlobalBinOnly, runsLocalBinOnly } from '../../../src/npm/local-bin.js';
import { loadNpmTables } from '../../../src/npm/npm-tables.js';
import { NPX_MARKER, parseNpmArgs } from '../../../src/npm/parse-npm-args.js';
import { wantsColor } from '../../../src/ui/color.js';
import { fakeDeps, packument } from '../../helpers/fake-npm-deps.js';

const npx = (args: string[], cwd: string) => parseNpmArgs([NPX_MARKER, ...args], {}, loadNpmTables(), { cwd });

describe('colour only when wanted', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { FORCE_COLOR: 'false' }, false],
  ] as const)('tty %s, env %j → %s', (tty, env, expected) => {
    expect(wantsColor(tty, env)).toBe(expected);
  });
});

describe('npx <bin> already in the project goes straight to npm', () => {
  const project = mkdtempSync(join(tmpdir(), 'safe-localbin-'));
  mkdirSync(join(project, 'node_modules/.bin'), { recursive: true });
  writeFileSync(join(project, 'node_modules/.bin/esbuild'), '');
  const sub = join(project, 'src', 'deep');
  mkdirSync(sub, { recursive: true });
  it.each([
    [['esbuild', '--version'], sub, true],
    [['esbuild@0.25.0', '--version'], project, false],
    [['-p', 'esbuild', 'esbuild'], project, false],
    [['--prefix', '/elsewhere', 'esbuild'], project, false],
    [['cowsay'], project, false],
  ])('npx %j', (args, cwd, expected) => {
    expect(runsLocalBinOnly(npx(args, cwd), cwd)).toBe(expected);
  });
});

describe('npx of a bin in npm\'s global folder: npm runs it, installs nothing', () => {
  const root = mkdtempSync(join(tmpdir(), 'safe-npm-global-bin-'));
  const globalPrefix = join(root, 'global');
  mkdirSync(join(globalPrefix, 'bin'), { recursive: true });
  writeFileSync(join(globalPrefix, 'bin', 'gtool'), '#!/bin/sh\n', { mode: 0o755 });
  mkdirSync(join(globalPrefix, 'bin', 'gfolder'));
  const plain = join(root, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'package.json'), '{"name":"plain","version":"1.0.0"}');
  const declares = join(root, 'declares');
  mkdirSync(declares);
  writeFileSync(join(declares, 'package.json'), '{"name":"@me/gtool","version":"1.0.0","bin":"cli.js"}');
  const declaresMap = join(root, 'declares-map');
  mkdirSync(declaresMap);
  writeFileSync(join(declaresMap, 'package.json'), '{"name":"x","version":"1.0.0","bin":{"gtool":"cli.js"}}');
  it.each([
    [['gtool'], plain, globalPrefix, true],
    [['--no', 'gtool'], plain, globalPrefix, true],
    [['gmissing'], plain, globalPrefix, false],
    // A folder is not a command (npm's fileExists: a file).
    [['gfolder'], plain, globalPrefix, false],
    [['gtool@1.0.0'], plain, globalPrefix, false],
    [['-p', 'gtool', 'gtool'], plain, globalPrefix, false],
    // The project's own bin of that name: npm installs the project into its npx cache first.
    [['gtool'], declares, globalPrefix, false],
    [['gtool'], declaresMap, globalPrefix, false],
    // The project is the global prefix: npm does not look there.
    [['gtool'], globalPrefix, globalPrefix, false],
  ])('npx %j in %s', (args, localPrefix, prefix, expected) => {
    expect(runsGlobalBinOnly(npx(args, localPrefix), localPrefix, prefix)).toBe(expected);
  });
});

describe('safe check exit code, as the install would', () => {
  const r = (check: string, severity: 'block' | 'warn') => ({ name: 'x', version: null, verdict: severity, findings: [{ check, severity, message: '' }] });
  it('68 when the only blocks are "could not verify", 65 for any other block, 0 for warnings', () => {
    expect(checkExitCode([r('could-not-verify', 'block')])).toBe(68);
    expect(checkExitCode([r('could-not-verify', 'block'), r('typosquat', 'block')])).toBe(65);
    expect(checkExitCode([r('new-version', 'warn')])).toBe(0);
  });
});

describe('safe-npm\'s own commands', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { env: {}, cwd: '/', stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), stdoutIsTTY: false, realTool: () => 'npm' } };
  };
  it('`safe` alone is a usage error: the usage on stderr, exit 64; `safe --help` is help on stdout, exit 0', async () => {
    const bare = io();
    expect(await runSafeCommand('npm', [], bare.io)).toBe(64);
    expect(bare.out).toEqual([]);
    expect(bare.err.join('')).toContain('safe-npm safe <command>');
    const help = io();
    expect(await runSafeCommand('npm', ['--help'], help.io)).toBe(0);
    expect(help.out.join('')).toContain('safe-npm safe <command>');
  });
  it.each([
    ['npm', 'check', 'safe-npm safe check [--offline]'],
    ['npm', 'untrust', 'safe-npm safe trust <name>... | untrust <name>...'],
    ['npm', 'list', 'safe-npm safe list [--project]'],
    ['npm', 'setup', 'safe-npm safe setup [--shell'],
    ['npm', 'approve', 'safe-npm safe approve <name>@<version>'],
    ['pypi', 'approve', 'safe-pip safe approve <name>[==<version>]'],
  ] as const)('%s: `safe %s --help` is that command\'s usage on stdout, exit 0, nothing done', async (eco, sub, usage) => {
    const h = io();
    expect(await runSafeCommand(eco, [sub, '--help'], h.io)).toBe(0);
    expect(h.out.join('')).toMatch(new RegExp(`^${usage.replace(/[[\]().|*+?^$]/g, '\\$&')}.*\n\\(all commands: safe-(npm|pip) safe help\\)\n$`));
    expect(h.err).toEqual([]);
  });
  it('`safe check` without a spec is its usage, in the ecosystem\'s own terms (pip has no --no-deps)', async () => {
    await expect(runSafeCommand('npm', ['check'], io().io)).rejects.toThrow('usage: safe-npm safe check [--offline] [--no-deps] [--json] <spec>...');
    await expect(runSafeCommand('pypi', ['check'], io().io)).rejects.toThrow('usage: safe-pip safe check [--offline] [--json] <requirement>...');
  });
  it('`safe --version` is safe-npm\'s own version', async () => {
    const v = io();
    expect(await runSafeCommand('npm', ['--version'], v.io)).toBe(0);
    expect(v.out.join('')).toMatch(/^safe-npm \d+\.\d+\.\d+\n$/);
  });
  it('through the shim, the help names the commands as typed: npm safe …', async () => {
    const viaShim = io();
    await runSafeCommand('npm', ['help'], { ...viaShim.io, env: { SAFE_NPM_SHIM_DIR: '/x/shims' } });
    expect(viaShim.out.join('')).toMatch(/^npm safe <command>/);
  });
});

describe('safe-pip\'s own name, as the user typed it', () => {
  it.each([
    [{}, 'safe-pip'],
    [{ SAFE_PIP_INVOKED_AS: 'pip3' }, 'safe-pip'],
    [{ SAFE_PIP_SHIM_DIR: '/x/shims' }, 'pip'],
    [{ SAFE_PIP_SHIM_DIR: '/x/shims', SAFE_PIP_INVOKED_AS: 'pip3' }, 'pip3'],
    [{ SAFE_PIP_SHIM_DIR: '/x/shims', SAFE_PIP_INVOKED_AS: 'pip3.11' }, 'pip3.11'],
    [{ SAFE_PIP_SHIM_DIR: '/x/shims', SAFE_PIP_INVOKED_AS: 'python3 -m pip' }, 'python3 -m pip'],
    [{ SAFE_PIP_SHIM_DIR: '/x/shims', SAFE_PIP_INVOKED_AS: 'py -3.12 -m pip' }, 'py -3.12 -m pip'],
    [{ SAFE_PIP_SHIM_DIR: '/x/shims', SAFE_PIP_INVOKED_AS: 'pip; rm -rf ~' }, 'pip'],
  ])('%j → %s', (env, expected) => {
    expect(ownPipCommandName(env)).toBe(expected);
  });

  const viaPip3 = () => {
    const out: string[] = [];
    const err: string[] = [];
    const env = { SAFE_PIP_SHIM_DIR: '/x/shims', SAFE_PIP_INVOKED_AS: 'pip3' };
    return { out, err, io: { env, cwd: '/', stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), stdoutIsTTY: false, realTool: () => 'pip3' } };
  };
  it('through the pip shim, help names the commands as typed (pip3 safe …) and keeps pip\'s own lines', async () => {
    const h = viaPip3();
    expect(await runSafeCommand('pypi', ['help'], h.io)).toBe(0);
    expect(h.out.join('')).toMatch(/^pip3 safe <command>\n/);
    expect(h.out.join('')).toContain('approve <name>[==<version>] | <URL or path>');
    const one = viaPip3();
    expect(await runSafeCommand('pypi', ['approve', '--help'], one.io)).toBe(0);
    expect(one.out.join('')).toMatch(/^pip3 safe approve <name>\[==<version>\].*\n\(all commands: pip3 safe help\)\n$/);
  });
  it.each([
    [['approve'], 'usage: pip3 safe approve'],
    [['deny'], 'usage: pip3 safe deny'],
    [['trust'], 'usage: pip3 safe trust'],
    [['config', 'nope'], 'usage: pip3 safe config'],
    [['update-db', '--nope'], 'usage: pip3 safe update-db'],
    [['nope'], '(see: pip3 safe help)'],
  ])('through the pip shim, `safe %j` says %s', async (args, expected) => {
    await expect(runSafeCommand('pypi', args, viaPip3().io)).rejects.toThrow(expected);
  });
});

describe('the install summary', () => {
  it('is npm\'s: the count and the time of the whole command', async () => {
    const t = await fakeDeps({ packuments: { 'left-pad': packument('left-pad') }, ranForMs: 7_400 });
    const inv = { kind: 'install', command: 'install', typedCommand: 'i', specs: [{ raw: 'left-pad', type: 'tag', name: 'left-pad', registryName: 'left-pad', fetchSpec: 'latest', fromRegistry: true }], positionals: ['left-pad'], global: false, workspaces: false, npmArgs: ['i', 'left-pad'], ownFlags: { yes: false, strictScripts: false, project: false, other: {} }, cliConfig: {} } as const;
    expect(await npmInstallFlow({ ...inv, specs: [...inv.specs], positionals: [...inv.positionals], npmArgs: [...inv.npmArgs], ownFlags: { ...inv.ownFlags } }, t.deps)).toBe(0);
    expect(t.out()).toBe('\nadded 1 package in 7s\n');
  });
});

describe('untrust of a name trusted by version only', () => {
  it('says which versions are trusted and the command that untrusts them (it said "was not trusted"); that command does', async () => {
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'safe-untrust-'));
    try {
      const { SafeStore } = await import('../../../src/config/store.js');
      (await SafeStore.open()).trust('npm', 'vuee@1.0.0-security');
      const out: string[] = [];
      const io = { env: {}, cwd: '/', stdout: (t: string) => void out.push(t), stderr: () => {}, stdoutIsTTY: false, realTool: () => 'npm' };
      expect(await runSafeCommand('npm', ['untrust', 'vuee'], io)).toBe(0);
      expect(out.join('')).toBe('vuee is trusted only as vuee@1.0.0-security; to untrust: safe-npm safe untrust vuee@1.0.0-security\n');
      out.length = 0;
      expect(await runSafeCommand('npm', ['untrust', 'vuee@1.0.0-security'], io)).toBe(0);
      expect(out.join('')).toBe('no longer trusted: vuee@1.0.0-security\n');
      expect((await SafeStore.open()).trustedNames('npm')).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = saved;
    }
  });
});
