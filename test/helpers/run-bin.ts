/**
 * Run our bins (and other tools: npm, pip...) in an isolated environment, as root or as another user.
 *
 * Isolation: the environment is built from scratch (not inherited from vitest/npm), with HOME,
 * XDG_*_HOME, npm_config_userconfig (a temp .npmrc whose `registry` is Verdaccio's, or a dead
 * 127.0.0.1 port when none is given), npm_config_globalconfig (empty), npm_config_cache,
 * PIP_CONFIG_FILE=/dev/null and PIP_CACHE_DIR all inside a temp "sandbox" folder; no PIP_FIND_LINKS,
 * no other PIP_* or npm_config_*; CI=true; stdin is not a TTY (closed, or the given input).
 * Callers override anything with `env` (a value of undefined removes the variable).
 *
 * The sandbox is owned by the user the process runs as (so npm's cache belongs to that user), and
 * it is mode 755 inside os.tmpdir(), so a process that drops to `nobody` can read the .npmrc.
 */
import { execa } from 'execa';
import { existsSync, rmSync, statSync } from 'node:fs';
import { chown, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupUser } from '../../src/run/users.js';
import { makeTempDir, resolveOwner, type Owner } from './projects.js';

export type BinName = 'safe-npm' | 'safe-pip';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** A registry nobody listens on: npm fails fast instead of reaching the network. */
export const DEAD_REGISTRY = 'http://127.0.0.1:9/';

export interface Sandbox {
  /** The sandbox folder (mode 755, in os.tmpdir()). */
  dir: string;
  home: string;
  npmCache: string;
  pipCache: string;
  /** The .npmrc given as npm_config_userconfig. */
  npmrcPath: string;
  /** The isolated environment (before per-call overrides). */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export interface SandboxOptions {
  /** Registry for the sandbox .npmrc (e.g. Verdaccio's url). Default DEAD_REGISTRY. */
  registry?: string;
  /** Extra .npmrc lines (e.g. server.authNpmrcLines). */
  npmrcLines?: string[];
  /** Who owns the sandbox (home, caches). Default root. */
  owner?: Owner;
}

function defaultPath(): string {
  const nodeDir = dirname(process.execPath);
  return SYSTEM_PATH.split(':').includes(nodeDir) ? SYSTEM_PATH : `${nodeDir}:${SYSTEM_PATH}`;
}

export async function makeSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const owner = resolveOwner(opts.owner ?? 'root');
  const account = lookupUser(owner.uid);
  const dir = await makeTempDir('safe-npm-sandbox-');
  const sub = (name: string) => join(dir, name);
  for (const name of ['home', 'config', 'state', 'cache', 'data', 'npm-cache', 'pip-cache']) {
    await mkdir(sub(name), { mode: 0o755 });
  }
  const npmrcPath = sub('npmrc');
  const globalNpmrc = sub('global-npmrc');
  const npmrc = [
    `registry=${opts.registry ?? DEAD_REGISTRY}`,
    'audit=false',
    'fund=false',
    'update-notifier=false',
    // npm's own retry logic stays on, but its 10 s..60 s backoff would make a failing fetch
    // (EINTEGRITY after a swapped tarball, a stopped registry) take minutes.
    'fetch-retry-mintimeout=100',
    'fetch-retry-maxtimeout=500',
    ...(opts.npmrcLines ?? []),
  ];
  await writeFile(npmrcPath, npmrc.join('\n') + '\n', { mode: 0o644 });
  await writeFile(globalNpmrc, '', { mode: 0o644 });
  await chownTree(dir, owner.uid, owner.gid);

