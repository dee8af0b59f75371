/**
 * The one home of pip subprocesses and safe-pip's private work folder. Commands are data
 * (`PipCommandSpec`); `runCommand` spawns them (never a shell), as another user when asked.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, constants, existsSync, fstatSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { readRegularBytesAs } from '../run/user-files.js';
import { Blocked, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { asUserSync } from '../run/effective-user.js';
import { ensureCacheRoot } from '../run/cache-root.js';
import { DIRECT, type TypedAs } from '../config/setting-advice.js';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { UserAccount } from '../run/users.js';
import { GUARD_HELD, guardPython, type GuardConfig, type GuardSidecar } from './pip-guard.js';
import { parseWheelFilename } from './wheel-inspect.js';
import { removeTree } from '../run/fs-ownership.js';

export interface PipCommandSpec {
  file: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  uid?: number;
  gid?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command. `capture`: collect stdout/stderr (stdin inherited); `inherit`: the user's terminal. */
export function runCommand(cmd: PipCommandSpec, stdio: 'inherit' | 'capture'): Promise<RunResult> {
  return startCommand(cmd, stdio, false).result;
}

interface Started {
  result: Promise<RunResult>;
  /** fd 3 of the child: a socket both sides read and write (a held install's control channel). */
  control?: Duplex;
  /** From now on, captured output also goes to these writers (what was captured so far first). */
  forward(out: { stdout(text: string): void; stderr(text: string): void }): void;
}

/** Start a command; with `control`, fd 3 of the child is a socket to talk to the guard. */
function startCommand(cmd: PipCommandSpec, stdio: 'inherit' | 'capture', control: boolean): Started {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(cmd.env)) if (v !== undefined) env[k] = v;
  const base: StdioOptions = stdio === 'inherit' ? ['inherit', 'inherit', 'inherit'] : ['inherit', 'pipe', 'pipe'];
  const child = spawn(cmd.file, cmd.args, {
    cwd: cmd.cwd,
    env,
    uid: cmd.uid,
    gid: cmd.gid,
    stdio: control ? [...(base as string[]), 'pipe'] as StdioOptions : base,
  });
  const pipe = control ? (child.stdio[3] as Duplex) : undefined;
  // A child that exits before reading its control socket must not turn our write into an error.
  pipe?.on('error', () => {});
  let stdout = '';
  let stderr = '';
  let out: { stdout(text: string): void; stderr(text: string): void } | undefined;
  const result = new Promise<RunResult>((resolvePromise, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      out?.stdout(d.toString());
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      out?.stderr(d.toString());
    });
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('error', (e) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      reject(e);
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolvePromise({ code: code ?? (signal === 'SIGINT' ? 130 : 128 + 15), stdout, stderr });
    });
  });
  return {
    result,
    control: pipe,
    forward(to) {
      out = to;
      if (stdout) to.stdout(stdout);
      if (stderr) to.stderr(stderr);
    },
  };
}

/** A private folder (mode 700) owned by the user pip runs as; holds the guard, reports, wheels, TMPDIR. */
export interface WorkDir {
  root: string;
  tmp: string;
  wheels: string;
  /** Wheels pip downloaded while resolving (unverified until their hash is checked). */
  kept: string;
  /** The index pages pip read while resolving (GuardConfig.pages). */
  pages: string;
  guardScript: string;
  cleanup(): void;
}

export function makeWorkDir(owner: UserAccount | undefined): WorkDir {
  const root = mkdtempSync(join(tmpdir(), 'safe-pip-'));
  chmodSync(root, 0o700);
  const tmp = join(root, 'tmp');
  const wheels = join(root, 'wheels');
  const kept = join(root, 'kept');
  const pages = join(root, 'pages');
  for (const d of [tmp, wheels, kept, pages]) mkdirSync(d, { mode: 0o700 });
  const guardScript = join(root, 'safe_pip_guard.py');
  writeFileSync(guardScript, guardPython, { mode: 0o600 });
  // Handed over inside out, the folder itself last: until then only root can enter it, and nothing
  // in it can have been swapped for a link (lchown all the same).
  if (owner) for (const p of [guardScript, tmp, wheels, kept, pages, root]) lchownSync(p, owner.uid, owner.gid);
  return { root, tmp, wheels, kept, pages, guardScript, cleanup: () => removeTree(root) };
}

