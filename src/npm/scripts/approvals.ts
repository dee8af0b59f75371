import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { UsageError } from '../../core/errors.js';
import { asUserSync } from '../../run/effective-user.js';
import { MAX_USER_FILE_BYTES } from '../../run/user-files.js';
import { join } from 'node:path';
import semver from 'semver';
import type { ScriptDecision } from '../../config/store.js';
import { EVENT_ORDER, type ScriptCandidate } from './types.js';

/**
 * Identity and matching of script approvals.
 *
 * An approval (SafeStore, decision 'allow') is pinned to its key (name@version, see approvalKey),
 * the lockfile integrity and the scriptsDigest (plus, when recorded, the sha256 of files run as
 * `node <file>`). Anything else that changed makes it 'changed'; a new version is 'unreviewed'
 * (with the last approved version of the same name, for a diff). A deny is name-only and always
 * wins, whichever source it comes from.
 */

export type ApprovalStatus = 'approved' | 'denied' | 'unreviewed' | 'changed';

export interface AllowScriptsRule {
  /** The key as written in package.json. */
  key: string;
  name: string;
  /** Exact versions, or 'any' for a bare name. */
  versions: string[] | 'any';
  allow: boolean;
}

export interface AllowScripts {
  rules: AllowScriptsRule[];
  /** Keys/values npm would drop (ranges, dist-tags, non-boolean values). */
  warnings: string[];
}

export interface ApprovalSources {
  /** SafeStore.scriptDecisions('npm'). */
  decisions: Record<string, ScriptDecision>;
  /** readAllowScripts(root package.json). */
  allowScripts?: AllowScripts;
  /**
   * A bare-name `"x": true` in allowScripts allows every version (npm's meaning). 'approve' (default)
   * honours it like npm does; 'ignore' asks for a pinned approval instead.
   */
  unpinnedAllowScripts?: 'approve' | 'ignore';
}

export interface ScriptDiffEntry {
  event: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

export interface Classification {
  status: ApprovalStatus;
  /** Approved by a bare-name allowScripts entry (every version, as npm defines it): its key. */
  unpinned?: string;
  /** Which source decided ('store' | 'allowScripts'); undefined for unreviewed. */
  via?: 'store' | 'allowScripts';
  /** The store key an approval of this candidate is recorded under. */
  key: string;
  /** The approval this candidate is compared with: same key (changed) or last approved version (unreviewed). */
  previous?: ScriptDecision;
  /** Script text differences against `previous` (empty when there is none). */
  diff: ScriptDiffEntry[];
  /** The approval grants network access inside the sandbox. */
  network: boolean;
  /** One line for the report. */
  reason: string;
}

/**
 * The key an approval is stored under:
 * - root project: `project:<absolute path>` (first-party, approved separately);
 * - bundled dependency: `<parent>@<version>><name>@<version>` (its bytes are the parent's);
 * - registry: `name@version`;
 * - git/file/link/remote: `name@<resolved spec>` (git: URL with the commit; link: `file:<absolute path>`).
 */
export function approvalKey(c: ScriptCandidate): string {
  if (c.isRoot) return `project:${c.path}`;
  if (c.inBundle && c.bundledBy) return `${c.bundledBy.name}@${c.bundledBy.version}>${c.name}@${c.version}`;
  if (c.source === 'registry') return `${c.name}@${c.version}`;
  if (c.source === 'link') return `${c.name}@file:${c.path}`;
  return `${c.name}@${c.resolved ?? `${c.version}`}`;
}

/** The key a deny is stored under: the bare name (the project key for the root). */
export function denyKey(c: ScriptCandidate): string {
  return c.isRoot ? `project:${c.path}` : c.name;
}

/** Files run as `node <file>`: relative path -> sha256. */
export function referencedFileHashes(c: ScriptCandidate): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of c.referencedFiles) if (f.relative && f.sha256) out[f.relative] = f.sha256;
  return out;
}

/** A pinned approval of exactly what the user saw. */
export function makeApproval(c: ScriptCandidate, options: { network?: boolean; now?: Date } = {}): ScriptDecision {
  const files = referencedFileHashes(c);
  return {
    decision: 'allow',
    key: approvalKey(c),
    integrity: c.integrity,
    scriptsDigest: c.scriptsDigest,
    ...(options.network ? { network: true } : {}),
    scripts: { ...c.scripts } as Record<string, string>,
    ...(Object.keys(files).length ? { files } : {}),
    at: (options.now ?? new Date()).toISOString(),
  };
}

/** A name-only deny (covers every version, bundled copies included). */
export function makeDenial(c: ScriptCandidate, now = new Date()): ScriptDecision {
  return { decision: 'deny', key: denyKey(c), at: now.toISOString() };
}

