/** Where pip installs and who runs it: the destination, the environment pip's children get, and the check that pip's own configuration agrees. */
import { existsSync, mkdirSync, chownSync, statSync } from 'node:fs';
import { devNull } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type Settings } from '../config/settings.js';
import { Blocked } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { type UserAccount } from '../run/users.js';
import { optionValues, type PipInvocation } from '../pypi/parse-pip-args.js';
import { sitePackagesOf, type PipEnvironment } from '../pypi/pip-environment.js';
import { type Destination } from '../pypi/run-as.js';
import { mergedPipConfig } from '../pypi/pip-config.js';
import { writeWorkFile, type WorkDir } from '../pypi/pip-process.js';
import { type GuardSidecar } from '../pypi/pip-guard.js';
import type { FlowState, PipFlowIo } from './pip-session.js';

export function destinationOf(inv: PipInvocation, io: PipFlowIo): Destination {
  const last = (name: string, envName: string) => optionValues(inv.items, name).at(-1) ?? io.env[envName];
  const abs = (p: string | undefined) => (p ? resolve(io.cwd, p) : undefined);
  let user = /^(1|true|yes|on)$/i.test(io.env.PIP_USER ?? '');
  for (const it of inv.items) {
    if (it.kind !== 'option') continue;
    if (it.option.spec.name === '--user') user = true;
    if (it.option.spec.name === '--no-user') user = false;
  }
  const lockFile = inv.kind === 'lock' ? last('--output', 'PIP_OUTPUT') ?? 'pylock.toml' : undefined;
  const outputDir = inv.kind === 'download' ? last('--dest', 'PIP_DEST') : inv.kind === 'wheel' ? last('--wheel-dir', 'PIP_WHEEL_DIR') : lockFile !== undefined ? (lockFile === '-' ? '.' : dirname(resolve(io.cwd, lockFile))) : undefined;
  return {
    target: abs(last('--target', 'PIP_TARGET')),
    prefix: abs(last('--prefix', 'PIP_PREFIX')),
    root: abs(last('--root', 'PIP_ROOT')),
    user,
    outputDir: abs(outputDir ?? (inv.kind === 'install' ? undefined : '.')),
  };
}

/** What pip parsed (config files included) must name the destination we chose the user for. */
export function checkDestinationAgrees(side: GuardSidecar, s: FlowState): void {
  if (s.command !== 'install' || !side.options) return;
  const o = side.options;
  const same = (a: string | null | undefined, b: string | undefined) => (a ? resolve(s.io.cwd, a) : undefined) === b;
  if (!same(o.target_dir, s.destination.target) || !same(o.prefix_path, s.destination.prefix) || !same(o.root_path, s.destination.root) || Boolean(o.use_user_site) !== s.destination.user) {
    throw new Blocked('pip\'s configuration changes where packages go (target/prefix/root/user in a config file): give the destination on the command line', ExitCode.couldNotVerify);
  }
}

export function childEnv(env: Record<string, string | undefined>, pipEnv: PipEnvironment, owner: UserAccount | undefined, work: WorkDir, settings: Settings): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env, TMPDIR: work.tmp };
  delete out.SAFE_PIP_GUARD_CONFIG;
  if (!owner) return out;
  out.HOME = owner.home;
  out.USER = owner.name;
  out.LOGNAME = owner.name;
  out.PATH = [dirname(pipEnv.python), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  // Root's config may be unreadable by the owner: hand over a private merged copy.
  const merged = mergedPipConfig(env, env.HOME ?? '/root', pipEnv.venvDir);
  if (merged === devNull) out.PIP_CONFIG_FILE = devNull;
  else {
    const conf = join(work.root, 'pip.conf');
    writeWorkFile(conf, merged, owner);
    out.PIP_CONFIG_FILE = conf;
  }
  out.PIP_CACHE_DIR = cacheDirFor(owner, settings);
  if (!out.PIP_CACHE_DIR) {
    delete out.PIP_CACHE_DIR;
    out.PIP_NO_CACHE_DIR = '1';
  }
  delete out.XDG_CONFIG_HOME;
  delete out.XDG_CACHE_HOME;
  return out;
}

/** The owner's pip cache: in their home when they own it, else under settings.cacheRoot. */
export function cacheDirFor(owner: UserAccount, settings: Settings): string | undefined {
  try {
    if (owner.home && existsSync(owner.home) && statSync(owner.home).uid === owner.uid) return join(owner.home, '.cache', 'pip');
  } catch {
    /* fall through */
  }
  try {
    mkdirSync(settings.cacheRoot, { recursive: true, mode: 0o755 });
    const dir = join(settings.cacheRoot, `pip-${owner.uid}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownSync(dir, owner.uid, owner.gid);
    return dir;
  } catch {
    return undefined;
  }
}

export function destinationSitePackages(s: FlowState): string | undefined {
  if (s.destination.target) return s.destination.target;
  if (s.destination.prefix) return sitePackagesOf(s.destination.prefix);
  return s.pipEnv.sitePackages;
}
