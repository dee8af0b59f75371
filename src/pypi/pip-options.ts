/**
 * pip's command-line options as data: which take a value, which commands accept them, and what
 * they mean to safe-pip. Taken from pip's own optparse parsers (pip 23.0.1 and 23.2.1 dumped with
 * `create_command(c).parser`; newer options from pip's changelog, tagged with `since`).
 * test/unit/pypi/pip-options.test.ts compares this table with the pip installed on the machine.
 */

/** What an option means to safe-pip when it rebuilds pip command lines. */
export type OptionRole =
  | 'general' // session/output options (cert, proxy, verbosity...): kept everywhere
  | 'help' // -h / -V: the command only prints: pass through
  | 'python' // --python: another interpreter (pip re-executes)
  | 'requirements' // -r / -c / -e / --group / --requirements-from-script: what to install
  | 'index' // -i / --extra-index-url / --no-index / -f: where from
  | 'format' // --only-binary / --no-binary / --prefer-binary: we control these
  | 'resolve' // choices that change what resolves (--pre, -U, platform...)
  | 'install' // install behaviour kept for the final install (--no-deps, --force-reinstall, --compile...)
  | 'destination' // --target / --prefix / --root / --user / --no-user / --break-system-packages
  | 'build' // only matter when something is built (-C, --no-build-isolation...)
  | 'dry-run'
  | 'report'
  | 'hashes' // --require-hashes / --no-require-hashes
  | 'output-dir'; // download -d / wheel -w

/** The commands that may build or install (lock: pip >= 25.1, resolves like download). */
export type PipCommand = 'install' | 'download' | 'wheel' | 'lock';

export interface OptionSpec {
  /** Canonical long name, e.g. "--index-url". */
  name: string;
  /** Other long spellings ("--pypi-url"). */
  aliases: string[];
  /** Short letter(s), e.g. "-i". */
  short: string[];
  takesValue: boolean;
  role: OptionRole;
  /** undefined = a general option (every command); otherwise the commands that accept it. */
  commands?: PipCommand[];
  /** First pip version that has it ([major, minor]). */
  since?: [number, number];
  /** First pip version that no longer has it. */
  until?: [number, number];
  /** A short alias added later than the option itself. */
  shortSince?: [number, number];
}

const I: PipCommand[] = ['install'];
const ID: PipCommand[] = ['install', 'download'];
const ALL: PipCommand[] = ['install', 'download', 'wheel'];
/** ALL plus `pip lock` (25.1+), for the options lock's parser also has. */
const ALLL: PipCommand[] = ['install', 'download', 'wheel', 'lock'];
const IWL: PipCommand[] = ['install', 'wheel', 'lock'];

function o(spec: string, takesValue: boolean, role: OptionRole, commands?: PipCommand[], extra: Partial<OptionSpec> = {}): OptionSpec {
  const parts = spec.split(/\s+/);
  const longs = parts.filter((p) => p.startsWith('--'));
  const shorts = parts.filter((p) => /^-[^-]$/.test(p));
  return { name: longs[0]!, aliases: longs.slice(1), short: shorts, takesValue, role, commands, ...extra };
}

