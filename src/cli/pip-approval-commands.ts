/**
 * `safe-pip safe approve <name>[==<version>] | <name>@<version> | <URL or path>` and
 * `safe-pip safe deny <name>`: decide about source builds before an install. The keys are the ones
 * the install flow looks up (flow/pip-install.ts vetBuild): `<normalized name>@<version>` (one
 * version), the bare normalized name (every version), or a direct URL exactly as pip reports it
 * (a local path is turned into its file:// URL). A deny covers every version of the name.
 * `--content <digest>` pins the approval to the source tree safe-pip read (it prints the digest).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SafeStore } from '../config/store.js';
import { UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { isPypiProjectName, normalizePypiName } from '../pypi/normalize-name.js';
import { ownPipCommandName } from './own-command.js';
import type { SafeCommandIo } from './safe-command-io.js';

const VERSION = /^[A-Za-z0-9.+!_-]+$/;

export type BuildApprovalTarget = { kind: 'name'; name: string; version?: string } | { kind: 'url'; url: string; name?: string };

/** Pure: what one `approve` argument names. */
export function parseApprovalTarget(raw: string, cwd: string, exists: (path: string) => boolean = existsSync): BuildApprovalTarget {
  const arg = raw.trim();
  const direct = arg.match(/^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*@\s*(\S+:\/\/\S+|\S+\+\S+:\S+)$/);
  if (direct) return { kind: 'url', name: normalizePypiName(direct[1]!), url: stripFragment(direct[2]!) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) return { kind: 'url', url: stripFragment(arg) };
  if (arg.startsWith('.') || arg.startsWith('/') || arg.startsWith('~') || (arg.includes('/') && exists(resolve(cwd, arg)))) {
    const path = resolve(cwd, arg);
    if (!exists(path)) throw new UsageError(`no such file or folder: ${arg}`);
    return { kind: 'url', url: pathToFileURL(path).href };
  }
  const pinned = arg.match(/^(.+?)\s*(?:===?|@)\s*(.+)$/);
  const name = (pinned ? pinned[1]! : arg).trim();
  const version = pinned?.[2]?.trim();
  if (!isPypiProjectName(name) || (version !== undefined && !VERSION.test(version))) {
    throw new UsageError(`not a package name, name==version or URL: "${raw}"`);
  }
  return { kind: 'name', name: normalizePypiName(name), version };
}

function stripFragment(url: string): string {
  return url.split('#')[0]!;
}

export function approvalKey(t: BuildApprovalTarget): string {
  if (t.kind === 'url') return t.url;
  return t.version ? `${t.name}@${t.version}` : t.name;
}

export async function runPipApprovalCommand(sub: 'approve' | 'deny', args: string[], io: SafeCommandIo): Promise<number> {
  const tool = ownPipCommandName(io.env);
  const targets: string[] = [];
  // --content <digest>: approve exactly the source tree safe-pip read (the digest it printed), even
  // with a content finding that otherwise blocks the build; other content is then not approved.
  let content: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (sub === 'approve' && (a === '--content' || a.startsWith('--content='))) {
      content = a.includes('=') ? a.slice('--content='.length) : args[++i];
      if (!content || !/^[0-9a-f]{64}$/.test(content)) throw new UsageError('--content takes the 64-digit digest safe-pip printed for the build');
      continue;
    }
    if (a.startsWith('-')) throw new UsageError(`unknown option for safe ${sub}: ${a}`);
    targets.push(a);
  }
  if (content && targets.length !== 1) throw new UsageError(`--content approves one build: ${tool} safe approve <name>==<version> --content <digest>`);
  if (targets.length === 0) {
    throw new UsageError(sub === 'approve'
      ? `usage: ${tool} safe approve <name>[==<version>] | <URL or path>...`
      : `usage: ${tool} safe deny <name>...`);
  }
  const store = await SafeStore.open();
  const at = new Date().toISOString();
  const parsed = targets.map((t) => parseApprovalTarget(t, io.cwd));
  for (const t of parsed) {
    if (sub === 'deny') {
      if (t.kind !== 'name' || t.version) throw new UsageError(`deny takes a project name (it covers every version): ${tool} safe deny ${t.kind === 'name' ? t.name : '<name>'}`);
      store.recordScriptDecision('pypi', { decision: 'deny', key: t.name, at });
      io.stdout(`denied source builds of ${t.name} (every version)\n`);
      continue;
    }
    const key = approvalKey(t);
    const name = t.name;
    const denied = name ? store.scriptDecisions('pypi')[name] : undefined;
    if (denied?.decision === 'deny' && key !== name) {
      store.removeScriptDecision('pypi', name!);
      io.stdout(`removed the deny on ${name}\n`);
    }
    store.recordScriptDecision('pypi', { decision: 'allow', key, at, ...(content ? { scriptsDigest: content } : {}) });
    const exactly = content ? ` (exactly the content ${content.slice(0, 12)}…)` : '';
    io.stdout(t.kind === 'url'
      ? `approved building ${t.url}${exactly} (its code runs as the install's user)\n`
      : `approved building ${t.name}${t.version ? `==${t.version}` : ' (every version)'} from source${exactly} (its code runs as the install's user)\n`);
  }
  return ExitCode.ok;
}
