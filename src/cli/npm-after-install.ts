/** What happens after npm finished: the vetted script replay (issue 3) and exec/npx/init runs. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chownSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AfterInstallContext, ExecContext } from '../flow/npm-install.js';
import { UsageError } from '../core/errors.js';
import { runCommand } from '../run/run-command.js';
import { takeBackTree } from '../run/fs-ownership.js';
import { npmEnvFor, withScriptsOff } from '../npm/run-npm-install.js';

export async function afterNpmInstall(_context: AfterInstallContext): Promise<number> {
  return 0;
}

/**
 * exec / npx / init <initializer>. The package is checked (before this) and installed with scripts
 * off; its bin then runs as the invoking user, because running it is what the user asked for.
 * Not root: npm exec itself, with scripts off. Root: the install runs as the build user into a private
 * prefix that is then handed to root, and the bin runs from there as root.
 */
export async function runNpmExec(context: ExecContext): Promise<number> {
  const { invocation, mode } = context;
  const { env, cwd, realNpm: real } = context;
  if (mode.kind === 'self') {
    const { exitCode } = await runCommand([real, withScriptsOff(context.npmArgs)], { cwd, env: { ...env, npm_config_ignore_scripts: 'true' } });
    return exitCode;
  }
  const user = mode.user;
  const packages = invocation.exec?.packages ?? [];
  const area = mkdtempSync(join(tmpdir(), 'safe-npm-exec-'));
  try {
    chmodSync(area, 0o755);
    const prefix = join(area, 'prefix');
    const home = join(area, 'home');
    mkdirSync(prefix);
    mkdirSync(home);
    chownSync(prefix, user.uid, user.gid);
    chownSync(home, user.uid, user.gid);
    const installEnv = npmEnvFor({ env }, user, { HOME: home, ...(context.cacheDir ? { npm_config_cache: context.cacheDir } : {}) });
    const specs = packages.map((p) => p.raw);
    const install = await runCommand(
      [real, withScriptsOff(['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', ...specs])],
      { cwd: prefix, env: installEnv, uid: user.uid, gid: user.gid },
    );
    if (install.exitCode !== 0) return install.exitCode;
    takeBackTree(prefix, 0, 0);
    const binDir = join(prefix, 'node_modules', '.bin');
    const command = invocation.exec?.command ?? defaultBin(prefix, packages[0]?.registryName ?? packages[0]?.name);
    if (!command) {
      throw new UsageError('could not determine which command to run; name it: npx -p <package> <command>');
    }
    const bin = existsSync(join(binDir, command)) ? join(binDir, command) : command;
    const { exitCode } = await runCommand([bin, invocation.exec?.args ?? []], {
      cwd,
      env: { ...env, PATH: `${binDir}:${env.PATH ?? ''}` },
    });
    return exitCode;
  } finally {
    rmSync(area, { recursive: true, force: true });
  }
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
