/**
 * The first stages of a safe-pip run: the environment probe (no Python started), who runs pip
 * (never root) and where it installs, and the session every later stage works in.
 */
import { devNull } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { applyEnvOverrides } from '../config/settings.js';
import { Blocked } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { optionValues, parsePipArgs, type PipInvocation } from '../pypi/parse-pip-args.js';
import { sitePackagesOf, type PipEnvironment } from '../pypi/pip-environment.js';
import type { GuardSidecar } from '../pypi/pip-guard.js';
import type { PipCommand } from '../pypi/pip-options.js';
import { decideRunAs, type Destination } from '../pypi/run-as.js';
import type { UserAccount } from '../run/users.js';
import type { Cooldown, PipFlowDeps, PipSession } from './pip-session.js';

export interface Probed {
  /** The command line tokenised by the pip that will run it. */
  inv: PipInvocation & { kind: PipCommand };
  pipEnv: PipEnvironment;
}

/**
 * Environment probe. The environment comes first: its pip version decides how the command line is
 * tokenised. A command that pip itself must answer (e.g. `pip lock` on a pip older than 25.1) is
 * handed back as `passthrough`.
 */
export function probeEnvironment(first: PipInvocation, argv: string[], deps: PipFlowDeps): Probed | { passthrough: string[] } {
  const pythonOpt = optionValues(first.items, '--python').at(-1);
  const pipEnv = deps.probeEnvironment(pythonOpt);
  const inv = parsePipArgs(argv, { env: deps.env, version: pipEnv.pipVersion });
  if (inv.kind === 'passthrough' || inv.kind === 'safe') return { passthrough: inv.pipArgs };
  return { inv: inv as Probed['inv'], pipEnv };
}

/** Who runs pip: the invoking user, or (as root) the owner of the destination; refusals throw. */
export function whoRunsPip(probed: Probed, deps: PipFlowDeps): { destination: Destination; owner: UserAccount | undefined } {
  const destination = destinationOf(probed.inv, deps);
  const runAs = decideRunAs({
    isRoot: deps.isRoot(),
    env: probed.pipEnv,
    destination,
    command: probed.inv.kind,
    ownerOf: deps.ownerOf,
    lookupUser: (uid) => deps.lookupUser(uid),
    canExecute: (path, user) => deps.canExecute(path, user),
    closedFolder: (path, user) => deps.closedFolder?.(path, user),
    adviceUser: deps.env.SUDO_USER && deps.env.SUDO_USER !== 'root' ? deps.env.SUDO_USER : undefined,
  });
  return { destination, owner: runAs.self ? undefined : runAs.user };
}

/** The session: store, settings, the private work folder, the children's environment, the cooldown. */
export async function openSession(probed: Probed, who: ReturnType<typeof whoRunsPip>, argv: string[], deps: PipFlowDeps): Promise<PipSession> {
  const store = await deps.openStore();
  const settings = applyEnvOverrides(store.settings(), deps.env, 'SAFE_PIP');
  const work = deps.openWorkspace(who.owner, probed.pipEnv.python);
  const now = deps.now();
  const s: PipSession = {
    deps, argv, inv: probed.inv, command: probed.inv.kind, pipEnv: probed.pipEnv, ...who,
    store, settings, work, baseEnv: {}, lookups: deps.indexLookups(), cooldown: cooldownOf(settings, now), now,
    quiet: quietLevel(probed.inv, deps.env),
  };
  try {
    s.baseEnv = childEnv(s);
  } catch (error) {
    work.cleanup();
    throw error;
  }
  return s;
}

/** pip's -q count (each -q, also inside a cluster like -qq), or PIP_QUIET (a number, or yes/true/on = 1). */
export function quietLevel(inv: Pick<PipInvocation, 'items'>, env: Record<string, string | undefined>): number {
  const flags = inv.items.filter((it) => it.kind === 'option' && it.option.spec.name === '--quiet').length;
  if (flags) return flags;
  const v = (env.PIP_QUIET ?? '').trim();
  if (/^\d+$/.test(v)) return Number(v);
  return /^(yes|true|on)$/i.test(v) ? 1 : 0;
}

