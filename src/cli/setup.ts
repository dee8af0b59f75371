/**
 * `safe setup [--shell bash|zsh|fish] [--uninstall]`: idempotently add (or remove) shell functions
 * that send npm/npx (or pip, pip3, the pipX.Y found on PATH, and `python -m pip` for python,
 * python3 and py) through our shims, in a marked block of the user's rc file.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Ecosystem } from '../core/types.js';
import { ownCommandName } from './own-command.js';
import type { SafeCommandIo } from './safe-command-io.js';
import { applyEnvOverrides } from '../config/settings.js';
import { SafeStore } from '../config/store.js';
import { createSystemUser, resolveBuildIdentities } from '../run/build-identity.js';
import { lookupUser } from '../run/users.js';
import { foreignRootFolder, rootFolderAdvice } from '../run/root-own-folder.js';
import { describeRedirectable, redirectableAt } from '../run/redirectable-path.js';

type Shell = 'bash' | 'zsh' | 'fish';
const shimDir = fileURLToPath(new URL('../../shims/', import.meta.url)).replace(/\/$/, '');
const commandsFor: Record<Ecosystem, string[]> = { npm: ['npm', 'npx'], pypi: ['pip', 'pip3'] };

export function rcFileFor(shell: Shell, env: Record<string, string | undefined>, home: string): string {
  if (shell === 'zsh') return join(env.ZDOTDIR ?? home, '.zshrc');
  if (shell === 'fish') return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'fish', 'config.fish');
  return join(home, '.bashrc');
}

/** The pipX.Y names (pip3.11…) and the py launcher found on PATH, outside our shims. */
export function pythonNamesOnPath(path: string | undefined, shims = shimDir): { pips: string[]; py: boolean } {
  const pips = new Set<string>();
  let py = false;
  for (const dir of (path ?? '').split(':').filter((d) => d && d !== shims)) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) if (/^pip\d+\.\d+$/.test(n)) pips.add(n);
    py ||= names.includes('py');
  }
  return { pips: [...pips].sort(), py };
}

export function setupBlock(ecosystem: Ecosystem, shell: Shell, shims = shimDir, onPath: { pips: string[]; py: boolean } = { pips: [], py: false }): string {
  const tag = ecosystem === 'npm' ? 'safe-npm' : 'safe-pip';
  const lines = commandsFor[ecosystem].map((cmd) =>
    shell === 'fish'
      ? `function ${cmd}; ${quote(join(shims, cmd))} $argv; end`
      : `${cmd}() { ${quote(join(shims, cmd))} "$@"; }`,
  );
  if (ecosystem === 'pypi') lines.push(...pythonFunctions(shell, shims, onPath));
  // After this block, our own commands are typed through the function: `npm safe …`, `pip safe …`.
  const self = ecosystem === 'npm' ? 'npm' : 'pip';
  return [`# >>> ${tag} >>>`, `# added by '${tag} safe setup'; remove with '${self} safe setup --uninstall'`, ...lines, `# <<< ${tag} <<<`].join('\n');
}

/**
 * pipX.Y names go to the pip shim under their own name. python/python3/py: only exactly
 * `-m pip …` (or `-mpip`) reaches the python shim, which routes the installing ones to safe-pip;
 * anything else is the real interpreter at once (a test in the shell, no process of ours).
 */
function pythonFunctions(shell: Shell, shims: string, onPath: { pips: string[]; py: boolean }): string[] {
  const pip = quote(join(shims, 'pip'));
  const python = quote(join(shims, 'python'));
  const out = onPath.pips.map((n) => (shell === 'fish'
    ? `function ${n}; env SAFE_PIP_SHIM_NAME=${n} ${pip} $argv; end`
    : `${n}() { SAFE_PIP_SHIM_NAME=${n} ${pip} "$@"; }`));
  for (const n of ['python', 'python3', ...(onPath.py ? ['py'] : [])]) {
    // py may take a version selector first: py -3.11 -m pip …
    const at = n === 'py' ? [1, 2] : [1];
    if (shell === 'fish') {
      const test = at.map((i) => `test "$argv[${i}]" = -m -a "$argv[${i + 1}]" = pip -o "$argv[${i}]" = -mpip`).join('; or ');
      out.push(`function ${n}; if ${test}; env SAFE_PIP_SHIM_NAME=${n} ${python} $argv; else; command ${n} $argv; end; end`);
    } else {
      const test = at.map((i) => `{ [ "\${${i}-}" = -m ] && [ "\${${i + 1}-}" = pip ]; } || [ "\${${i}-}" = -mpip ]`).join(' || ');
      out.push(`${n}() { if ${test}; then SAFE_PIP_SHIM_NAME=${n} ${python} "$@"; else command ${n} "$@"; fi; }`);
    }
  }
  return out;
}

