/**
 * The last stages of safe-npm: install exactly what was vetted (npm's engine reifies the vetted tree,
 * or the real npm runs with scripts off as the build user), replay the approved scripts, run the
 * user's tests (install-test), or run the bin (exec).
 */
import { inspect } from 'node:util';
import { ExitCode } from '../core/exit-codes.js';
import { exitCodeForSignal } from '../run/passthrough.js';
import type { NpmInvocation, NpmSpecRequest } from '../npm/npm-invocation.js';
import { npmFacts } from '../npm/npm-facts.js';
import { isLocalSpec, localSpecAt } from '../npm/local-spec.js';
import type { RegistryClient } from '../npm/npm-registry.js';
import type { NpmInstallJob } from '../npm/run-npm-install.js';
import type { NpmSession } from './npm-session.js';
import { afterInstallContext } from './npm-who.js';
import { changedEntries } from './whole-tree.js';
import { registryFault } from '../npm/registry-faults.js';
import { neutralize, neutralizeLines, terminalSafeJson } from '../ui/neutralize.js';

/**
 * What an install wrote, for the script replay: `fresh` = asked about when unreviewed, `written` =
 * whose approved scripts run (undefined: every package, as after npm ci).
 */
export interface Written {
  fresh?: Set<string>;
  written?: Set<string>;
  /** npm audit fix: vulnerabilities left at the audit level end the command with npm's exit code (1). */
  exitCode?: number;
}

/** Said after the interrupt line when the install was already written (only scripts were left). */
export function installedBeforeInterrupt(ownCommand: string): string {
  return `the install itself had completed: the project has the new packages (approved install scripts that had not run yet, if any, did not: ${ownCommand} rebuild runs them)`;
}

function settleInstalled(s: NpmSession): void {
  if (s.config.get('dry-run') !== true) s.deps.interrupts.settled(installedBeforeInterrupt(s.deps.ownCommand));
}

/**
 * npm finished while an interrupt was stopping us: the interrupt line was the last word, so no
 * summary of npm's follows it and nothing more runs (no script replay); only, when it wrote, that it did.
 */
function endedByInterrupt(s: NpmSession, installed: boolean): number | undefined {
  const signal = s.deps.interrupts.received();
  if (signal === undefined) return undefined;
  if (installed) settleInstalled(s);
  return exitCodeForSignal(signal);
}

