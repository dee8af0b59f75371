/**
 * What happens after npm finished: the vetted script replay (issue 3) and exec/npx/init runs.
 * The process, prompts, clock, registry and child processes come in through `AfterInstallDeps`.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SafeError } from '../core/errors.js';
import type { AfterInstallContext, ExecContext } from './npm-session.js';
import { readPackageJson, replayInstallScripts, rootScriptsRun } from './npm-scripts.js';
import { cachedPrefix, execCacheDir, execCacheKey, keepPrefix } from '../npm/exec-cache.js';
import { linkBinsBelow } from '../npm/global-install.js';
import { ensureUserCache, npmEnvFor, withScriptsOff } from '../npm/run-npm-install.js';
import type { NpmConfig } from '../npm/npm-config.js';
import type { RegistryClient } from '../npm/npm-registry.js';
import { locateToolchain, runInstallScripts } from '../npm/scripts/index.js';
import { removeTree, takeBackTree } from '../run/fs-ownership.js';
import type { runCommand } from '../run/run-command.js';
import type { UserAccount } from '../run/users.js';
import { neutralize, neutralizeLines } from '../ui/neutralize.js';
import { shellWord, shellWords } from '../ui/shell-word.js';
import type { Prompts } from '../ui/prompts.js';

export interface AfterInstallDeps {
  stderr(text: string): void;
  /** stderr is a TTY: colours. */
  stderrIsTTY: boolean;
  prompts: Prompts;
  now(): Date;
  /** The user this process runs as (scripts of a self-run install run as them). */
  currentUser(): UserAccount;
  /** The node running safe-npm: the trusted `node` of the script runner. */
  nodePath: string;
  /** $XDG_CACHE_HOME or ~/.cache of the invoking user. */
  cacheHome: string;
  createRegistry(config: NpmConfig, cacheDir: string | undefined): Promise<RegistryClient>;
  asBuildUser<T>(user: UserAccount | undefined, fn: () => Promise<T>): Promise<T>;
  runCommand: typeof runCommand;
  /**
   * The user's own npm exec, vetted, handed to the real npm in this process once the run has closed
   * (no second node start, npm loaded once): the args and the environment to add. Absent: a child.
   */
  handOverExec?(args: string[], env: Record<string, string>): void;
}


