/**
 * `safe-npm safe …` / `safe-pip safe …`: our own subcommands — check, trust, untrust, list,
 * config get|set|list, setup, approve, deny, update-db, help. Returns an exit code.
 */
import { checkRootTempDir } from '../run/root-temp-dir.js';
import { readFileSync } from 'node:fs';
import { SafeStore } from '../config/store.js';
import { applyEnvOverrides, parseSettingKey, settingKeys } from '../config/settings.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Ecosystem, PackageReport } from '../core/types.js';
import { wantsColor } from '../ui/color.js';
import { formatReports, reportsToJson } from '../ui/format-report.js';
import { checkExitCode } from '../core/decide.js';
import { neutralize, terminalSafeJson } from '../ui/neutralize.js';
import type { SafeCommandIo } from './safe-command-io.js';
import { ownCommandFor } from './own-command.js';

const tools: Record<Ecosystem, 'safe-npm' | 'safe-pip'> = { npm: 'safe-npm', pypi: 'safe-pip' };

export async function runSafeCommand(ecosystem: Ecosystem, args: string[], io: SafeCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  // Root's temporary folders (approve's download, check's) go where only root can change them.
  if (sub === 'approve' || sub === 'check' || sub === 'update-db') checkRootTempDir();
  // As the user typed it: `npm safe …` / `pip safe …` through the shim or shell function.
  const tool = ownCommandFor(ecosystem, io.env);
  // `safe <command> --help` (as npm's `npm <command> --help`): that command's usage, nothing done.
  const own = sub === undefined ? undefined : commandHelp(tool, sub, ecosystem);
  if (own && wantsHelp(rest)) {
    io.stdout(own);
    return ExitCode.ok;
  }
  switch (sub) {
    case 'check':
      return safeCheck(ecosystem, rest, io);
    case 'trust':
    case 'untrust': {
      const names = positionalsOnly(rest, sub);
      if (names.length === 0) throw new UsageError(`usage: ${tool} safe ${sub} <name>...`);
      // Every name is checked before any is written; untrust stays lenient (it removes what is there).
      if (sub === 'trust') for (const raw of names) await checkTrustTarget(ecosystem, raw, tool, io.cwd);
      const store = await SafeStore.open();
      for (const raw of names) {
        const name = await canonicalName(ecosystem, raw);
        if (sub === 'trust') {
          store.trust(ecosystem, name);
          io.stdout(`trusted ${neutralize(name)}\n`);
        } else {
          if (store.untrust(ecosystem, name)) {
            io.stdout(`no longer trusted: ${neutralize(name)}\n`);
            continue;
          }
          // Trusted by version only (`safe trust x@1.0.0`): the name alone removes nothing; say what does.
          const versions = store.trustedNames(ecosystem).filter((t) => t.startsWith(`${name}@`) || t.startsWith(`${name}==`));
          io.stdout(versions.length
            ? `${neutralize(name)} is trusted only as ${versions.map(neutralize).join(', ')}; to untrust: ${tool} safe untrust ${versions.map(neutralize).join(' ')}\n`
            : `${neutralize(name)} was not trusted\n`);
        }
      }
      return ExitCode.ok;
    }
    case 'list': {
      for (const a of rest) if (a !== '--project') throw new UsageError(`usage: ${tool} safe list [--project]`);
      if (rest.includes('--project')) {
        if (ecosystem !== 'npm') throw new UsageError(`${tool} safe list --project is for npm projects (package.json allowScripts)`);
        const { listProjectApprovals } = await import('../npm/scripts/project-approvals.js');
        for (const line of listProjectApprovals(io.cwd)) io.stdout(`${neutralize(line)}\n`);
        return ExitCode.ok;
      }
      const store = await SafeStore.open();
      const trusted = store.trustedNames(ecosystem);
      const decisions = store.scriptDecisions(ecosystem);
      io.stdout(`trusted packages (${store.path}):\n`);
      // The store is a file the user (or anyone with their rights) may have edited: its names are data.
      for (const name of trusted) io.stdout(`  ${neutralize(name)}\n`);
      if (trusted.length === 0) io.stdout('  (none)\n');
      const keys = Object.keys(decisions).sort();
      if (keys.length) {
        io.stdout(`${ecosystem === 'npm' ? 'install scripts' : 'source builds'}:\n`);
        for (const key of keys) {
          const d = decisions[key]!;
          io.stdout(`  ${d.decision === 'allow' ? 'approved' : 'denied  '} ${neutralize(key)}${d.network ? ' (network)' : ''}\n`);
        }
      }
      return ExitCode.ok;
    }
    case 'config':
      return safeConfig(ecosystem, rest, io);
    case 'setup': {
      const { runSetup } = await import('./setup.js');
      return runSetup(ecosystem, rest, io);
    }
    case 'update-db': {
      const { runUpdateDb } = await import('../feed/update-db.js');
      return runUpdateDb(ecosystem, rest, io);
    }
    case 'approve':
    case 'deny': {
      const { runApprovalCommand } = await import('./approval-commands.js');
      return runApprovalCommand(ecosystem, sub, rest, io);
    }
    case 'version':
    case '--version':
    case '-v':
      if (rest.length > 0) throw new UsageError(`usage: ${tool} safe version`);
      io.stdout(`${tools[ecosystem]} ${ownVersion()}\n`);
      return ExitCode.ok;
    case 'help':
    case '--help':
    case '-h':
      io.stdout(helpText(tool, ecosystem));
      return ExitCode.ok;
    case undefined:
      // A usage error: the usage goes where errors go.
      io.stderr(helpText(tool, ecosystem));
      return ExitCode.usage;
    default:
      throw new UsageError(`unknown subcommand "safe ${sub}" (see: ${tool} safe help)`);
  }
}