/** npm's engine writes the tree it resolved and we vetted (only `changed` is touched); npm's own summary line. */
export async function installTree(s: NpmSession, changed: Set<string> | undefined): Promise<Written | number> {
  const { deps } = s;
  // What npm wrote is also read before and after: uninstall / prune re-install what is missing, and a
  // linked folder (`install ../x`) is no vetted package but is written (its scripts are this run's).
  const ci = s.inv.kind === 'ci' || s.inv.kind === 'install-ci-test';
  const before = ci ? undefined : deps.installedEntries(s.projectDir);
  const loglevel = String(s.config.get('loglevel') ?? 'notice');
  const warns = loglevel !== 'silent' && loglevel !== 'error';
  // npm's warning for --force, said as it loads (lib/npm.js): its engine alone does not say it.
  if (s.config.get('force') === true && warns) deps.stderr('npm warn using --force Recommended protections disabled.\n');
  const result = await s.tree!.install(() => settleInstalled(s));
  s.tree = undefined;
  deps.mark?.('tree installed');
  const interrupted = endedByInterrupt(s, result.exitCode === 0);
  if (interrupted !== undefined) return interrupted;
  if (result.exitCode !== 0) {
    // A tarball the registry broke, cut short or swapped: nothing was installed as vetted (68).
    const fault = registryFault({ code: result.code, message: result.error }, 'tarball', String(s.config.flat.registry ?? ''));
    deps.stderr(`safe-npm: ${fault ? neutralize(fault) : `npm could not install the vetted tree: ${neutralize(String(result.error))}`}\nsafe-npm: nothing was changed\n`);
    return fault ? ExitCode.couldNotVerify : result.exitCode;
  }
  settleInstalled(s);
  // npm's own warning for each deprecated package it wrote (shown at npm's default loglevel and above).
  if (warns) for (const line of result.deprecations ?? []) deps.stderr(`npm warn deprecated ${neutralize(line)}\n`);
  // As npm's reify-output: nothing with --silent; the summary object with --json; else each change
  // listed for --dry-run and --long, then the line. (Audit is off: "audited" is 0, as npm says then.)
  if (s.config.get('loglevel') === 'silent') {
    // npm prints nothing
  } else if (result.audit?.error) {
    // npm audit fix whose audit endpoint failed: the fix (none) is written, then npm's error instead of
    // a summary (with --json, the error's fields as an object; lib/utils/audit-error.js).
    const { body, message, fields } = result.audit.error;
    const { message: m, method, uri, headers, statusCode } = fields;
    // npm's own error object follows, merged in (lib/utils/output-error.js: a thrown string has no summary).
    deps.stdout(s.config.get('json') === true
      ? `${terminalSafeJson(JSON.stringify({ message: m, method, uri, headers, statusCode, body, error: { summary: '', detail: '' } }, null, 2))}\n`
      : neutralizeLines(`${typeof body === 'string' ? body : inspect(body)}\n`));
    deps.stderr(`npm warn audit ${neutralize(message)}\nnpm error audit endpoint returned an error\n`);
  } else if (s.config.get('json') === true) {
    const lists = result.summary ?? { add: [], change: [], remove: [], funding: 0 };
    const summary = { add: lists.add, added: result.added, audited: result.audit?.audited ?? 0, change: lists.change, changed: result.changed, funding: s.config.get('fund') === false ? 0 : lists.funding, remove: lists.remove, removed: result.removed };
    // audit fix: the report of what is left, as npm prints it after the summary's own fields.
    // The registry's text (advisory titles) as \u escapes where it would steer a terminal: the same data.
    deps.stdout(`${terminalSafeJson(JSON.stringify(result.audit?.json !== undefined ? { ...summary, audit: result.audit.json } : summary, null, 2))}\n`);
  } else {
    const diffLines = result.diffLines ?? [];
    if (diffLines.length && (s.config.get('dry-run') === true || s.config.get('long') === true)) deps.stdout(neutralizeLines(`${diffLines.join('\n')}\n`));
    // npm's figure is the whole command, from the moment it started.
    deps.stdout(`\n${installSummary({ ...result, audited: result.audit?.audited ?? 0 })} in ${npmDuration(deps.now().getTime() - deps.startedAt)}\n`);
    // As npm's reify-output: the packages looking for funding, unless --no-fund; audit fix's report.
    const funding = result.summary?.funding ?? 0;
    if (funding > 0 && s.config.get('fund') !== false) deps.stdout(`\n${funding} ${funding === 1 ? 'package is' : 'packages are'} looking for funding\n  run \`npm fund\` for details\n`);
    if (result.audit?.report) deps.stdout(neutralizeLines(`\n${result.audit.report}\n`));
  }
  const auditExit = result.audit?.exitCode ? { exitCode: result.audit.exitCode } : {};
  // npm ci writes its whole tree anew: every approved script replays.
  if (!before) return { fresh: changed, written: undefined, ...auditExit };
  const written = changedEntries(before, deps.installedEntries(s.projectDir));
  for (const location of changed ?? []) written.add(location);
  return { fresh: written, written, ...auditExit };
}

/**
 * The real npm, scripts off, as the build user (ci, -g, --no-save, uninstall…); its output as it
 * printed it. What it wrote is read from npm's hidden lockfile before and after (npm ci: everything).
 */
export async function runNpmItself(s: NpmSession, changed: Set<string> | undefined, handOverWhen?: Promise<boolean>): Promise<Written | number> {
  const { deps, inv } = s;
  const local = !inv.global;
  const before = local ? deps.installedEntries(s.projectDir) : undefined;
  const result = await deps.runNpmInstall({ ...installJob(s), ...(handOverWhen ? { handOverWhen } : {}) });
  // The tree was not passed: the caller says why and ends the run.
  if (result.withheld) return ExitCode.blocked;
  const interrupted = endedByInterrupt(s, result.exitCode === ExitCode.ok);
  if (interrupted !== undefined) return interrupted;
  if (result.output && !result.error) {
    deps.stdout(neutralizeLines(result.output.stdout));
    deps.stderr(neutralizeLines(result.output.stderr));
  }
  if (result.error) deps.stderr(`safe-npm: ${neutralize(result.error)}\n`);
  if (result.note) deps.stderr(`safe-npm: ${neutralize(result.note)}\n`);
  if (result.exitCode !== ExitCode.ok) return result.exitCode;
  settleInstalled(s);
  if (!before || inv.kind === 'ci' || inv.kind === 'install-ci-test') return { fresh: changed };
  const written = changedEntries(before, deps.installedEntries(s.projectDir));
  return { fresh: written, written };
}