/**
 * Write a file into the work folder, as its owner (the pip user): the folder is theirs, and a link
 * they put where the file goes led root's write (and chown) to any file of root's — `/etc/shadow`
 * handed to them (attack trial). As them, and never through a link, it reaches only what is theirs.
 */
export function writeWorkFile(path: string, text: string, owner: UserAccount | undefined): void {
  asUserSync(owner, () => {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Something was put in the work folder where our file goes: the run stops, nothing installed.
      throw new Blocked(`safe-pip: its work folder was changed under it (${basename(path)}: ${code === 'ELOOP' ? 'a link' : code ?? 'cannot write'}); stopped, nothing was installed`, ExitCode.blocked);
    }
    try {
      if (!fstatSync(fd).isFile()) throw new UsageError(`${path} in safe-pip's work folder is not a regular file: refusing to write it`);
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    } finally {
      closeSync(fd);
    }
  });
}

let guardCounter = 0;

/**
 * `python guard.py <pip args>` with a fresh guard config. Returns the command and the sidecar path.
 */
export function guardedPipCommand(opts: {
  python: string;
  work: WorkDir;
  pipArgs: string[];
  allow: string[];
  digests?: Record<string, string>;
  env: Record<string, string | undefined>;
  cwd: string;
  owner: UserAccount | undefined;
  /** Keep copies of downloaded wheels in this folder (owned by the pip user). */
  keep?: string;
  cooldown?: GuardConfig['cooldown'];
  /** The run's --report file: the guard adds the dependency edges to the sidecar. */
  report?: string;
  /** A held install: the guard's control socket (fd). */
  hold?: number;
  /** Keep the index pages pip reads (in the work folder's pages/). */
  keepPages?: boolean;
}): { cmd: PipCommandSpec; sidecar: string } {
  guardCounter += 1;
  const sidecar = join(opts.work.root, `sidecar-${guardCounter}.json`);
  const configPath = join(opts.work.root, `guard-${guardCounter}.json`);
  const config: GuardConfig = {
    allow: opts.allow,
    ...(opts.digests && Object.keys(opts.digests).length ? { digests: opts.digests } : {}),
    sidecar,
    ...(opts.keep ? { keep: opts.keep } : {}),
    ...(opts.cooldown ? { cooldown: opts.cooldown } : {}),
    ...(opts.report ? { report: opts.report } : {}),
    ...(opts.hold !== undefined ? { hold: opts.hold } : {}),
    ...(opts.keepPages ? { pages: opts.work.pages } : {}),
  };
  writeWorkFile(configPath, JSON.stringify(config), opts.owner);
  return {
    sidecar,
    cmd: {
      file: opts.python,
      args: [opts.work.guardScript, ...opts.pipArgs],
      env: { ...opts.env, SAFE_PIP_GUARD_CONFIG: configPath },
      cwd: opts.cwd,
      uid: opts.owner?.uid,
      gid: opts.owner?.gid,
    },
  };
}

/** One guarded pip run, as the install flow asks for it (python, owner and work folder are the workspace's). */
export interface GuardedPipRun {
  pipArgs: string[];
  /** Canonical names or URLs whose build the guard lets through. */
  allow: string[];
  /** Allowed keys whose vetted content must not have changed → its digest. */
  digests?: Record<string, string>;
  env: Record<string, string | undefined>;
  cwd: string;
  stdio: 'inherit' | 'capture';
  /** Keep copies of downloaded wheels in this folder. */
  keep?: string;
  cooldown?: GuardConfig['cooldown'];
  /** The --report file of this run (read back when pip succeeds). */
  report?: string;
  /** Keep the index pages pip reads (GuardSidecar.pages), for the checks. */
  keepPages?: boolean;
  /**
   * A held install: a real `pip install` that stops after its resolve (before any build or
   * install) and waits; the result then carries `held` to let it go on or call it off.
   */
  hold?: boolean;
  /** Called with the sidecar as the guard writes it, while pip still runs. */
  onProgress?(side: GuardSidecar): void;
}

