import { UsageError } from '../core/errors.js';
import type { Severity, Thresholds } from '../core/types.js';
import { INSTALL_IDENTITY, SCRIPT_IDENTITY } from '../run/build-identity.js';

/** What a check's severity can be configured to; `off` removes its findings. */
export type SeverityOverride = Severity | 'off';

export interface Settings {
  thresholds: Thresholds;
  /**
   * Unprivileged user npm's engine runs as when we are root and the project is root's (or -g); it
   * owns npm's cache and never runs package code.
   */
  runAsUser: string;
  /** Unprivileged user approved install scripts run as in root-owned projects (not runAsUser). */
  scriptUser: string;
  /** Per-check severity overrides, keyed by check id. */
  severity: Record<string, SeverityOverride>;
  /** Exit 67 when an install script or build is withheld (default: report and exit 0). */
  strictScripts: boolean;
  /** Per-script timeout for replayed install scripts. */
  scriptTimeoutSeconds: number;
  /** bubblewrap sandbox for replayed scripts: auto = use when present, require = refuse without it, off. */
  sandbox: 'auto' | 'require' | 'off';
  /** Folder under which the run-as user's persistent npm/pip caches live (when it has no usable home). */
  cacheRoot: string;
  /** Release cooldown: resolution picks versions at least this old (0 turns it off). */
  minReleaseAgeHours: number;
  /** Package names (or globs like @myorg/*) the cooldown does not apply to. */
  cooldownExclude: string[];
}

export const defaultSettings: Settings = {
  thresholds: {
    newPackageDays: 30,
    newVersionDays: 2,
    fewVersions: 3,
    // A quarter: long enough for an injected dependency's life (flatmap-stream was 2½ months old when
    // event-stream pulled it in), short of the months a mainstream tree keeps pulling in new
    // one-version micro-packages (es-abstract-get, 5 months old, stopped a Vite scaffold in CI).
    fewVersionsMaxAgeDays: 90,
    recentReleaseDays: 30,
    dormantReleaseDays: 365,
    sizeJumpFactor: 2,
    sizeJumpMinBytes: 100_000,
    sizeJumpMinFiles: 20,
  },
  runAsUser: INSTALL_IDENTITY,
  scriptUser: SCRIPT_IDENTITY,
  severity: {},
  strictScripts: false,
  scriptTimeoutSeconds: 600,
  sandbox: 'auto',
  cacheRoot: '/var/cache/safe-npm',
  minReleaseAgeHours: 48,
  cooldownExclude: [],
};

/**
 * The keys `safe config get|set` accepts, with their parser. Dotted keys address nested settings.
 * Kept as data so the CLI, the README table and the tests agree.
 */
export const settingKeys: Record<string, { describe: string; parse: (raw: string) => unknown }> = {
  'thresholds.newPackageDays': { describe: 'days a package counts as newly published', parse: nonNegativeNumber },
  'thresholds.newVersionDays': { describe: 'days a version counts as newly published', parse: nonNegativeNumber },
  'thresholds.fewVersions': { describe: 'fewer versions than this is a finding', parse: nonNegativeNumber },
  'thresholds.fewVersionsMaxAgeDays': { describe: 'few versions warns only for packages younger than this', parse: nonNegativeNumber },
  'thresholds.recentReleaseDays': { describe: 'release-change signals warn only this long after a release', parse: nonNegativeNumber },
  'thresholds.dormantReleaseDays': { describe: 'days without a release after which a new release is a finding', parse: nonNegativeNumber },
  'thresholds.sizeJumpFactor': { describe: 'growth factor of unpacked size/file count since the previous release that is a finding', parse: nonNegativeNumber },
  'thresholds.sizeJumpMinBytes': { describe: 'unpacked size growth (bytes) below which size-jump says nothing', parse: nonNegativeNumber },
  'thresholds.sizeJumpMinFiles': { describe: 'file count growth below which size-jump says nothing', parse: nonNegativeNumber },
  runAsUser: { describe: 'unprivileged user npm runs as when root installs into a root-owned project (owns the npm cache; never runs package code)', parse: userName },
  scriptUser: { describe: 'unprivileged user approved install scripts run as in root-owned projects', parse: userName },
  strictScripts: { describe: 'exit 67 when scripts/builds are withheld', parse: boolean },
  scriptTimeoutSeconds: { describe: 'timeout for each replayed install script', parse: nonNegativeNumber },
  sandbox: { describe: 'auto | require | off (bubblewrap for install scripts)', parse: oneOf('auto', 'require', 'off') },
  cacheRoot: { describe: 'folder for the run-as user\'s persistent caches', parse: absolutePath },
  minReleaseAgeHours: { describe: 'release cooldown in hours: newer versions are not chosen (0 = off)', parse: nonNegativeNumber },
  cooldownExclude: { describe: 'comma-separated names/globs exempt from the cooldown', parse: nameList },
};