function installJob(s: NpmSession): NpmInstallJob {
  return {
    realNpm: s.deps.realNpm,
    // npm runs where it must (the project root, root's private prefix), not where the command was
    // typed: a folder or tarball typed relative (`-g .`, `../x.tgz` from a subfolder) is given by the
    // absolute path that was vetted.
    args: withAbsolutePaths(s.npmArgs, s.inv),
    projectDir: s.projectDir,
    globalPrefix: s.config.globalPrefix,
    globalPackages: s.inv.global ? globalPackagesOf(s.inv) : undefined,
    localFolders: s.inv.specs.filter(isLocalSpec).map((sp) => sp.fetchSpec),
    linkFolders: s.inv.command === 'link' && !s.inv.global && s.inv.specs.some((sp) => sp.type === 'directory'),
    force: s.config.get('force') === true,
    env: s.deps.env,
    userconfigPath: s.config.userconfigPath,
    cacheDir: s.cacheDir,
    mode: s.mode,
    interrupts: s.deps.interrupts,
  };
}

/**
 * The installed global packages an `uninstall -g` or `update -g` works on (all of them for a bare
 * `update -g`): as root, npm runs on a private prefix, where they are staged first.
 */
function globalPackagesOf(inv: NpmInvocation): string[] | 'all' | undefined {
  const nameOf = (arg: string) => (arg.lastIndexOf('@') > 0 ? arg.slice(0, arg.lastIndexOf('@')) : arg);
  if (inv.command === 'uninstall') return inv.positionals.map(nameOf);
  if (inv.command === 'update') return inv.specs.length ? inv.specs.map((spec) => spec.name ?? nameOf(spec.raw)) : 'all';
  return undefined;
}

/** Stage "after install": the vetted script replay (only what this run wrote runs or is asked about). */
export async function replayScripts(s: NpmSession, written?: Written): Promise<number> {
  if (!s.deps.afterInstall) return ExitCode.ok;
  s.deps.mark?.('install done');
  return s.deps.afterInstall(afterInstallContext(s, written));
}

/** install-test / install-ci-test: the tests are the user's own code, run as the user asked (lock freed first). */
export async function runTests(s: NpmSession): Promise<number> {
  await s.lock?.release();
  s.lock = undefined;
  return s.deps.runNpmTest!(s.projectDir);
}

/**
 * exec/npx/init: the checked package's bin, as the invoking user. As the user, npm exec itself
 * installs it (and asks its own "Ok to proceed?"); as root we install it, so npm's question is ours:
 * asked at a terminal unless `--yes`, and said as npm's warning without one.
 */
export async function runExec(s: NpmSession, opts: { asInvoker?: boolean } = {}): Promise<number> {
  const { deps } = s;
  // Root's exec installs in a private prefix: a folder or tarball goes by the path that was vetted.
  const typed = (spec: string) => s.inv.exec?.packages.find((p) => p.raw === spec);
  const installSpecs = s.specs.map((spec) => s.vetted?.get(spec) ?? { spec: typed(spec) ? absoluteSpec(typed(spec)!) : spec });
  // asInvoker: npm installs nothing (a global bin): its own exec runs, as whoever invoked us.
  const mode = opts.asInvoker ? { kind: 'self' as const } : s.mode;
  // Kept from an earlier run (root's cache of exact versions): nothing to install, nothing to ask.
  const kept = mode.kind !== 'self' && Boolean(deps.execTreeKept?.(installSpecs.map((p) => p.spec), String(s.config.flat.registry ?? '')));
  if (mode.kind !== 'self' && !kept && s.config.get('yes') !== true && s.specs.length > 0) {
    const missing = installSpecs.map((p) => neutralize(p.spec));
    if (deps.interactive) {
      const proceed = await deps.prompts.confirm(`Need to install the following packages:\n${missing.map((m) => `  ${m}`).join('\n')}\nOk to proceed?`, true);
      if (!proceed) {
        deps.stderr('npm error canceled\n');
        return 1;
      }
    } else {
      deps.stderr(`npm warn exec The following package${missing.length > 1 ? 's were' : ' was'} not found and will be installed: ${missing.join(', ')}\n`);
    }
  }
  return deps.runExec!({
    invocation: s.inv, realNpm: deps.realNpm, env: deps.env, cwd: deps.cwd, npmArgs: s.npmArgs,
    mode, config: s.config, settings: s.settings, cacheDir: s.cacheDir, interrupts: deps.interrupts, installSpecs,
    ownCommand: deps.ownCommand,
  });
}