export interface GuardedPipResult extends RunResult {
  /** What the guard recorded (empty when it wrote nothing). */
  sidecar: GuardSidecar;
  /** The text of the --report file, when pip succeeded (or holds) and wrote one. */
  report?: string;
  /** A held install, waiting (code is GUARD_HELD). */
  held?: HeldInstall;
}

/** A `pip install` stopped after its resolve, before anything was built or installed. */
export interface HeldInstall {
  /**
   * Go on: install, but only files whose sha256 is the one given for their project (the wheels
   * that were read); pip's output (captured so far, and from now on) goes to `out`.
   */
  release(sha256ByName: Record<string, string>, out: { stdout(text: string): void; stderr(text: string): void }): Promise<GuardedPipResult>;
  /** Call it off: pip exits before anything is built or installed. */
  callOff(): void;
}

/** The private work folder of one safe-pip run and the guarded pip processes that use it. */
export interface PipWorkspace {
  root: string;
  tmp: string;
  wheels: string;
  kept: string;
  /** Write a file, owned by the pip user. */
  write(path: string, text: string): void;
  /**
   * Move a wheel pip downloaded while resolving into the wheel folder, if its sha256 is `sha256`
   * (undefined: pip's report gave none; the copy is then taken as it is — a held install checks the
   * bytes it installs against the copy's own hash).
   */
  adoptKept(filename: string, sha256: string | undefined): boolean;
  /** The wheels in the wheel folder, by canonical project name. */
  wheelFiles(): Map<string, string>;
  /** An index page the guard kept (GuardSidecar.pages), or undefined when it cannot be read. */
  readPage(path: string): { url: string; contentType: string; body: string } | undefined;
  sha256(path: string): string;
  /** A guarded pip run; a held install is called off by `cleanup` unless it was let go. */
  runPip(run: GuardedPipRun): Promise<GuardedPipResult>;
  cleanup(): void;
}

export function openPipWorkspace(owner: UserAccount | undefined, python: string): PipWorkspace {
  const work = makeWorkDir(owner);
  // The work folder is the pip user's (their code runs in pip): root reads what is in it as them.
  const read = (path: string) => readWorkFile(path, owner);
  const sha256 = (path: string) => createHash('sha256').update(read(path)).digest('hex');
  const held = new Set<HeldInstall>();
  return {
    root: work.root,
    tmp: work.tmp,
    wheels: work.wheels,
    kept: work.kept,
    cleanup() {
      for (const h of held) h.callOff();
      work.cleanup();
    },
    sha256,
    write: (path, text) => writeWorkFile(path, text, owner),
    adoptKept(filename, hash) {
      const kept = join(work.kept, filename);
      if (!existsSync(kept) || (hash !== undefined && sha256(kept) !== hash)) return false;
      // As the owner: both folders are theirs, and a link in place of either led root's rename elsewhere.
      asUserSync(owner, () => renameSync(kept, join(work.wheels, basename(kept))));
      return true;
    },
    wheelFiles() {
      const out = new Map<string, string>();
      for (const f of readdirSync(work.wheels)) {
        const w = parseWheelFilename(f);
        if (w) out.set(w.canonical, join(work.wheels, f));
      }
      return out;
    },
    readPage(path) {
      try {
        if (!path.startsWith(`${work.pages}/`)) return undefined;
        const page = JSON.parse(read(path).toString('utf8')) as { url?: unknown; contentType?: unknown; body?: unknown };
        return typeof page.url === 'string' && typeof page.contentType === 'string' && typeof page.body === 'string' ? { url: page.url, contentType: page.contentType, body: page.body } : undefined;
      } catch {
        return undefined;
      }
    },
    runPip: async (run) => {
      const res = await runGuardedPip(run, { python, work, owner, read });
      if (res.held) {
        const h = res.held;
        held.add(h);
        res.held = {
          release: (hashes, out) => (held.delete(h), h.release(hashes, out)),
          callOff: () => (held.delete(h), h.callOff()),
        };
      }
      return res;
    },
  };
}

