import { chmodSync, chownSync, closeSync, realpathSync, constants as fsConstants, existsSync, fchmodSync, fchownSync, fstatSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../../config/settings.js';
import { ExitCode } from '../../core/exit-codes.js';
import { Blocked } from '../../core/errors.js';
import { closedFolderAt, firstClosedFolder } from '../../run/can-enter.js';
import { isRoot, ownerOf, type UserAccount } from '../../run/users.js';
import { buildScriptEnv, type NpmBuildConfig, type Toolchain } from './env.js';
import type { PlannedStep, RunPlan, WithheldScript } from './order.js';
import { findWindowTools, throughWindow, windowedCommand, windowFits, type ProjectWindow, type WindowTools } from './project-window.js';
import { bwrapArgs, chooseSandbox, containedCommand, containInit, findBwrap, findContainTools, LEFTOVER_MARKER, type ContainTools, type SandboxChoice } from './sandbox.js';
import type { Interrupts } from '../../run/interrupts.js';
import { spawnScript, type SpawnScript } from './spawn-script.js';
import { createShimDir } from './toolchain.js';
import type { ScriptCandidate, ScriptEvent } from './types.js';
import { removeTree } from '../../run/fs-ownership.js';
import { shellWord } from '../../ui/shell-word.js';
import { asUserSync } from '../../run/effective-user.js';

export interface RunnerDeps {
  /** The unprivileged build user scripts run as (never uid 0). */
  user: UserAccount;
  /** Who owns the package folders afterwards (default: the owner of the project folder). */
  projectOwner?: { uid: number; gid: number };
  settings: Pick<Settings, 'scriptTimeoutSeconds' | 'sandbox'>;
  /** Trusted node/npm/node-gyp (locateToolchain()); the shim dir is created per run. */
  toolchain: Omit<Toolchain, 'shimDir'>;
  /** The invoking user's npm build settings (nodedir, python, cafile, user agent). */
  npmConfig?: NpmBuildConfig;
  /** The invoking environment: only allow-listed, non-secret names are read. */
  parentEnv: Record<string, string | undefined>;
  /** Persistent folder for the build user: HOME (<cacheDir>/home), npm cache, node-gyp devdir. */
  cacheDir: string;
  /** One line of output (script output is prefixed `[name@version event]`). */
  print: (line: string) => void;
  /** Withheld scripts make the exit code 67 (scriptsWithheld). */
  strict?: boolean;
  /** bwrap binary; undefined = look in system locations; null = behave as if missing. */
  bwrap?: string | null;
  spawn?: SpawnScript;
  /** Effective uid of this process (default: detected). */
  currentUid?: number;
  /** On an interrupt the running script is stopped and its folder handed back before we exit. */
  interrupts?: Interrupts;
  /** unshare/setpriv for a pid namespace per script without bwrap; undefined = look; null = none. */
  contain?: ContainTools | null;
  /** safe-npm as the user typed it (`npm` through the shim), for the commands a notice suggests. */
  command?: string;
  /** util-linux tools for a project under a folder the script user cannot enter; undefined = look; null = none. */
  windowTools?: WindowTools | null;
}

export interface EventOutcome {
  event: ScriptEvent;
  exitCode: number | null;
  signal?: string | null;
  timedOut?: boolean;
  durationMs: number;
}

export interface StepOutcome {
  candidate: ScriptCandidate;
  events: EventOutcome[];
  /** For failures: the failing event and the last lines of its output. */
  failedEvent?: ScriptEvent;
  tail?: string[];
  error?: string;
}

export interface RunResult {
  ran: StepOutcome[];
  failed: StepOutcome[];
  skippedBecauseDependencyFailed: Array<{ candidate: ScriptCandidate; failedDependency: string }>;
  withheld: WithheldScript[];
  exitCode: number;
  /** Said once: sandbox missing, cycle breaks, ... */
  notices: string[];
  sandboxed: boolean;
}

const TAIL_LINES = 20;

function label(c: ScriptCandidate, event?: string): string {
  return `[${c.name}@${c.version}${event ? ` ${event}` : ''}]`;
}

/** Paths under `dir` (itself included), not descending into `dir/node_modules` when `skipNested`. */
function walk(dir: string, skipNested: boolean): string[] {
  const out: string[] = [dir];
  const visit = (d: string, top: boolean) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      if (top && skipNested && n === 'node_modules') continue;
      const p = join(d, n);
      out.push(p);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) visit(p, false);
    }
  };
  visit(dir, true);
  return out;
}