  const env: Record<string, string> = {
    PATH: defaultPath(),
    HOME: sub('home'),
    USER: account?.name ?? String(owner.uid),
    LOGNAME: account?.name ?? String(owner.uid),
    LANG: 'C.UTF-8',
    XDG_CONFIG_HOME: sub('config'),
    XDG_STATE_HOME: sub('state'),
    XDG_CACHE_HOME: sub('cache'),
    XDG_DATA_HOME: sub('data'),
    npm_config_userconfig: npmrcPath,
    npm_config_globalconfig: globalNpmrc,
    npm_config_cache: sub('npm-cache'),
    PIP_CONFIG_FILE: '/dev/null',
    PIP_CACHE_DIR: sub('pip-cache'),
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    CI: 'true',
  };
  for (const keep of ['NODE_EXTRA_CA_CERTS', 'TZ']) {
    const value = process.env[keep];
    if (value !== undefined) env[keep] = value;
  }
  return {
    dir,
    home: sub('home'),
    npmCache: sub('npm-cache'),
    pipCache: sub('pip-cache'),
    npmrcPath,
    env,
    async cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  if (!(await lstat(path)).isDirectory()) return;
  for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
}

export interface RunOptions {
  cwd: string;
  /** Overrides on top of the sandbox env; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin (a pipe, never a TTY). Without it stdin is closed (/dev/null). */
  input?: string;
  /** Default 120 s; the child is killed (SIGTERM) after it. */
  timeoutMs?: number;
  /** Registry for a new sandbox (ignored when `sandbox` is given). */
  registry?: string;
  /** Reuse a sandbox across calls (same HOME, config, caches). Default: a new one per call. */
  sandbox?: Sandbox;
  /** Run as this user (uid/gid set by the spawn, supplementary groups dropped). Default: as we are (root). */
  user?: Owner;
}

export interface RunResult {
  /** The exit code; 128 + signal number when the process was killed by a signal. */
  exitCode: number;
  signal?: string;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** The sandbox used (a new one unless given), e.g. to read config written under its HOME. */
  sandbox: Sandbox;
  /** The exact environment the child got. */
  env: Record<string, string>;
}

/** Run any program (npm, pip, node...) in the isolated environment. `file` is looked up on the env's PATH. */
export async function runTool(file: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const runAs = opts.user === undefined ? undefined : resolveOwner(opts.user);
  const sandbox =
    opts.sandbox ??
    (await makeSandbox({ registry: opts.registry, owner: runAs ? { uid: runAs.uid, gid: runAs.gid } : 'root' }));
  const env: Record<string, string> = { ...sandbox.env };
  for (const [key, value] of Object.entries(opts.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const switchUser = runAs !== undefined && runAs.uid !== process.getuid?.();
  const result = await execa(file, args, {
    cwd: opts.cwd,
    env,
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    timeout: opts.timeoutMs ?? 120_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
    ...(switchUser ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  const signalNumber = result.signal ? constants.signals[result.signal as keyof typeof constants.signals] : undefined;
  return {
    exitCode: result.exitCode ?? (signalNumber !== undefined ? 128 + signalNumber : -1),
    signal: result.signal,
    timedOut: result.timedOut,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    sandbox,
    env,
  };
}

/**
 * `node <repo>/bin/<bin>.js args...` in the isolated environment. With `user` other than root the
 * bin runs from a staged copy of the package in os.tmpdir() (the checkout may sit where that user
 * cannot enter).
 */
export async function runBin(bin: BinName, args: string[], opts: RunOptions): Promise<RunResult> {
  const runAs = opts.user === undefined ? undefined : resolveOwner(opts.user);
  const root = runAs !== undefined && runAs.uid !== process.getuid?.() ? await stagedRepo() : repoRoot;
  return runTool(process.execPath, [join(root, 'bin', `${bin}.js`), ...args], opts);
}

let staged: Promise<string> | undefined;
/**
 * A copy of the runnable package (bin, dist, data, shims, package.json, node_modules) in os.tmpdir(),
 * readable by everyone; made once per test process (hard links when the checkout is world-readable).
 * Build (`npm run build`) before the first call.
 */
export function stagedRepo(): Promise<string> {
  staged ??= (async () => {
    const dir = await makeTempDir('safe-npm-staged-');
    const parts = ['package.json', 'bin', 'dist', 'data', 'shims', 'node_modules'].filter((p) => existsSync(join(repoRoot, p)));
    const sources = parts.map((p) => join(repoRoot, p));
    const worldReadable = (statSync(join(repoRoot, 'package.json')).mode & 0o004) !== 0;
    // Hard links are instant, but share modes with the checkout: only when it is world-readable.
    if (worldReadable) {
      const linked = join(dir, 'linked');
      await mkdir(linked, { mode: 0o755 });
      if ((await execa('cp', ['-al', ...sources, linked], { reject: false })).exitCode === 0) return linked;
      rmSync(linked, { recursive: true, force: true });
    }
    const copied = join(dir, 'copied');
    await mkdir(copied, { mode: 0o755 });
    const copy = await execa('cp', ['-R', ...sources, copied], { reject: false });
    if (copy.exitCode !== 0) throw new Error(`cannot stage the package for other users: ${copy.stderr}`);
    await execa('chmod', ['-R', 'a+rX', copied]);
    return copied;
  })();
  return staged;
}