/** The approve/deny lines differ per tool: npm approves install scripts, pip source builds. */
const approvalHelp: Record<'safe-npm' | 'safe-pip', string> = {
  'safe-npm': `  approve <name>@<version> | . [--network] [--project]   pre-approve install scripts (. : the project's own)
  deny <name>                            never run this package's install scripts / build
`,
  'safe-pip': `  approve <name>[==<version>] | <URL or path>...     pre-approve a source build (sdist, direct URL, local folder)
  deny <name>                            never build this project from source
`,
};

/** `--help` or `-h` among a command's own arguments (before a `--`). */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** The help lines of one command (`trust` and `untrust` share one), as `<tool> safe <usage>`; undefined for no such command. */
export function commandHelp(tool: string, sub: string, ecosystem: Ecosystem): string | undefined {
  const lines = helpText(tool, ecosystem).split('\n').slice(1)
    .filter((l) => l.trim().split(/\s+/)[0] === sub || l.includes(`| ${sub} `));
  if (lines.length === 0 || sub === 'version' || sub === 'help') return undefined;
  return `${lines.map((l) => `${tool} safe ${l.trim()}`).join('\n')}\n(all commands: ${tool} safe help)\n`;
}

/** check and list differ too: npm checks the tree a spec brings and has project approvals (package.json); pip neither. */
const checkListHelp: Record<'safe-npm' | 'safe-pip', string> = {
  'safe-npm': `  check [--offline] [--no-deps] [--json] <spec>...   analyse what installing would bring, without installing (exit 65 if any is blocked; --no-deps: the named packages only)
  trust <name>... | untrust <name>...    per-user allowlist
  list [--project]                       trusted packages and script decisions (--project: package.json allowScripts)
`,
  'safe-pip': `  check [--offline] [--json] <requirement>...   analyse the named projects without installing (exit 65 if any is blocked)
  trust <name>... | untrust <name>...    per-user allowlist
  list                                   trusted projects and build decisions
`,
};

/** `tool`: as the user typed it (ownCommandFor); the lines themselves are the ecosystem's. */
export function helpText(tool: string, ecosystem: Ecosystem): string {
  const own = tools[ecosystem];
  return `${tool} safe <command>
${checkListHelp[own]}  config get|set|list [<key> [value]]    thresholds, run-as user, severities (keys: ${Object.keys(settingKeys).join(', ')}, severity.<check>)
${approvalHelp[own]}  update-db [--url <url>]                download the known-malicious feed (OSV MAL- records) into your cache
  setup [--shell bash|zsh|fish] [--uninstall]        add (or remove) the shell function to your rc file
  version | help
`;
}

function positionalsOnly(args: string[], sub: string): string[] {
  for (const a of args) if (a.startsWith('-')) throw new UsageError(`unknown option for safe ${sub}: ${a}`);
  return args;
}

/**
 * What `trust` may record: npm a registry name or name@exact-version (what the allowlist is keyed by),
 * PyPI a project name. A path, a range or a name no registry can have would be trusted and never match.
 */
async function checkTrustTarget(ecosystem: Ecosystem, raw: string, tool: string, cwd: string): Promise<void> {
  if (ecosystem === 'pypi') {
    const { isPypiProjectName } = await import('../pypi/normalize-name.js');
    if (!isPypiProjectName(raw)) {
      throw new UsageError(`cannot trust ${JSON.stringify(raw)}: not a project name (${tool} safe trust <name>)`);
    }
    return;
  }
  const { parseSpec } = await import('../npm/parse-npm-args.js');
  const spec = parseSpec(raw, cwd);
  const bareName = raw === spec.name;
  if (!spec.fromRegistry || spec.type === 'alias' || !(bareName || spec.type === 'version')) {
    throw new UsageError(`cannot trust ${JSON.stringify(raw)}: give a registry package name or name@version (${tool} safe trust lodash, ${tool} safe trust lodash@4.17.21)`);
  }
}

