/**
 * safe-npm entry. Fast path: load the generated npm tables, parse argv, and hand anything that
 * installs nothing straight to the real npm (no network, no spinner, nothing heavy imported).
 * Install-like commands and `safe …` load the rest lazily.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadNpmTables } from '../npm/npm-tables.js';
import { bareBinName, runsGlobalBinOnly, runsLocalBinOnly } from '../npm/local-bin.js';
import type { NpmConfig } from '../npm/npm-config.js';
import { NPX_MARKER, parseNpmArgs } from '../npm/parse-npm-args.js';
import { findRealBinary, type RealBinaryName } from '../run/find-real-binary.js';
import { npmCliScript, runNpmInProcess } from '../run/npm-in-process.js';
import { runPassthrough } from '../run/passthrough.js';
import { neutralize } from '../ui/neutralize.js';
import { exitWith } from './exit.js';

const env = process.env;
const argv = process.argv.slice(2);

function realBinary(name: RealBinaryName): string {
  return findRealBinary(name, { path: env.PATH, skipDirs: [env.SAFE_NPM_SHIM_DIR] });
}

function passthrough(bin: string, args: string[]): Promise<number> {
  return runPassthrough(bin, args, { signals: process });
}

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/** SAFE_NPM_BYPASS=1: one loud line, a log entry, then the real tool with our own flags removed. */
async function bypass(): Promise<number> {
  const viaNpx = argv[0] === NPX_MARKER;
  const tool = viaNpx ? 'npx' : 'npm';
  const rest = viaNpx ? argv.slice(1) : argv;
  process.stderr.write(`safe-npm: SAFE_NPM_BYPASS=1 — running ${tool} unchecked\n`);
  const stateHome = env.XDG_STATE_HOME || (env.HOME ? join(env.HOME, '.local', 'state') : undefined);
  // As root, not in a folder another user can change (sudo -E keeps theirs): a link they put there
  // would have root append to any file. (Imported here: passthrough loads nothing it does not use.)
  const { foreignRootFolder, rootFolderAdvice } = await import('../run/root-own-folder.js');
  const foreign = stateHome ? foreignRootFolder(join(stateHome, 'safe-npm')) : undefined;
  if (foreign) process.stderr.write(`safe-npm: not logged: ${foreign} can be changed by someone other than root; ${rootFolderAdvice('XDG_STATE_HOME', env)}\n`);
  if (stateHome && !foreign) {
    try {
      const dir = join(stateHome, 'safe-npm');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      appendFileSync(
        join(dir, 'bypass.log'),
        `${new Date().toISOString()}\t${process.cwd()}\t${tool}\t${JSON.stringify(rest)}\n`,
        { mode: 0o600 },
      );
    } catch {
      // the log is a courtesy; never fail the command over it
    }
  }
  const end = rest.findIndex((a) => /^-{2,}$/.test(a));
  const args = rest.filter((a, i) => !(a.startsWith('--safe-') && (end === -1 || i < end)));
  return passthrough(realBinary(tool), args);
}

/**
 * Passthrough to the real npm. When it is npm's own JS entry, run it in this process (saves a
 * second node start); SAFE_NPM_SPAWN=1 forces a child process. `undefined`: npm owns the exit code.
 */
async function npmPassthrough(args: string[]): Promise<number | undefined> {
  const realNpm = realBinary('npm');
  const cli = truthy(env.SAFE_NPM_SPAWN) ? undefined : npmCliScript(realNpm);
  if (!cli) return passthrough(realNpm, args);
  runNpmInProcess(cli, args, process);
  return undefined;
}

async function main(): Promise<number | undefined> {
  if (truthy(env.SAFE_NPM_BYPASS)) return bypass();

  const invocation = parseNpmArgs(argv, env, loadNpmTables(), { cwd: process.cwd() });
  for (const w of invocation.warnings) process.stderr.write(`${neutralize(w)}\n`);

  if (invocation.kind === 'passthrough') return npmPassthrough(invocation.npmArgs);
  // `npx <bin>` already installed in the project: npm runs it without installing anything.
  if (runsLocalBinOnly(invocation, process.cwd())) return npmPassthrough(invocation.npmArgs);
  // Next in npm's order, a bin in its global folder (`npx corepack`): npm runs that, installs nothing.
  // Where that folder is takes npm's configuration; the flow reuses it when it is not the case.
  let npmConfig: NpmConfig | undefined;
  if (bareBinName(invocation)) {
    const { loadNpmConfig } = await import('../npm/npm-config.js');
    npmConfig = await loadNpmConfig({ realNpm: realBinary('npm'), npmArgs: invocation.npmArgs, cwd: process.cwd(), env });
    if (runsGlobalBinOnly(invocation, npmConfig.localPrefix, npmConfig.globalPrefix)) return npmPassthrough(invocation.npmArgs);
  }

  // uninstall / prune, and `npm install` in an up-to-date project, in one's own project: npm's own
  // command, in this process, scripts off (the whole flow, vetting, when npm's diff would add
  // anything). Never root's (not even loaded then: root's waits for npm's engine to start).
  if ((invocation.kind === 'reify' || (invocation.kind === 'install' && invocation.specs.length === 0)) && !truthy(env.SAFE_NPM_SPAWN) && process.geteuid?.() !== 0) {
    const { runsInPlace, runInPlace } = await import('./npm-in-place.js');
    const inPlace = runsInPlace(invocation, process.cwd(), env, process.geteuid?.());
    const cli = inPlace ? npmCliScript(realBinary('npm')) : undefined;
    if (inPlace && cli) {
      await runInPlace(invocation, inPlace, cli, { ...env }, process.argv.slice(1), process);
      return undefined;
    }
  }

  if (invocation.kind === 'safe') {
    const { runSafeCommand } = await import('./safe-commands.js');
    return runSafeCommand('npm', invocation.positionals, {
      env,
      cwd: process.cwd(),
      stdout: (t) => void process.stdout.write(t),
      stderr: (t) => void process.stderr.write(t),
      stdoutIsTTY: Boolean(process.stdout.isTTY),
      realTool: () => realBinary('npm'),
    });
  }

  const realNpm = realBinary('npm');
  // npm's engine starts loading now, while the rest of safe-npm loads (when no build user is needed).
  const { startEarlyEngine } = await import('./npm-early-engine.js');
  const early = await startEarlyEngine(invocation, realNpm, env, process.cwd());
  const { runNpmInstallFlow } = await import('./npm-install-flow.js');
  return runNpmInstallFlow(invocation, {
    early,
    npmConfig: npmConfig && { args: invocation.npmArgs, config: npmConfig },
    argv,
    env,
    cwd: process.cwd(),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    realNpm,
  });
}

exitWith('safe-npm', main(), truthy(env.SAFE_NPM_DEBUG));