async function runGuardedPip(run: GuardedPipRun, at: { python: string; work: WorkDir; owner: UserAccount | undefined; read: (path: string) => Buffer }): Promise<GuardedPipResult> {
  const { cmd, sidecar } = guardedPipCommand({
    python: at.python, work: at.work, owner: at.owner, cwd: run.cwd, env: run.env,
    pipArgs: run.pipArgs, allow: run.allow, digests: run.digests, keep: run.keep, cooldown: run.cooldown, report: run.report, keepPages: run.keepPages,
    ...(run.hold ? { hold: 3 } : {}),
  });
  // The guard writes its sidecar as pip goes: look-ups for what it found start before pip is done.
  const onProgress = run.onProgress;
  const readSidecar = (path: string): GuardSidecar => {
    try {
      return JSON.parse(at.read(path).toString('utf8')) as GuardSidecar;
    } catch {
      return {};
    }
  };
  const watcher = onProgress ? setInterval(() => onProgress(readSidecar(sidecar)), 100) : undefined;
  const started = startCommand(cmd, run.stdio, Boolean(run.hold));
  const readReport = () => (run.report && existsSync(run.report) ? at.read(run.report).toString('utf8') : undefined);
  // A held install says "held" on its control socket, or ends (a refusal, pip's own error) without.
  const heldOrDone = await new Promise<'held' | RunResult>((resolvePromise, reject) => {
    let said = '';
    started.control?.on('data', (d: Buffer) => {
      said += d.toString();
      if (said.includes('held\n')) resolvePromise('held');
    });
    started.result.then(resolvePromise, reject);
  }).finally(() => clearInterval(watcher));
  if (heldOrDone !== 'held') {
    started.control?.destroy();
    return { ...heldOrDone, sidecar: readSidecar(sidecar), report: heldOrDone.code === 0 ? readReport() : undefined };
  }
  const control = started.control!;
  const heldInstall: HeldInstall = {
    async release(hashes, out) {
      started.forward(out);
      control.end(`go ${JSON.stringify(hashes)}\n`);
      const res = await started.result;
      return { ...res, sidecar: readSidecar(sidecar) };
    },
    callOff() {
      control.end();
      started.result.catch(() => {});
    },
  };
  return { code: GUARD_HELD, stdout: '', stderr: '', sidecar: readSidecar(sidecar), report: readReport(), held: heldInstall };
}

/** A file of the work folder, read as its owner (the pip user): a regular file only, of any size. */
export function readWorkFile(path: string, owner: Pick<UserAccount, 'uid' | 'gid'> | undefined): Buffer {
  return readRegularBytesAs(owner, path, { what: 'a file of safe-pip\'s work folder', maxBytes: Number.MAX_SAFE_INTEGER });
}

/** The owner's pip cache: in their home when they own it, else under `cacheRoot`; undefined: none usable. */
export function ensurePipCache(owner: UserAccount, cacheRoot: string, typed: TypedAs = DIRECT): string | undefined {
  try {
    if (owner.home && existsSync(owner.home) && statSync(owner.home).uid === owner.uid) return join(owner.home, '.cache', 'pip');
  } catch {
    /* fall through */
  }
  // A cache root another user can write is refused (exit 64), as safe-npm's is: root makes and
  // chowns the folder below by path (run/cache-root.ts).
  ensureCacheRoot(cacheRoot, typed);
  try {
    const dir = join(cacheRoot, `pip-${owner.uid}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!lstatSync(dir).isDirectory()) return undefined;
    lchownSync(dir, owner.uid, owner.gid);
    return dir;
  } catch {
    return undefined;
  }
}