function cooldownOf(settings: PipSession['settings'], now: Date): Cooldown | undefined {
  const hours = settings.minReleaseAgeHours;
  if (hours <= 0) return undefined;
  const exclude = settings.cooldownExclude.map((p) => p.toLowerCase().replace(/[-_.]+/g, '-'));
  return { hours, cutoff: new Date(now.getTime() - hours * 3_600_000), exclude, young: {} };
}

export function destinationOf(inv: Probed['inv'], deps: Pick<PipFlowDeps, 'env' | 'cwd'>): Destination {
  const last = (name: string, envName: string) => optionValues(inv.items, name).at(-1) ?? deps.env[envName];
  const abs = (p: string | undefined) => (p ? resolve(deps.cwd, p) : undefined);
  let user = /^(1|true|yes|on)$/i.test(deps.env.PIP_USER ?? '');
  for (const it of inv.items) {
    if (it.kind !== 'option') continue;
    if (it.option.spec.name === '--user') user = true;
    if (it.option.spec.name === '--no-user') user = false;
  }
  const lockFile = inv.kind === 'lock' ? last('--output', 'PIP_OUTPUT') ?? 'pylock.toml' : undefined;
  const outputDir = inv.kind === 'download' ? last('--dest', 'PIP_DEST') : inv.kind === 'wheel' ? last('--wheel-dir', 'PIP_WHEEL_DIR') : lockFile !== undefined ? (lockFile === '-' ? '.' : dirname(resolve(deps.cwd, lockFile))) : undefined;
  return {
    target: abs(last('--target', 'PIP_TARGET')),
    prefix: abs(last('--prefix', 'PIP_PREFIX')),
    root: abs(last('--root', 'PIP_ROOT')),
    user,
    outputDir: abs(outputDir ?? (inv.kind === 'install' ? undefined : '.')),
  };
}

/** What pip parsed (config files included) must name the destination we chose the user for. */
export function checkDestinationAgrees(side: GuardSidecar, s: PipSession): void {
  if (s.command !== 'install' || !side.options) return;
  const o = side.options;
  const same = (a: string | null | undefined, b: string | undefined) => (a ? resolve(s.deps.cwd, a) : undefined) === b;
  if (!same(o.target_dir, s.destination.target) || !same(o.prefix_path, s.destination.prefix) || !same(o.root_path, s.destination.root) || Boolean(o.use_user_site) !== s.destination.user) {
    throw new Blocked('pip\'s configuration changes where packages go (target/prefix/root/user in a config file): give the destination on the command line', ExitCode.couldNotVerify);
  }
}

/** The environment of pip's children: a private TMPDIR; as another user also their HOME, PATH, pip config and cache. */
function childEnv(s: PipSession): Record<string, string | undefined> {
  const { deps, owner, work } = s;
  const out: Record<string, string | undefined> = { ...deps.env, TMPDIR: work.tmp };
  delete out.SAFE_PIP_GUARD_CONFIG;
  if (!owner) return out;
  out.HOME = owner.home;
  out.USER = owner.name;
  out.LOGNAME = owner.name;
  out.PATH = [dirname(s.pipEnv.python), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  // Root's config may be unreadable by the owner: hand over a private merged copy.
  const merged = deps.mergedPipConfig(s.pipEnv.venvDir, owner);
  if (merged === devNull) out.PIP_CONFIG_FILE = devNull;
  else {
    const conf = join(work.root, 'pip.conf');
    work.write(conf, merged);
    out.PIP_CONFIG_FILE = conf;
  }
  out.PIP_CACHE_DIR = deps.pipCacheFor(owner, s.settings.cacheRoot);
  if (!out.PIP_CACHE_DIR) {
    delete out.PIP_CACHE_DIR;
    out.PIP_NO_CACHE_DIR = '1';
  }
  delete out.XDG_CONFIG_HOME;
  delete out.XDG_CACHE_HOME;
  return out;
}

/** The site-packages the install goes to (for the overwrite check). */
export function destinationSitePackages(s: PipSession): string | undefined {
  if (s.destination.target) return s.destination.target;
  if (s.destination.prefix) return sitePackagesOf(s.destination.prefix);
  return s.pipEnv.sitePackages;
}
