/**
 * Build vetting: a source build runs the package's code, so pip may run it only when it was
 * pre-approved (`safe-pip safe approve`) or approved at a terminal prompt. --safe-yes never approves
 * one. What the build would run (setup.py, an in-tree build backend) is read first, by the content
 * scan: its findings are shown with file and line, and a high-confidence one blocks the build unless
 * exactly this content was approved (`safe-pip safe approve … --content <digest>`).
 */
import type { ScriptDecision } from '../config/store.js';
import { ExitCode } from '../core/exit-codes.js';
import { normalizePypiName } from '../pypi/normalize-name.js';
import type { GuardRefusal, GuardSidecar } from '../pypi/pip-guard.js';
import { declaredUrlDependencies, type ReportItem } from '../pypi/pip-report.js';
import { scanSdist } from '../scan/python-sdist.js';
import { describeContentFinding } from '../scan/scan.js';
import type { ContentFinding } from '../scan/types.js';
import { note, say, type NeededBuild, type Outcome, type PipSession } from './pip-session.js';
import { shellWord } from '../ui/shell-word.js';

/** The builds vetted so far in a run: what the guard may let through on the next resolve. */
export interface VettedBuilds {
  vetted: string[];
  /** Vetted key → digest of the content that was read and vetted. */
  digests: Record<string, string>;
  approvedBuilds: NeededBuild[];
}

type Approval = 'yes' | 'no' | { code: number };

/**
 * Vet the builds one resolve round ran into. Returns an exit code to stop with (refused, withheld,
 * blocked), or undefined when every one was approved (they are added to `into`; resolve again).
 */
export async function vetBuilds(needed: readonly NeededBuild[], into: VettedBuilds, s: PipSession): Promise<number | undefined> {
  for (const n of needed) {
    if (n.declaredBy && !urlApproved(n.url, s)) {
      say(s, `${n.declaredBy} declares the dependency "${n.name ?? '?'} @ ${n.url}" in its own metadata: pip would fetch it from that URL, outside every index, and build it (running its code) — refused, nothing was installed; if you trust that URL, run: ${s.deps.ownCommand} safe approve ${shellWord(n.url ?? '')} (then run again)`);
      return ExitCode.blocked;
    }
    if (n.editable && n.kind !== 'dir') {
      say(s, `editable installs are supported from a local folder only (${n.url ?? 'this requirement'} is not one): clone it, review it, then run: ${s.deps.ownCommand} install -e <folder>; nothing was installed`);
      return ExitCode.usage;
    }
    if (n.changed) {
      say(s, `the source of ${describeBuild(n)} changed after it was read and vetted in this run (pip met other content the second time) — blocked, nothing was installed`);
      return ExitCode.blocked;
    }
    const findings = scanBuild(n);
    const answer = n.declaredBy ? 'yes' : await approveBuild(n, findings, s);
    if (typeof answer === 'object') return answer.code;
    if (answer === 'no') {
      say(s, `${describeBuild(n)} needs a build: runs its code — withheld; nothing was installed`);
      say(s, `to allow it: ${s.deps.ownCommand} safe approve ${shellWord(approveArg(n))} (then run again)`);
      return ExitCode.scriptsWithheld;
    }
    into.vetted.push(n.key);
    if (n.digest) into.digests[n.key] = n.digest;
    into.approvedBuilds.push(n);
  }
  return undefined;
}

/** The content scan of what the build would run (setup.py, an in-tree backend); nothing read, nothing found. */
function scanBuild(n: NeededBuild): ContentFinding[] {
  if (!n.files) return [];
  try {
    return scanSdist(new Map(Object.entries(n.files)));
  } catch {
    return [];
  }
}

/** The store decision that pre-approves this build (version, name or URL), if any. */
function preApproval(n: NeededBuild, s: PipSession): ScriptDecision | undefined {
  const decisions = s.store.scriptDecisions('pypi');
  const name = n.name ? normalizePypiName(n.name) : undefined;
  const keys = [name && n.version ? `${name}@${n.version}` : undefined, name, n.url ?? undefined].filter((k): k is string => Boolean(k));
  return keys.map((k) => decisions[k]).find((d) => d?.decision === 'allow');
}

/**
 * Pre-approved (store), or approved at a TTY prompt. --safe-yes never approves a build. A
 * high-confidence content finding blocks (never offered) unless the approval names this very
 * content; an approval of other content counts as none (the content changed since).
 */