/** Pure: the rc text with our block added/replaced (or removed). */
export function applyBlock(text: string, ecosystem: Ecosystem, block: string | undefined): string {
  const tag = ecosystem === 'npm' ? 'safe-npm' : 'safe-pip';
  // The block and the blank lines before it go; what remains ends with exactly one newline.
  const pattern = new RegExp(`\\n*# >>> ${tag} >>>[\\s\\S]*?# <<< ${tag} <<<\\n?`, 'g');
  const stripped = text.replace(pattern, '\n');
  const without = stripped.trim() === '' ? '' : `${stripped.replace(/\n+$/, '')}\n`;
  if (!block) return without.replace(/^\n+/, '');
  const base = without.length === 0 || without.endsWith('\n') ? without : `${without}\n`;
  return `${base}${base.trim() ? '\n' : ''}${block}\n`;
}

export async function runSetup(ecosystem: Ecosystem, args: string[], io: SafeCommandIo): Promise<number> {
  let shell: Shell | undefined;
  let uninstall = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--uninstall') uninstall = true;
    else if (a === '--shell' || a.startsWith('--shell=')) {
      const v = a.includes('=') ? a.slice(8) : args[++i];
      if (v !== 'bash' && v !== 'zsh' && v !== 'fish') throw new UsageError('--shell takes bash, zsh or fish');
      shell = v;
    } else throw new UsageError(`unknown option for safe setup: ${a}`);
  }
  if (!uninstall && ecosystem === 'npm' && process.geteuid?.() === 0) await ensureBuildUsers(io);
  shell ??= detectShell(io.env.SHELL);
  const rc = rcFileFor(shell, io.env, io.env.HOME ?? homedir());
  refuseForeignRcFile(rc, shell, io.env);
  const before = existsSync(rc) ? readFileSync(rc, 'utf8') : '';
  const block = uninstall ? undefined : setupBlock(ecosystem, shell, shimDir, ecosystem === 'pypi' ? pythonNamesOnPath(io.env.PATH) : undefined);
  const after = applyBlock(before, ecosystem, block);
  // Our block, exactly, anywhere in the file (lines of the user's own may follow it): nothing to do.
  if (after === before || (block && before.includes(`${block}\n`))) {
    io.stdout(`${rc} is already up to date\n`);
    return ExitCode.ok;
  }
  mkdirSync(dirname(rc), { recursive: true });
  writeFileSync(rc, after);
  if (block) io.stdout(`added to ${rc}:\n${block}\nopen a new shell (or: source ${rc}) to use it; ${ecosystem === 'npm' ? 'then npm install goes through safe-npm, and its own commands are `npm safe …` (npm safe help)' : 'then pip install goes through safe-pip, and its own commands are `pip safe …` (pip safe help)'}\n`);
  else io.stdout(`removed the ${ecosystem === 'npm' ? 'safe-npm' : 'safe-pip'} block from ${rc}\n`);
  return ExitCode.ok;
}

/**
 * Root reads and rewrites the rc file by path: in a folder another user can change (their HOME,
 * ZDOTDIR or XDG_CONFIG_HOME, kept by `sudo -E`) a link they put there — or swap in between —
 * led root's write to any file, with content of theirs (attack trial). Refused (64) before reading.
 */
function refuseForeignRcFile(rc: string, shell: Shell, env: Record<string, string | undefined>): void {
  const foreign = foreignRootFolder(dirname(rc)) ?? redirectableRc(rc);
  if (!foreign) return;
  const variable = shell === 'zsh' && env.ZDOTDIR ? 'ZDOTDIR' : shell === 'fish' && env.XDG_CONFIG_HOME ? 'XDG_CONFIG_HOME' : 'HOME';
  const advice = variable === 'HOME' ? 'run it as that user for their shell, or give root its own HOME (sudo -H, not sudo -E)' : rootFolderAdvice(variable, env);
  throw new UsageError(`root will not write ${rc}: ${foreign} can be changed by someone other than root, who could lead the write to any file; ${advice}`);
}

/** A link at the rc file itself leading where someone else can change the way. */
function redirectableRc(rc: string): string | undefined {
  if (process.geteuid?.() !== 0) return undefined;
  const found = redirectableAt(rc);
  return found ? describeRedirectable(found) : undefined;
}

/** As root: the install and script identities root's installs run as (see run/build-identity.ts). */
async function ensureBuildUsers(io: SafeCommandIo): Promise<void> {
  const settings = applyEnvOverrides((await SafeStore.open({ readOnly: true })).settings(), io.env, 'SAFE_NPM');
  const ids = resolveBuildIdentities(settings, { lookup: (u) => lookupUser(u), createSystemUser }, { command: ownCommandName(io.env), env: io.env });
  for (const w of ids.warnings) io.stderr(`safe-npm: ${w}\n`);
  io.stdout(`build users: ${ids.install.name} (uid ${ids.install.uid}) runs npm and owns its cache; ${ids.scripts.name} (uid ${ids.scripts.uid}) runs approved install scripts\n`);
}

function detectShell(shellPath: string | undefined): Shell {
  const name = basename(shellPath ?? 'bash');
  return name === 'zsh' || name === 'fish' ? name : 'bash';
}

function quote(path: string): string {
  return /^[\w/.-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