/**
 * chown/chmod one path without following symlinks (open O_NOFOLLOW, then fchown/fchmod on the
 * descriptor, so a path swapped for a link in between is never followed). Hard-linked regular
 * files (nlink > 1) are left alone: root must never chown a link to a file outside the package.
 */
/**
 * chown/chmod one path without following links. A hard-linked file may have another name outside the
 * package: it is skipped, unless it belongs to `linkedOwnedBy` (the build user) — taking the build
 * user's own files back only removes its rights (build tools hard-link their outputs).
 */
function setOwner(
  p: string,
  uid: number,
  gid: number,
  mode: (current: number, isDir: boolean) => number | undefined,
  linkedOwnedBy?: number,
): { uid: number; gid: number; mode: number } | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(p, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch {
    // symlinks (ELOOP), sockets: only the link itself
    try {
      const st = lstatSync(p);
      if (!st.isSymbolicLink() && !st.isSocket()) return undefined;
      lchownSync(p, uid, gid);
      return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
    } catch {
      return undefined;
    }
  }
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.nlink > 1 && st.uid !== linkedOwnedBy) return undefined;
    const before = { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 };
    try {
      fchownSync(fd, uid, gid);
      const m = mode(before.mode, st.isDirectory());
      if (m !== undefined) fchmodSync(fd, m);
    } catch {
      return undefined; // not ours to change (acting as the project's owner): left as it is
    }
    return before;
  } finally {
    closeSync(fd);
  }
}

interface OwnerSnapshot {
  entries: Map<string, { uid: number; gid: number; mode: number }>;
}

/** `user` when it is also the project's owner (root then acts as them), else undefined. */
function sameUser(user: UserAccount, owner: { uid: number; gid: number }): UserAccount | undefined {
  return user.uid === owner.uid ? user : undefined;
}

/** Hand the package folder (minus nested node_modules) to the build user; remember what it was. */
function handOver(dir: string, user: UserAccount): OwnerSnapshot {
  const entries = new Map<string, { uid: number; gid: number; mode: number }>();
  // Deepest first: a folder becomes the script user's only once all below it is done, so that while
  // root goes on, every folder above what it changes is still root's (a folder handed over first could
  // be swapped for a link, and root's next fchown by path would land where it leads).
  for (const p of walk(dir, true).reverse()) {
    const before = setOwner(p, user.uid, user.gid, (m, isDir) => (m & ~0o6000) | 0o200 | (isDir ? 0o700 : 0));
    if (before) entries.set(p, before);
  }
  return { entries };
}

/**
 * Give the folder back. Dependencies: everything (new files too) to the project owner, no
 * group/other write. First-party folders (root, links): exact previous owner and mode; new files
 * to the folder's previous owner, without group/other write.
 */
function giveBack(dir: string, snapshot: OwnerSnapshot, owner: { uid: number; gid: number }, firstParty: boolean, buildUid: number): void {
  const folderOwner = snapshot.entries.get(dir) ?? { ...owner, mode: 0o755 };
  for (const p of walk(dir, firstParty)) {
    const before = snapshot.entries.get(p);
    if (firstParty && before) {
      setOwner(p, before.uid, before.gid, () => before.mode, buildUid);
      continue;
    }
    const to = firstParty ? folderOwner : owner;
    setOwner(p, to.uid, to.gid, (m) => m & ~0o022 & ~0o6000, buildUid);
  }
}

function privateDir(parent: string, prefix: string, user: UserAccount, chown: boolean): string {
  const d = mkdtempSync(join(parent, prefix));
  if (chown) chownSync(d, user.uid, user.gid);
  chmodSync(d, 0o700);
  return d;
}

function ensureOwnedDir(dir: string, user: UserAccount, chown: boolean): void {
  mkdirSync(dir, { recursive: true });
  if (chown) {
    const st = lstatSync(dir);
    if (st.uid !== user.uid) chownSync(dir, user.uid, user.gid);
  }
}