async function canonicalName(ecosystem: Ecosystem, raw: string): Promise<string> {
  if (ecosystem === 'pypi') {
    const { normalizePypiName } = await import('../pypi/normalize-name.js');
    return normalizePypiName(raw);
  }
  return raw;
}

async function safeConfig(ecosystem: Ecosystem, args: string[], io: SafeCommandIo): Promise<number> {
  const [action, key, value, ...extra] = args;
  const tool = ownCommandFor(ecosystem, io.env);
  const store = await SafeStore.open();
  if ((action === 'list' && key === undefined) || (action === 'get' && key === undefined)) {
    io.stdout(`${terminalSafeJson(JSON.stringify(applyEnvOverrides(store.settings(), io.env, ecosystem === 'npm' ? 'SAFE_NPM' : 'SAFE_PIP'), null, 2))}\n`);
    return ExitCode.ok;
  }
  if (action === 'get' && key) {
    const spec = parseSettingKey(key);
    if (!spec) throw new UsageError(`unknown config key "${key}" (keys: ${Object.keys(settingKeys).join(', ')}, severity.<check>)`);
    const current = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], store.settings());
    io.stdout(`${current === undefined ? '' : neutralize(typeof current === 'string' ? current : JSON.stringify(current))}\n`);
    return ExitCode.ok;
  }
  if (action === 'set' && key && value !== undefined && extra.length === 0) {
    const spec = parseSettingKey(key);
    if (!spec) throw new UsageError(`unknown config key "${key}" (keys: ${Object.keys(settingKeys).join(', ')}, severity.<check>)`);
    let parsed: unknown;
    try {
      parsed = spec.parse(value);
    } catch (error) {
      throw new UsageError(`${key}: ${(error as Error).message}`);
    }
    store.setSetting(key, parsed);
    io.stdout(`${key} = ${neutralize(typeof parsed === 'string' ? parsed : JSON.stringify(parsed))}\n`);
    return ExitCode.ok;
  }
  throw new UsageError(`usage: ${tool} safe config get|set|list [<key> [value]]`);
}

async function safeCheck(ecosystem: Ecosystem, args: string[], io: SafeCommandIo): Promise<number> {
  let offline = false;
  let json = false;
  let deps = true;
  const specs: string[] = [];
  let onlyPositionals = false;
  for (const a of args) {
    if (!onlyPositionals && a === '--') onlyPositionals = true;
    else if (!onlyPositionals && a === '--offline') offline = true;
    else if (!onlyPositionals && a === '--json') json = true;
    else if (!onlyPositionals && a === '--no-deps') deps = false;
    else if (!onlyPositionals && a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option for safe check: ${a}`);
    else specs.push(a);
  }
  // pip's check looks at the named projects only: --no-deps is npm's (accepted, not advertised, for pip).
  if (specs.length === 0) throw new UsageError(`usage: ${ownCommandFor(ecosystem, io.env)} safe check ${ecosystem === 'npm' ? '[--offline] [--no-deps] [--json] <spec>...' : '[--offline] [--json] <requirement>...'}`);

  let reports: PackageReport[];
  // How many packages were checked: an npm spec's whole tree, of which only what has something to say is reported.
  let count: number;
  if (ecosystem === 'npm') {
    const { checkNpmForReport } = await import('./npm-check.js');
    const checked = await checkNpmForReport(specs, { offline, deps, io });
    if (typeof checked === 'number') return checked;
    ({ reports, checked: count } = checked);
  } else {
    const { checkPypiForReport } = await import('./pip-check.js');
    reports = await checkPypiForReport(specs, { offline, io });
    count = reports.length;
  }
  if (json) io.stdout(`${reportsToJson(reports)}\n`);
  else {
    const text = formatReports(reports, { color: wantsColor(io.stdoutIsTTY, io.env), showInfo: true });
    const blocked = reports.filter((r) => r.verdict === 'block').length;
    const warned = reports.filter((r) => r.verdict === 'warn').length;
    io.stdout(`${text ? `${text}\n` : ''}${count} checked: ${count - blocked - warned} ok, ${warned} warn, ${blocked} block\n`);
  }
  // As an install would end: blocked (65), or 68 when the only blocks are facts that could not be fetched.
  return checkExitCode(reports);
}


/** Our own version (package.json next to dist/), not npm's: `npm --version` stays npm's. */
function ownVersion(): string {
  try {
    return String((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version);
  } catch {
    return 'unknown';
  }
}