async function approveBuild(n: NeededBuild, findings: readonly ContentFinding[], s: PipSession): Promise<Approval> {
  const name = n.name ? normalizePypiName(n.name) : undefined;
  if (name && s.store.scriptDecisions('pypi')[name]?.decision === 'deny') return 'no';
  const approval = preApproval(n, s);
  const exactly = Boolean(approval?.scriptsDigest && n.digest && approval.scriptsDigest === n.digest);
  const changed = Boolean(approval?.scriptsDigest) && !exactly;
  const high = findings.filter((f) => f.confidence === 'high');
  if (high.length && !exactly) {
    say(s, `blocked: the build of ${describeBuild(n)}${approval && !changed ? ' (pre-approved)' : ''} would run code the content scan flags: ${[...new Set(high.map((f) => f.message))].join('; ')}`);
    for (const f of findings) s.deps.stderr(`  ! ${describeContentFinding(f)}\n`);
    say(s, n.digest
      ? `if you have read it and trust it: ${s.deps.ownCommand} safe approve ${shellWord(approveArg(n))} --content ${n.digest} (then run again); nothing was installed`
      : 'nothing was installed');
    return { code: ExitCode.blocked };
  }
  if (approval && !changed) {
    note(s, `building ${describeBuild(n)} (pre-approved; runs its code as ${s.owner?.name ?? 'you'})`);
    for (const f of findings) s.deps.stderr(`  ! ${describeContentFinding(f)}\n`);
    return 'yes';
  }
  if (changed) say(s, `${describeBuild(n)}: its source is not the content you approved (it changed since)`);
  if (!s.deps.interactive) return 'no';
  say(s, `${describeBuild(n)} needs a build: runs its code (${n.why})`);
  for (const f of findings) s.deps.stderr(`  ! ${describeContentFinding(f)}\n`);
  return (await s.deps.prompts.confirm(`Build ${describeBuild(n)} now, running its code as ${s.owner?.name ?? 'you'}?`, false)) ? 'yes' : 'no';
}

/** The builds a resolve round ran into: what the guard refused (pip stopped before running their code). */
export function buildsNeeded(side: GuardSidecar): NeededBuild[] {
  return (side.refused ?? []).map(neededFromRefusal);
}

/** A wheel fetched from a URL some other distribution's metadata names (no build, but no index either): refused unless approved. */
export function refuseDeclaredUrls(items: readonly ReportItem[], s: PipSession): Outcome | undefined {
  for (const d of declaredUrlDependencies(items)) {
    if (urlApproved(d.item.url.split('#')[0]!, s) || urlApproved(d.url.split('#')[0]!, s)) continue;
    say(s, `${d.parent.name}==${d.parent.version} declares the dependency "${d.item.name} @ ${d.url}" in its own metadata: pip would fetch it from that URL, outside every index — refused, nothing was installed; if you trust that URL, run: ${s.deps.ownCommand} safe approve ${shellWord(d.url.split('#')[0]!)} (then run again)`);
    return ExitCode.blocked;
  }
  return undefined;
}

export function describeBuild(n: NeededBuild): string {
  return n.name ? `${n.name}${n.version ? `==${n.version}` : ''}${n.url ? ` (${n.url})` : ''}` : n.url ?? 'a requirement';
}

function neededFromRefusal(r: GuardRefusal): NeededBuild {
  const why = r.editable ? 'an editable install builds the project' : r.kind === 'index' ? 'only a source distribution was chosen' : r.kind === 'vcs' ? 'a VCS checkout is built from source' : r.kind === 'dir' ? 'a local folder is built from source' : 'a source archive is built';
  const declaredBy = r.declaredUrl && r.parent && r.kind !== 'index' ? `${r.parent}${r.parentVersion ? `==${r.parentVersion}` : ''}` : undefined;
  return {
    key: r.name ?? r.url ?? '?', name: r.name, version: r.version, url: r.kind === 'index' ? null : r.url, why, editable: r.editable, kind: r.kind, declaredBy,
    digest: r.digest, files: r.files, changed: r.changed,
  };
}

/** What to pass to `safe-pip safe approve` for this build. */
function approveArg(n: NeededBuild): string {
  if (n.url) return n.url;
  return `${n.name ?? '?'}${n.version ? `==${n.version}` : ''}`;
}

/** A direct URL the user pre-approved (safe-pip safe approve <URL>); never asked at a prompt. */
function urlApproved(url: string | null, s: PipSession): boolean {
  return Boolean(url) && s.store.scriptDecisions('pypi')[url!]?.decision === 'allow';
}