/**
 * Run the planned (approved) scripts in order as the build user: `sh -c <script>`, cwd = the
 * package folder, stdin /dev/null, output prefixed, own process group, per-script timeout, inside
 * bwrap when available. A failing package stops its own remaining events; packages depending on
 * it are skipped; nothing installed is deleted.
 */
export async function runInstallScripts(plan: RunPlan, deps: RunnerDeps): Promise<RunResult> {
  const user = deps.user;
  if (user.uid === 0 || user.gid === 0) {
    throw new Blocked(`refusing to run install scripts as root (user "${user.name}" has uid/gid 0): set runAsUser to an unprivileged user`);
  }
  const currentUid = deps.currentUid ?? (isRoot() ? 0 : (process.geteuid?.() ?? -1));
  const switchUser = currentUid === 0;
  if (!switchUser && currentUid !== -1 && currentUid !== user.uid) {
    throw new Blocked(`cannot run install scripts as ${user.name} (uid ${user.uid}) from uid ${currentUid}`);
  }
  const spawnFn = deps.spawn ?? spawnScript;
  const print = deps.print;
  const notices: string[] = [...plan.warnings];
  for (const w of plan.warnings) print(`safe-npm: ${w}`);
  const result: RunResult = { ran: [], failed: [], skippedBecauseDependencyFailed: [], withheld: [...plan.withheld], exitCode: 0, notices, sandboxed: false };
  if (!plan.steps.length) {
    result.exitCode = deps.strict && result.withheld.length ? ExitCode.scriptsWithheld : ExitCode.ok;
    return result;
  }
  // A project under a folder only root may enter (root's home is mode 700): the scripts run behind a
  // window onto the project (project-window.ts). Where none fits (the project folder itself is
  // closed, util-linux is missing), every script would fail with "Permission denied": said once,
  // with what changes it.
  const realProject = switchUser ? realpathSync(plan.projectDir) : plan.projectDir;
  let closed = switchUser ? firstClosedFolder(realProject, user) : undefined;
  // A window makes the folders above the project anew; the project folder keeps its own mode.
  if (closed && closed.path !== realProject) closed = closedFolderAt(realProject, user) ?? closed;
  const windowTools = closed && windowFits(closed.path, realProject) ? (deps.windowTools === null ? undefined : (deps.windowTools ?? findWindowTools())) : undefined;
  if (closed && !windowTools) {
    print(`safe-npm: approved install scripts run as "${user.name}", who cannot enter ${closed.path} (mode ${closed.mode.toString(8)}); make it enterable (chmod o+x ${shellWord(closed.path)}) or keep the project elsewhere, then run: ${deps.command ?? 'safe-npm'} rebuild`);
    for (const s of plan.steps) result.failed.push({ candidate: s.candidate, events: [], error: `not run: ${user.name} cannot enter ${closed.path}` });
    result.exitCode = plan.steps.some((s) => !s.candidate.optional) ? 1 : ExitCode.ok;
    return result;
  }

  const projectOwner = deps.projectOwner ?? ownerOf(plan.projectDir);
  const workDir = mkdtempSync(join(tmpdir(), 'safe-npm-replay-'));
  chmodSync(workDir, 0o755);
  try {
    const window = closed && windowTools ? { closed: closed.path, project: realProject, hold: privateDir(workDir, 'project-', user, false), tools: windowTools } : undefined;
    const toolchain = createShimDir(join(workDir, 'bin'), deps.toolchain);
    const home = join(deps.cacheDir, 'home');
    for (const d of [deps.cacheDir, home, join(deps.cacheDir, 'npm'), join(deps.cacheDir, 'node-gyp')]) ensureOwnedDir(d, user, switchUser);
    const npmConfig: NpmBuildConfig = {
      cache: join(deps.cacheDir, 'npm'),
      devdir: join(deps.cacheDir, 'node-gyp'),
      ...deps.npmConfig,
    };

    // Sandbox: decide once, probe that bwrap really works as the build user.
    const bwrap = deps.bwrap === null ? undefined : (deps.bwrap ?? findBwrap());
    let choice: SandboxChoice = chooseSandbox(deps.settings.sandbox, bwrap, true, { command: deps.command ?? 'safe-npm', env: deps.parentEnv });
    if (choice.mode === 'bwrap') {
      const probe = await spawnFn({
        command: [choice.bwrap, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--', '/bin/true']],
        cwd: '/',
        env: { PATH: '/usr/bin:/bin' },
        ...(switchUser ? { uid: user.uid, gid: user.gid } : {}),
        timeoutMs: 15_000,
        onLine: () => {},
      });
      if (probe.exitCode !== 0) choice = chooseSandbox(deps.settings.sandbox, bwrap, false, { command: deps.command ?? 'safe-npm', env: deps.parentEnv });
    }
    if (choice.notice) {
      notices.push(choice.notice);
      print(`safe-npm: ${choice.notice}`);
    }
    if (choice.mode === 'refuse') {
      for (const s of plan.steps) result.withheld.push({ candidate: s.candidate, reason: 'sandbox required but unavailable' });
      result.exitCode = ExitCode.scriptsWithheld;
      return result;
    }
    result.sandboxed = choice.mode === 'bwrap';
    // bwrap has a pid namespace of its own; without it, root still contains each script in one.
    const contain = switchUser && choice.mode !== 'bwrap' && !window ? (deps.contain === null ? undefined : (deps.contain ?? findContainTools())) : undefined;
    if (switchUser && choice.mode !== 'bwrap' && !contain && !window) {
      const notice = 'unshare/setpriv (util-linux) not found: a process an install script leaves running is not stopped';
      notices.push(notice);
      print(`safe-npm: ${notice}`);
    }

    const broken = new Set<string>(); // failed or skipped locations
    for (const step of plan.steps) {
      const c = step.candidate;
      if (c.problems.length) {
        result.withheld.push({ candidate: c, reason: c.problems.join('; ') });
        continue;
      }
      const failedDep = step.dependsOn.find((d) => broken.has(d));
      if (failedDep !== undefined) {
        broken.add(c.location);
        result.skippedBecauseDependencyFailed.push({ candidate: c, failedDependency: failedDep });
        print(`safe-npm: ${label(c)} not run: a dependency (${failedDep || '(root)'}) failed`);
        continue;
      }
      const outcome = await runStep(step, { ...deps, npmConfig, home, switchUser, choice, contain, toolchain, projectOwner, spawnFn, projectDir: window ? realProject : plan.projectDir, window });
      if (outcome.failedEvent || outcome.error) {
        broken.add(c.location);
        result.failed.push(outcome);
        const last = outcome.events[outcome.events.length - 1];
        const how = outcome.error
          ? outcome.error
          : last?.timedOut
            ? `timed out after ${deps.settings.scriptTimeoutSeconds}s (process group killed)`
            : last?.signal
              ? `killed by ${last.signal}`
              : `exit code ${last?.exitCode}`;
        print(`safe-npm: ${label(c, outcome.failedEvent)} failed: ${how}${c.optional ? ' (optional dependency)' : ''}`);
        if (outcome.tail?.length) {
          print(`safe-npm: last ${outcome.tail.length} lines of its output:`);
          for (const l of outcome.tail) print(`  ${l}`);
        }
      } else {
        result.ran.push(outcome);
      }
    }
    const hardFailure = result.failed.some((f) => !f.candidate.optional) || result.skippedBecauseDependencyFailed.some((s) => !s.candidate.optional);
    result.exitCode = hardFailure ? 1 : deps.strict && result.withheld.length ? ExitCode.scriptsWithheld : ExitCode.ok;
    return result;
  } finally {
    removeTree(workDir);
  }
}

interface StepContext extends RunnerDeps {
  npmConfig: NpmBuildConfig;
  home: string;
  switchUser: boolean;
  choice: SandboxChoice;
  contain: ContainTools | undefined;
  toolchain: Toolchain & Omit<Toolchain, 'shimDir'>;
  projectOwner: { uid: number; gid: number };
  spawnFn: SpawnScript;
  projectDir: string;
  /** Root's project under a folder the script user cannot enter: scripts run behind this window. */
  window?: ProjectWindow & { tools: WindowTools };
}

async function runStep(step: PlannedStep, ctx: StepContext): Promise<StepOutcome> {
  const c = step.candidate;
  const outcome: StepOutcome = { candidate: c, events: [] };
  if (!existsSync(c.path)) {
    outcome.error = `package folder ${c.path} is missing`;
    return outcome;
  }
  // Behind a window only the project shows: a package folder outside it (a linked folder) cannot run.
  const pkgDir = ctx.window ? throughWindow(ctx.window, c.path) : c.path;
  if (pkgDir === undefined) {
    outcome.error = `not run: ${ctx.user.name} cannot enter ${ctx.window!.closed}, and ${c.path} is outside the project`;
    return outcome;
  }
  const firstParty = c.isRoot || c.source === 'link';
  const tmp = privateDir(tmpdir(), 'safe-npm-script-tmp-', ctx.user, ctx.switchUser);
  let snapshot: OwnerSnapshot | undefined;
  // Registered before the script starts, so it runs after the script's own cleanup has stopped it.
  const handBack = () => {
    if (snapshot) asUserSync(sameUser(ctx.user, ctx.projectOwner), () => giveBack(c.path, snapshot!, ctx.projectOwner, firstParty, ctx.user.uid));
    snapshot = undefined;
    removeTree(tmp);
  };
  const unregister = ctx.interrupts?.onInterrupt(() => handBack()) ?? (() => {});
  try {
    // The project's owner runs its scripts (root installs a user's project): the handover, if any, is
    // done as them — their folder, whose paths they can swap under root's walk (a root file was
    // chowned to them).
    if (ctx.switchUser) snapshot = asUserSync(sameUser(ctx.user, ctx.projectOwner), () => handOver(c.path, ctx.user));
    for (const { event, script } of step.events) {
      const env = buildScriptEnv({
        parentEnv: ctx.parentEnv,
        user: ctx.user,
        home: ctx.home,
        tmpDir: tmp,
        projectDir: ctx.projectDir,
        candidate: c,
        event,
        script,
        toolchain: ctx.toolchain,
        npmConfig: ctx.npmConfig,
      });
      let command: [string, string[]] = ['/bin/sh', ['-c', script]];
      let asUser = ctx.switchUser;
      if (ctx.window) {
        // Spawned as root: the window is opened, then setpriv drops to the build user.
        const inner: [string, string[]] = ctx.choice.mode === 'bwrap'
          ? [ctx.choice.bwrap, [...bwrapArgs({ pkgDir, writable: [tmp, ctx.cacheDir], network: step.network }), '--', '/bin/sh', '-c', script]]
          : containInit(script);
        command = windowedCommand(ctx.window, pkgDir, ctx.window.tools, ctx.user, inner, ctx.choice.mode !== 'bwrap');
        asUser = false;
      } else if (ctx.contain) {
        command = containedCommand(script, ctx.contain, ctx.user);
        asUser = false; // setpriv drops to the build user inside the namespace
      } else if (ctx.choice.mode === 'bwrap') {
        const writable = [tmp, ctx.cacheDir];
        command = [ctx.choice.bwrap, [...bwrapArgs({ pkgDir: c.path, writable, network: step.network }), '--', ...['/bin/sh', '-c', script]]];
      }
      const tail: string[] = [];
      const prefix = label(c, event);
      ctx.print(`${prefix} > ${script}`);
      const started = Date.now();
      const r = await ctx.spawnFn({
        command,
        // Behind a window root starts in '/', and the window's opener changes into the package.
        cwd: ctx.window ? '/' : c.path,
        env,
        ...(asUser ? { uid: ctx.user.uid, gid: ctx.user.gid } : {}),
        timeoutMs: Math.max(1, ctx.settings.scriptTimeoutSeconds) * 1000,
        interrupts: ctx.interrupts,
        onLine: (_stream, line) => {
          if (line === LEFTOVER_MARKER) {
            ctx.print(`${prefix} left processes running after it ended: they were stopped`);
            return;
          }
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
          ctx.print(`${prefix} ${line}`);
        },
      });
      const ev: EventOutcome = { event, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: Date.now() - started };
      outcome.events.push(ev);
      if (r.error || r.exitCode !== 0) {
        outcome.failedEvent = event;
        outcome.tail = tail;
        if (r.error) outcome.error = `could not start: ${r.error}`;
        break; // the package's remaining events do not run
      }
    }
  } finally {
    unregister();
    handBack();
  }
  return outcome;
}