/** `severity.<check>` keys are open-ended: any check id. */
export function parseSettingKey(key: string): { describe: string; parse: (raw: string) => unknown } | undefined {
  if (settingKeys[key]) return settingKeys[key];
  if (/^severity\.[a-z0-9-]+$/.test(key)) {
    return { describe: 'severity override for one check', parse: oneOf('off', 'info', 'warn', 'block') };
  }
  return undefined;
}

function nonNegativeNumber(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || raw.trim() === '') throw new Error(`expected a number >= 0, got "${raw}"`);
  return n;
}
function boolean(raw: string): boolean {
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new Error(`expected true or false, got "${raw}"`);
}
function oneOf<T extends string>(...values: T[]) {
  return (raw: string): T => {
    if ((values as string[]).includes(raw)) return raw as T;
    throw new Error(`expected one of ${values.join(', ')}, got "${raw}"`);
  };
}
function userName(raw: string): string {
  if (!/^[a-z_][a-z0-9_-]*\$?$/i.test(raw) && !/^\d+$/.test(raw)) throw new Error(`not a user name: "${raw}"`);
  return raw;
}
function nameList(raw: string): string[] {
  return raw.split(',').map((n) => n.trim()).filter(Boolean);
}
function absolutePath(raw: string): string {
  if (!raw.startsWith('/')) throw new Error(`expected an absolute path, got "${raw}"`);
  return raw;
}

/** Deep-merge stored values over defaults; unknown keys are ignored. */
export function mergeSettings(stored: unknown): Settings {
  const s = (stored && typeof stored === 'object' ? stored : {}) as Partial<Settings>;
  return {
    ...defaultSettings,
    ...s,
    thresholds: { ...defaultSettings.thresholds, ...(s.thresholds ?? {}) },
    severity: { ...(s.severity ?? {}) },
  };
}

/** Environment overrides, read once at the entry point (tools that run npm themselves cannot pass flags). */
export function applyEnvOverrides(settings: Settings, env: Record<string, string | undefined>, prefix: 'SAFE_NPM' | 'SAFE_PIP'): Settings {
  const out = { ...settings };
  // A bad value in the environment is a usage error naming the variable, never an internal error.
  const from = <T>(name: string, parse: (raw: string) => T): T | undefined => {
    const own = env[`${prefix}_${name}`];
    const raw = own ?? env[`SAFE_NPM_${name}`];
    if (!raw) return undefined;
    try {
      return parse(raw);
    } catch (error) {
      throw new UsageError(`${own !== undefined ? prefix : 'SAFE_NPM'}_${name}: ${(error as Error).message}`);
    }
  };
  out.runAsUser = from('RUN_AS_USER', userName) ?? out.runAsUser;
  out.scriptUser = from('SCRIPT_USER', userName) ?? out.scriptUser;
  out.cacheRoot = from('CACHE_ROOT', absolutePath) ?? out.cacheRoot;
  out.strictScripts = from('STRICT_SCRIPTS', boolean) ?? out.strictScripts;
  out.minReleaseAgeHours = from('MIN_RELEASE_AGE_HOURS', nonNegativeNumber) ?? out.minReleaseAgeHours;
  out.cooldownExclude = from('COOLDOWN_EXCLUDE', nameList) ?? out.cooldownExclude;
  out.sandbox = from('SANDBOX', oneOf('auto', 'require', 'off')) ?? out.sandbox;
  return out;
}