export const pipOptions: readonly OptionSpec[] = [
  // general options (pip/_internal/cli/cmdoptions.py general_group)
  o('--help -h', false, 'help'),
  o('--debug', false, 'general'),
  o('--isolated', false, 'general'),
  o('--require-virtualenv --require-venv', false, 'general'),
  o('--python', true, 'python'),
  o('--verbose -v', false, 'general'),
  o('--version -V', false, 'help'),
  o('--quiet -q', false, 'general'),
  o('--log --log-file --local-log', true, 'general'),
  o('--no-input', false, 'general'),
  o('--keyring-provider', true, 'general', undefined, { since: [23, 1] }),
  o('--proxy', true, 'general'),
  o('--retries', true, 'general'),
  o('--resume-retries', true, 'general', undefined, { since: [25, 1] }),
  o('--timeout --default-timeout', true, 'general'),
  o('--exists-action', true, 'general'),
  o('--trusted-host', true, 'general'),
  o('--cert', true, 'general'),
  o('--client-cert', true, 'general'),
  o('--cache-dir', true, 'general'),
  o('--no-cache-dir', false, 'general'),
  o('--disable-pip-version-check', false, 'general'),
  o('--no-color', false, 'general'),
  o('--no-python-version-warning', false, 'general'),
  o('--no-proxy-env', false, 'general', undefined, { since: [26, 0] }),
  o('--use-feature', true, 'general'),
  o('--use-deprecated', true, 'general'),

  // requirement sources
  o('--requirement -r', true, 'requirements', ALLL),
  o('--constraint -c', true, 'requirements', ALLL),
  o('--editable -e', true, 'requirements', IWL),
  o('--group', true, 'requirements', ALLL, { since: [25, 1] }),
  o('--requirements-from-script', true, 'requirements', ALLL, { since: [26, 0] }),

  // index options
  o('--index-url --pypi-url -i', true, 'index', ALLL),
  o('--extra-index-url', true, 'index', ALLL),
  o('--no-index', false, 'index', ALLL),
  o('--find-links -f', true, 'index', ALLL),

  // format control
  o('--no-binary', true, 'format', ALLL),
  o('--only-binary', true, 'format', ALLL),
  o('--prefer-binary', false, 'format', ALLL),

  // resolution
  o('--pre', false, 'resolve', ALLL),
  o('--upgrade -U', false, 'resolve', I),
  o('--upgrade-strategy', true, 'resolve', I),
  o('--ignore-installed -I', false, 'install', I),
  o('--force-reinstall', false, 'install', I),
  o('--no-deps --no-dependencies', false, 'install', ALLL),
  o('--ignore-requires-python', false, 'install', ALLL),
  o('--platform', true, 'install', ID),
  o('--python-version', true, 'install', ID),
  o('--implementation', true, 'install', ID),
  o('--abi', true, 'install', ID),
  o('--uploaded-prior-to', true, 'resolve', ALLL, { since: [26, 0] }),
  // release control and index refresh (pip 26): they only change what resolves
  o('--all-releases', true, 'resolve', ALLL, { since: [26, 0] }),
  o('--only-final', true, 'resolve', ALLL, { since: [26, 0] }),
  o('--only-deps --only-dependencies', false, 'resolve', ALLL, { since: [26, 2] }),
  o('--refresh-package', true, 'resolve', ALLL, { since: [26, 2] }),

  // destination
  o('--target -t', true, 'destination', I),
  o('--user', false, 'destination', I),
  o('--no-user', false, 'destination', I),
  o('--root', true, 'destination', I),
  o('--prefix', true, 'destination', I),
  o('--break-system-packages', false, 'destination', I),
  o('--dest --destination-dir --destination-directory -d', true, 'output-dir', ['download']),
  o('--wheel-dir -w', true, 'output-dir', ['wheel']),
  o('--output -o', true, 'output-dir', ['lock'], { since: [25, 1] }),

  // builds
  o('--src --source --source-dir --source-directory', true, 'build', ALLL),
  o('--no-build-isolation', false, 'build', ALLL),
  o('--use-pep517', false, 'build', ALLL),
  o('--no-use-pep517', false, 'build', ALL, { until: [25, 3] }),
  o('--check-build-dependencies', false, 'build', ALLL),
  o('--config-settings -C', true, 'build', IWL, { shortSince: [23, 1] }),
  o('--global-option', true, 'build', ALL, { until: [25, 3] }),
  o('--build-option', true, 'build', ['wheel'], { until: [25, 3] }),
  o('--install-option', true, 'build', I, { until: [23, 1] }),
  o('--build-constraint', true, 'build', ALLL, { since: [25, 3] }),
  o('--no-clean', false, 'build', ALLL),
  o('--no-verify', false, 'build', ['wheel']),

  // install behaviour
  o('--compile', false, 'install', I),
  o('--no-compile', false, 'install', I),
  o('--no-warn-script-location', false, 'install', I),
  o('--no-warn-conflicts', false, 'install', I),
  o('--progress-bar', true, 'install', ALLL),
  o('--root-user-action', true, 'install', I),

  o('--dry-run', false, 'dry-run', I),
  o('--report', true, 'report', I),
  o('--require-hashes', false, 'hashes', ALLL),
  o('--no-require-hashes', false, 'hashes', ALLL, { since: [26, 2] }),
];

/** pip version as [major, minor]; unknown = assume the newest. */
export type PipVersion = [number, number];

export function atLeast(v: PipVersion | undefined, min: [number, number]): boolean {
  if (!v) return true;
  return v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);
}

function present(spec: OptionSpec, version: PipVersion | undefined): boolean {
  if (spec.since && !atLeast(version, spec.since)) return false;
  if (spec.until && version && atLeast(version, spec.until)) return false;
  return true;
}

/** The options a pip command (or, with `undefined`, pip's main parser) accepts, for a pip version. */
export function optionsFor(command: PipCommand | undefined, version?: PipVersion): OptionSpec[] {
  return pipOptions
    .filter((s) => present(s, version))
    .filter((s) => (command === undefined ? s.commands === undefined : s.commands === undefined || s.commands.includes(command)))
    .map((s) => (s.short.length && s.shortSince && !atLeast(version, s.shortSince) ? { ...s, short: [] } : s));
}

/** pip's commands; the ones not listed in PipCommand never install or build anything. */
export const pipCommandNames = [
  'install', 'download', 'uninstall', 'freeze', 'inspect', 'list', 'show', 'check', 'config', 'search',
  'cache', 'index', 'wheel', 'hash', 'completion', 'debug', 'help', 'lock',
] as const;