export async function afterNpmInstall(context: AfterInstallContext, deps: AfterInstallDeps): Promise<number> {
  const { invocation, mode, config, settings } = context;
  if (invocation.global) return reportGlobalScripts(context, deps);
  const user = buildUserOf(context, deps);
  const str = (key: string) => {
    const v = config.get(key);
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const only = invocation.kind === 'rebuild' ? invocation.specs.map((s) => s.name ?? s.raw) : undefined;
  const includeRoot = rootScriptsRun(invocation);
  let registry: RegistryClient | undefined;
  return replayInstallScripts(
    {
      projectDir: context.projectDir, store: context.store, settings, strict: context.strictScripts,
      project: invocation.ownFlags.project, includeRoot, only, tool: 'safe-npm', freshLocations: context.freshLocations, afterInstall: invocation.kind !== 'rebuild',
      writtenLocations: context.writtenLocations, path: context.env.PATH, command: context.ownCommand,
    },
    {
      interactive: context.interactive,
      color: deps.stderrIsTTY,
      stderr: deps.stderr,
      prompts: deps.prompts,
      now: deps.now,
      async publishedAt(name, version) {
        registry ??= await deps.createRegistry(config, context.cacheDir);
        const asUser = mode.kind === 'self' ? undefined : mode.user;
        const r = await deps.asBuildUser(asUser, () => registry!.packument(name));
        const t = r.ok ? r.packument.time?.[version] : undefined;
        return t ? new Date(t) : undefined;
      },
      runInstallScripts,
      runnerDeps: () => ({
        user,
        settings,
        toolchain: locateToolchain({ node: deps.nodePath, npmCli: npmCliOf(context.realNpm, deps.nodePath) }),
        npmConfig: { nodedir: str('nodedir'), python: str('python'), cafile: str('cafile'), userAgent: str('user-agent') },
        parentEnv: context.env,
        cacheDir: scriptCacheFor(user, settings.cacheRoot, mode.kind === 'self' ? deps.cacheHome : undefined),
        interrupts: context.interrupts,
      }),
    },
  );
}

/**
 * Global packages get no script replay (there is no project to pin approvals to): their install
 * scripts are listed, not run. Most work without (esbuild does); others need a local install.
 */
function reportGlobalScripts(context: AfterInstallContext, deps: AfterInstallDeps): number {
  const lib = join(context.config.globalPrefix, 'lib', 'node_modules');
  for (const spec of context.invocation.specs) {
    const name = spec.name ?? spec.registryName;
    if (!name) continue;
    try {
      const pkg = JSON.parse(readFileSync(join(lib, name, 'package.json'), 'utf8')) as { version?: string; scripts?: Record<string, string> };
      const events = ['preinstall', 'install', 'postinstall'].filter((e) => pkg.scripts?.[e]);
      if (events.length) {
        deps.stderr(`safe-npm: ${neutralize(`${name}@${pkg.version} was installed globally without running its install scripts (${events.map((e) => `${e}: ${pkg.scripts![e]}`).join('; ')})`)}\n`);
      }
    } catch {
      // not installed under that name (aliases, failures): nothing to say
    }
  }
  return 0;
}

/**
 * npm's own npm-cli.js for the script runner: the one behind the real npm on PATH; when that is a
 * wrapper script, the npm next to node, else the system's. A node that is not the system's (Node 22
 * from the \`node\` package, a smoke run) has no npm beside it: the install crashed after npm had
 * written the project (70). Undefined: none found (locateToolchain says so).
 */
function npmCliOf(realNpm: string, nodePath: string): string | undefined {
  try {
    const path = realpathSync(realNpm);
    if (path.endsWith('npm-cli.js')) return path;
  } catch {
    /* not there: the other places */
  }
  const beside = (node: string) => {
    try {
      return join(dirname(realpathSync(node)), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
    } catch {
      return undefined;
    }
  };
  const candidates = [beside(nodePath), '/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js'];
  return candidates.find((c): c is string => c !== undefined && existsSync(c));
}

/**
 * Who runs approved scripts: never root, and never the install identity whose npm cache root's
 * installs read (root-owned projects get the script identity; a user's project, its owner).
 */
function buildUserOf(context: AfterInstallContext, deps: AfterInstallDeps): UserAccount {
  if (context.mode.kind !== 'self') return context.mode.scriptUser;
  return deps.currentUser();
}

/** A persistent folder for the build user's HOME, npm cache and node-gyp headers while scripts run. */
function scriptCacheFor(user: UserAccount, cacheRoot: string, selfCacheHome: string | undefined): string {
  if (selfCacheHome !== undefined) {
    const dir = join(selfCacheHome, 'safe-npm', 'scripts');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
  return ensureUserCache(cacheRoot, user, 'scripts');
}

/**
 * exec / npx / init <initializer>. The package is checked (before this) and installed with scripts
 * off; its bin then runs as the invoking user, because running it is what the user asked for.
 * Not root: npm exec itself, with scripts off. Root: the install runs as the build user into a private
 * prefix that is then handed to root, and the bin runs from there as root.
 */
export async function runNpmExec(context: ExecContext, deps: Pick<AfterInstallDeps, 'stderr' | 'runCommand' | 'handOverExec'>): Promise<number> {
  const { invocation, mode } = context;
  const { env, cwd, realNpm: real } = context;
  if (mode.kind === 'self') {
    // npm exec runs what the user asked for, in the foreground: signals are its own.
    context.interrupts.dispose();
    if (deps.handOverExec) {
      deps.handOverExec(withScriptsOff(context.npmArgs), { npm_config_ignore_scripts: 'true' });
      return 0;
    }
    const { exitCode } = await deps.runCommand([real, withScriptsOff(context.npmArgs)], { cwd, env: { ...env, npm_config_ignore_scripts: 'true' } });
    return exitCode;
  }
  const user = mode.user;
  const packages = invocation.exec?.packages ?? [];
  // What was vetted (`name@version`), after any did-you-mean the user took; else the specs as typed.
  const installing = context.installSpecs ?? packages.map((p) => ({ spec: p.raw, name: p.registryName ?? p.name }));
  const specs = installing.map((p) => p.spec);
  // Exact versions installed before are run from where they were kept (as npx reuses its cache).
  const cache = execCacheDir(env, 0);
  const key = cache ? execCacheKey(specs, String(context.config.flat.registry ?? '')) : undefined;
  const kept = cache && key ? cachedPrefix(cache, key) : undefined;
  const area = kept ? undefined : mkdtempSync(join(tmpdir(), 'safe-npm-exec-'));
  const unregister = area ? context.interrupts.onInterrupt(() => removeTree(area)) : () => {};
  try {
    let prefix = kept ?? join(area!, 'prefix');
    if (area) {
      chmodSync(area, 0o755);
      const home = join(area, 'home');
      mkdirSync(prefix);
      mkdirSync(home);
      chownSync(prefix, user.uid, user.gid);
      chownSync(home, user.uid, user.gid);
      const installEnv = npmEnvFor({ env }, user, { HOME: home, ...(context.cacheDir ? { npm_config_cache: context.cacheDir } : {}) });
      // A folder is linked, and npm's bin linker would chmod its bin, which the build user cannot in
      // a folder of root's (EPERM): its bins are linked below, by root, as root's plain npx does.
      const folders = packages.some((p) => p.type === 'directory');
      // Saved (the prefix's own package.json): it names what a tarball or folder turned out to be.
      const install = await deps.runCommand(
        [real, withScriptsOff(['install', '--prefix', prefix, '--no-package-lock', '--no-audit', '--no-fund', ...specs])],
        // npx prints only what the command prints: npm's own install output is kept for failures.
        { cwd: prefix, env: folders ? { ...installEnv, npm_config_bin_links: 'false' } : installEnv, uid: user.uid, gid: user.gid, stdio: 'pipe', detached: true, interrupts: context.interrupts },
      );
      if (install.exitCode !== 0) {
        deps.stderr(neutralizeLines(install.stderr || install.stdout));
        return install.exitCode;
      }
      // What npx says of an install besides the command's output: its deprecation warnings.
      for (const line of (install.stderr ?? '').split('\n')) if (line.startsWith('npm warn deprecated ')) deps.stderr(`${neutralize(line)}\n`);
      takeBackTree(prefix, 0, 0);
      if (folders) await linkBinsBelow(join(prefix, 'node_modules'));
      if (cache && key) prefix = keepPrefix(cache, key, prefix);
    }
    const binDir = join(prefix, 'node_modules', '.bin');
    const command = invocation.exec?.command ?? defaultBin(prefix, installing[0]?.name ?? packages[0]?.registryName ?? packages[0]?.name ?? onlySaved(prefix));
    if (!command) {
      // Named the way the user ran it: npx takes -p, npm exec --package= and the command after --.
      const pkg = packages[0]?.raw ?? '<package>';
      // Exit 1, as npm's own "could not determine executable to run" exits.
      throw new SafeError(`could not determine which command to run; name it: ${invocation.viaNpx ? `npx -p ${pkg} <command>` : `${context.ownCommand ?? 'safe-npm'} exec --package=${pkg} -- <command>`}`, 1);
    }
    // Through the shell, as npm exec runs it (libnpmexec: `-c` is a shell string, the arguments
    // follow quoted; a bin path is quoted too): `-c 'echo hi; exit 5'` ran nothing and exited 1, and a
    // command that is not there said nothing (the shell's "not found", 127, as with npm).
    const args = invocation.exec?.args ?? [];
    const script = invocation.exec?.call
      ? [command, ...args.map(shellWord)].join(' ')
      : shellWords([existsSync(join(binDir, command)) ? join(binDir, command) : command, ...args]);
    // What the user asked to run, in the foreground: signals are its own from here on.
    context.interrupts.dispose();
    const { exitCode } = await deps.runCommand(['/bin/sh', ['-c', script]], {
      cwd,
      env: { ...env, PATH: `${binDir}:${env.PATH ?? ''}` },
    });
    return exitCode;
  } finally {
    unregister();
    if (area) removeTree(area);
  }
}

/**
 * A tarball or folder named without -p: what it is called is known once installed, from the name
 * npm saved for it in the prefix's package.json (npm exec reads the same from its manifest).
 */
function onlySaved(prefix: string): string | undefined {
  const names = Object.keys((readPackageJson(prefix) as { dependencies?: object }).dependencies ?? {});
  return names.length === 1 ? names[0] : undefined;
}

/** npm exec's rule: the only bin, or the bin named after the package (without scope). */
function defaultBin(prefix: string, name: string | undefined): string | undefined {
  if (!name) return undefined;
  const pkgPath = join(prefix, 'node_modules', name, 'package.json');
  if (!existsSync(pkgPath)) return undefined;
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin?: string | Record<string, string> };
  const short = name.split('/').pop()!;
  if (typeof pkg.bin === 'string') return short;
  const bins = Object.keys(pkg.bin ?? {});
  if (bins.length === 1) return bins[0];
  return bins.includes(short) ? short : undefined;
}