/** Split an allowScripts key: `name`, `name@1.2.3`, `@s/name@1.2.3 || 1.2.4`. */
export function parseAllowScriptsKey(key: string): { name: string; spec?: string } {
  const at = key.indexOf('@', 1);
  if (at < 0) return { name: key.trim() };
  return { name: key.slice(0, at).trim(), spec: key.slice(at + 1).trim() };
}

/** Read npm's `allowScripts` (11.16+) from a parsed root package.json. */
export function readAllowScripts(pkgJson: unknown): AllowScripts {
  const out: AllowScripts = { rules: [], warnings: [] };
  const field = pkgJson && typeof pkgJson === 'object' ? (pkgJson as Record<string, unknown>).allowScripts : undefined;
  if (field === undefined) return out;
  if (!field || typeof field !== 'object' || Array.isArray(field)) {
    out.warnings.push('package.json allowScripts is not an object: ignored');
    return out;
  }
  for (const [key, value] of Object.entries(field as Record<string, unknown>)) {
    if (typeof value !== 'boolean') {
      out.warnings.push(`allowScripts["${key}"]: expected true or false, got ${JSON.stringify(value)}: ignored`);
      continue;
    }
    const { name, spec } = parseAllowScriptsKey(key);
    if (!name) {
      out.warnings.push(`allowScripts["${key}"]: no package name: ignored`);
      continue;
    }
    if (spec === undefined || spec === '') {
      out.rules.push({ key, name, versions: 'any', allow: value });
      continue;
    }
    const versions: string[] = [];
    for (const part of spec.split('||').map((s) => s.trim())) {
      const v = semver.valid(part);
      if (v && v === part.replace(/^[=v]+/, '')) versions.push(v);
      else out.warnings.push(`allowScripts["${key}"]: "${part}" is not an exact version (ranges and tags are ignored)`);
    }
    if (versions.length) out.rules.push({ key, name, versions, allow: value });
  }
  return out;
}

/** The allowScripts key npm itself writes: pinned for an allow, bare name for a deny. */
export function allowScriptsKey(c: Pick<ScriptCandidate, 'name' | 'version'>, allow: boolean): string {
  return allow ? `${c.name}@${c.version}` : c.name;
}

/**
 * Set `allowScripts[key] = allow` in <projectDir>/package.json, keeping its indent, line endings,
 * final newline and key order (the file is rewritten in place, so owner and mode stay).
 */
export function writeAllowScripts(projectDir: string, key: string, allow: boolean): void {
  const file = join(projectDir, 'package.json');
  // Read and rewritten through one descriptor, never through a link, and — in a project another
  // user owns, which is theirs to redirect — as them: root wrote through a link they put in its
  // place, and with a swap between its read and its write created a root file anywhere (attack trial).
  const folder = statSync(projectDir);
  asUserSync(folder.uid === 0 ? undefined : { uid: folder.uid, gid: folder.gid }, () => {
    let fd: number;
    try {
      fd = openSync(file, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(`the project's package.json ${code === 'ELOOP' ? 'is a link: not written through it' : `cannot be written (${code ?? 'error'})`}; the approval is kept in your own list only`);
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || st.size > MAX_USER_FILE_BYTES) throw new UsageError(`the project's package.json (${file}) is not a regular file under ${MAX_USER_FILE_BYTES} bytes: not written`);
      const text = allowScriptsText(readFileSync(fd, 'utf8'), key, allow);
      const bytes = Buffer.from(text);
      ftruncateSync(fd, 0);
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at, at);
    } finally {
      closeSync(fd);
    }
  });
}

