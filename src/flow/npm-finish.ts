/**
 * The last stages of safe-npm: install exactly what was vetted (npm's engine reifies the vetted tree,
 * or the real npm runs with scripts off as the build user), replay the approved scripts, run the
 * user's tests (install-test), or run the bin (exec).
 */
import { ExitCode } from '../core/exit-codes.js';
import type { NpmInvocation } from '../npm/npm-invocation.js';
import type { NpmInstallJob } from '../npm/run-npm-install.js';
import type { NpmSession } from './npm-session.js';
import { afterInstallContext } from './npm-who.js';

/** npm's engine writes the tree it resolved and we vetted; npm's own summary line on success. */
export async function installTree(s: NpmSession): Promise<number> {
  const { deps } = s;
  const started = Date.now();
  const result = await s.tree!.install();
  s.tree = undefined;
  deps.mark?.('tree installed');
  if (result.exitCode !== 0) {
    deps.stderr(`safe-npm: npm could not install the vetted tree: ${result.error}\nsafe-npm: nothing was changed\n`);
    return result.exitCode;
  }
  deps.stdout(`${installSummary(result)} in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  return ExitCode.ok;
}

/** The real npm, scripts off, as the build user (ci, -g, --no-save, uninstall…); its output as it printed it. */
export async function runNpmItself(s: NpmSession): Promise<number> {
  const { deps } = s;
  const result = await deps.runNpmInstall(installJob(s));
  if (result.output && !result.error) {
    deps.stdout(result.output.stdout);
    deps.stderr(result.output.stderr);
  }
  if (result.error) deps.stderr(`safe-npm: ${result.error}\n`);
  return result.exitCode;
}

function installJob(s: NpmSession): NpmInstallJob {
  return {
    realNpm: s.deps.realNpm,
    args: s.npmArgs,
    projectDir: s.projectDir,
    globalPrefix: s.config.globalPrefix,
    force: s.config.get('force') === true,
    env: s.deps.env,
    userconfigPath: s.config.userconfigPath,
    cacheDir: s.cacheDir,
    mode: s.mode,
    interrupts: s.deps.interrupts,
  };
}

/** Stage "after install": the vetted script replay (only what this run installed is asked about). */
export async function replayScripts(s: NpmSession, freshLocations?: Set<string>): Promise<number> {
  if (!s.deps.afterInstall) return ExitCode.ok;
  s.deps.mark?.('install done');
  return s.deps.afterInstall(afterInstallContext(s, freshLocations));
}

/** install-test / install-ci-test: the tests are the user's own code, run as the user asked (lock freed first). */
export async function runTests(s: NpmSession): Promise<number> {
  await s.lock?.release();
  s.lock = undefined;
  return s.deps.runNpmTest!(s.projectDir);
}

/** exec/npx/init: the checked package's bin, as the invoking user. */
export function runExec(s: NpmSession): Promise<number> {
  const { deps } = s;
  return deps.runExec!({
    invocation: s.inv, realNpm: deps.realNpm, env: deps.env, cwd: deps.cwd, npmArgs: s.npmArgs,
    mode: s.mode, config: s.config, settings: s.settings, cacheDir: s.cacheDir, interrupts: deps.interrupts,
  });
}

/** npm's own wording: "added 3 packages, removed 1 package, changed 2 packages". */
export function installSummary(counts: { added: number; removed: number; changed: number }): string {
  const part = (n: number, verb: string) => `${verb} ${n} package${n === 1 ? '' : 's'}`;
  const parts = [
    ...(counts.added ? [part(counts.added, 'added')] : []),
    ...(counts.removed ? [part(counts.removed, 'removed')] : []),
    ...(counts.changed ? [part(counts.changed, 'changed')] : []),
  ];
  return parts.length ? parts.join(', ') : 'up to date';
}

/** The user's npm argv with the command word replaced (install-ci-test → ci: the tests run separately). */
export function replaceCommand(npmArgs: string[], invocation: NpmInvocation, command: string): string[] {
  const at = npmArgs.indexOf(invocation.typedCommand ?? '');
  return at < 0 ? npmArgs : [...npmArgs.slice(0, at), command, ...npmArgs.slice(at + 1)];
}