/**
 * exec/npx with npm's `yes` false (`npx --no`, npm_config_yes=false): npm installs nothing then. As
 * the user, npm exec itself runs what is already there (or refuses); as root, where we would have to
 * install it, we refuse in npm's words (exit 1), naming each package as npm does (name@version) —
 * unless exactly those were kept from an earlier run, or none is named ('kept': the run goes on,
 * vetted, installing nothing).
 */
export async function execWithoutInstalling(s: NpmSession, registry: RegistryClient | undefined): Promise<number | 'kept'> {
  if (s.mode.kind === 'self' && s.deps.runExec) return runExec(s);
  const defaultTag = String(s.config.get('tag') ?? 'latest');
  const named = async (p: NpmSpecRequest): Promise<string> => {
    if (!p.fromRegistry || !p.registryName || !registry) return p.raw;
    // As the build user, like every fetch of the checks: the cache it fills stays usable by npm's engine.
    const found = await s.deps.asBuildUser(s.buildUser, () => registry.packument(p.registryName!)).catch(() => undefined);
    const version = found && npmFacts(p, found, { defaultTag }).version;
    return version ? `${p.registryName}@${version}` : p.raw;
  };
  const missing = await Promise.all((s.inv.exec?.packages ?? []).map(named));
  // Nothing to install (`npx -c 'echo hi'`): npm runs the command whatever `yes` says; so do we.
  if (missing.length === 0) return 'kept';
  // As npx runs what its cache holds: root's kept prefix of these exact versions needs no install.
  if (missing.length > 0 && s.deps.execTreeKept?.(missing, String(s.config.flat.registry ?? ''))) return 'kept';
  // npm's own error, as npm prints it (libnpmexec's words; no log file was written: no second line).
  s.deps.stderr(`npm error npx canceled due to missing packages and no YES option: ${neutralize(JSON.stringify(missing))}\n`);
  return 1;
}

/** npm's own wording (lib/utils/reify-output.js, no audit): "added 3 packages, and removed 1 package". */
export function installSummary({ added, removed, changed, audited = 0 }: { added: number; removed: number; changed: number; audited?: number }): string {
  // npm's packagesChangedMessage (lib/utils/reify-output.js), word for word.
  const part = (n: number, verb: string) => `${verb} ${n} package${n === 1 ? '' : 's'}`;
  let text: string;
  if (!added && !removed && !changed) {
    text = `up to date${audited ? ', ' : ''}`;
  } else {
    text = added ? part(added, 'added') : '';
    if (removed) text += `${added ? ', ' : ''}${added && !audited && !changed ? 'and ' : ''}${part(removed, 'removed')}`;
    if (changed) text += `${added || removed ? ', ' : ''}${!audited && (added || removed) ? 'and ' : ''}${part(changed, 'changed')}`;
    if (audited) text += ', and ';
  }
  return audited ? `${text}${part(audited, 'audited')}` : text;
}

/** A duration as npm prints it (the `ms` package's short form): "450ms", "2s", "1m". */
export function npmDuration(ms: number): string {
  const units: Array<[number, string]> = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'm'], [1000, 's']];
  for (const [size, unit] of units) if (Math.abs(ms) >= size) return `${Math.round(ms / size)}${unit}`;
  return `${Math.round(ms)}ms`;
}

/** The user's npm argv with the command word replaced (install-ci-test → ci: the tests run separately). */
export function replaceCommand(npmArgs: string[], invocation: NpmInvocation, command: string): string[] {
  const at = npmArgs.indexOf(invocation.typedCommand ?? '');
  return at < 0 ? npmArgs : [...npmArgs.slice(0, at), command, ...npmArgs.slice(at + 1)];
}

/** The argv with each folder or tarball spec as an absolute `file:` path (aliases keep their name). */
export function withAbsolutePaths(npmArgs: readonly string[], inv: Pick<NpmInvocation, 'specs' | 'positionalIndexes'>): string[] {
  const out = [...npmArgs];
  inv.specs.forEach((spec, k) => {
    const at = inv.positionalIndexes?.[k];
    if (at !== undefined && out[at] === spec.raw) out[at] = absoluteSpec(spec);
  });
  return out;
}

/**
 * A folder or tarball spec by the absolute path it was parsed (and vetted) at — `../x.tgz`, `.`,
 * `~/x` — for an npm that runs elsewhere; any other spec as typed.
 */
export function absoluteSpec(spec: NpmSpecRequest): string {
  return isLocalSpec(spec) ? localSpecAt(spec, spec.fetchSpec) : spec.raw;
}