/** package.json's text with `allowScripts[key] = allow`, in the file's own indent and line ends. */
function allowScriptsText(raw: string, key: string, allow: boolean): string {
  const pkg = JSON.parse(raw) as Record<string, unknown>;
  const eol = raw.includes('\r\n') ? '\r\n' : '\n';
  const indentMatch = /^[{[][ \t]*\r?\n([ \t]+)\S/.exec(raw);
  const indent = indentMatch ? indentMatch[1]! : raw.trimStart().startsWith('{}') ? 2 : raw.includes('\n') ? 2 : 0;
  const trailing = /\r?\n$/.test(raw) ? eol : '';
  const current = pkg.allowScripts && typeof pkg.allowScripts === 'object' && !Array.isArray(pkg.allowScripts) ? (pkg.allowScripts as Record<string, unknown>) : {};
  pkg.allowScripts = { ...current, [key]: allow };
  let text = JSON.stringify(pkg, null, indent);
  if (eol !== '\n') text = text.replace(/\n/g, eol);
  return text + trailing;
}

/** Differences between two event -> command maps, in event order. */
export function diffScripts(before: Record<string, string> | undefined, after: Partial<Record<string, string>>): ScriptDiffEntry[] {
  const b = before ?? {};
  const events = [...new Set([...EVENT_ORDER, ...Object.keys(b), ...Object.keys(after)])];
  const out: ScriptDiffEntry[] = [];
  for (const event of events) {
    const x = b[event];
    const y = after[event];
    if (x === undefined && y === undefined) continue;
    if (x === undefined) out.push({ event, change: 'added', after: y });
    else if (y === undefined) out.push({ event, change: 'removed', before: x });
    else if (x !== y) out.push({ event, change: 'changed', before: x, after: y });
  }
  return out;
}

/** The most recent allow recorded for another version of the same package (for "new version" diffs). */
export function lastApprovalOf(name: string, decisions: Record<string, ScriptDecision>, exceptKey?: string): ScriptDecision | undefined {
  let best: ScriptDecision | undefined;
  for (const [key, d] of Object.entries(decisions)) {
    if (d.decision !== 'allow' || key === exceptKey || key.includes('>') || !key.startsWith(`${name}@`)) continue;
    if (!best || d.at > best.at) best = d;
  }
  return best;
}

function ruleMatches(rule: AllowScriptsRule, c: ScriptCandidate): boolean {
  return rule.name === c.name && (rule.versions === 'any' || rule.versions.includes(c.version));
}

/** approved | denied | unreviewed | changed, with the approval it is compared with. */
export function classify(c: ScriptCandidate, sources: ApprovalSources): Classification {
  const key = approvalKey(c);
  const decisions = sources.decisions;
  const rules = c.isRoot ? [] : (sources.allowScripts?.rules ?? []);

  // 1. A deny always wins.
  const storeDeny = decisions[denyKey(c)];
  if (storeDeny?.decision === 'deny') {
    return { status: 'denied', via: 'store', key, diff: [], network: false, reason: `denied (${denyKey(c)}) in your safe-npm decisions` };
  }
  const ruleDeny = rules.find((r) => !r.allow && ruleMatches(r, c));
  if (ruleDeny) {
    return { status: 'denied', via: 'allowScripts', key, diff: [], network: false, reason: `denied by package.json allowScripts["${ruleDeny.key}"]` };
  }

  // 2. A pinned approval in the store: key + integrity + digest (+ referenced files) must all match.
  const stored = decisions[key];
  if (stored?.decision === 'allow') {
    const mismatch: string[] = [];
    if ((stored.integrity ?? '') !== (c.integrity ?? '')) mismatch.push('integrity');
    if (stored.scriptsDigest !== c.scriptsDigest) mismatch.push('scripts');
    if (stored.files) {
      const now = referencedFileHashes(c);
      const changedFiles = Object.keys({ ...stored.files, ...now }).filter((f) => stored.files![f] !== now[f]);
      if (changedFiles.length) mismatch.push(`files run by the scripts (${changedFiles.join(', ')})`);
    }
    if (!mismatch.length) {
      return { status: 'approved', via: 'store', key, previous: stored, diff: [], network: Boolean(stored.network), reason: `approved (${key})` };
    }
    return {
      status: 'changed',
      via: 'store',
      key,
      previous: stored,
      diff: diffScripts(stored.scripts, c.scripts),
      network: false,
      reason: `changed since approved: ${mismatch.join(', ')}`,
    };
  }

  // 3. npm's allowScripts: registry deps only, never bundled or aliased (as npm matches).
  if (c.source === 'registry' && !c.inBundle && !c.alias) {
    const pinned = rules.find((r) => r.allow && r.versions !== 'any' && ruleMatches(r, c));
    if (pinned) return { status: 'approved', via: 'allowScripts', key, diff: [], network: false, reason: `allowed by package.json allowScripts["${pinned.key}"]` };
    const bare = rules.find((r) => r.allow && r.versions === 'any' && ruleMatches(r, c));
    if (bare && (sources.unpinnedAllowScripts ?? 'approve') === 'approve') {
      return { status: 'approved', via: 'allowScripts', unpinned: bare.key, key, diff: [], network: false, reason: `allowed by package.json allowScripts["${bare.key}"] (every version)` };
    }
  }

  // 4. Unreviewed: compare with the last approved version of the same name, if any.
  const previous = c.isRoot ? undefined : lastApprovalOf(c.name, decisions, key);
  return {
    status: 'unreviewed',
    key,
    previous,
    diff: previous ? diffScripts(previous.scripts, c.scripts) : [],
    network: false,
    reason: previous ? `new version (last approved: ${previous.key})` : 'not reviewed yet',
  };
}

/** `safe-npm safe list --project`: the project's allowScripts entries, one line each, unpinned ones said as such. */
export function describeAllowScripts(allowScripts: AllowScripts): string[] {
  const lines = allowScripts.rules.map((r) => {
    const what = r.allow ? 'approved' : 'denied  ';
    const scope = r.versions === 'any'
      ? (r.allow ? '  (every version: a new release runs its scripts without asking; pin it as name@version)' : '  (every version)')
      : '';
    return `  ${what} ${r.key}${scope}`;
  });
  return [...lines, ...allowScripts.warnings.map((w) => `  ignored: ${w}`)];
}
