/**
 * Build vetting: a source build runs the package's code, so pip may run it only when it was
 * pre-approved (`safe-pip safe approve`) or approved at a terminal prompt. --safe-yes never approves one.
 */
import { ExitCode } from '../core/exit-codes.js';
import { normalizePypiName } from '../pypi/normalize-name.js';
import type { GuardRefusal, GuardSidecar } from '../pypi/pip-guard.js';
import { declaredUrlDependencies, type ReportItem } from '../pypi/pip-report.js';
import { say, type NeededBuild, type Outcome, type PipSession } from './pip-session.js';

/** The builds vetted so far in a run: what the guard may let through on the next resolve. */
export interface VettedBuilds {
  vetted: string[];
  noBinary: string[];
  approvedBuilds: NeededBuild[];
}

/**
 * Vet the builds one resolve round ran into. Returns an exit code to stop with (refused, withheld),
 * or undefined when every one was approved (they are added to `into`; resolve again).
 */
export async function vetBuilds(needed: readonly NeededBuild[], into: VettedBuilds, s: PipSession): Promise<number | undefined> {
  for (const n of needed) {
    if (n.declaredBy && !urlApproved(n.url, s)) {
      say(s, `${n.declaredBy} declares the dependency "${n.name ?? '?'} @ ${n.url}" in its own metadata: pip would fetch it from that URL, outside every index, and build it (running its code) — refused, nothing was installed; if you trust that URL, run: safe-pip safe approve ${n.url} (then run again)`);
      return ExitCode.blocked;
    }
    if (n.editable && n.kind !== 'dir') {
      say(s, `editable installs are supported from a local folder only (${n.url ?? 'this requirement'} is not one): clone or unpack it, then: safe-pip install -e <folder>; nothing was installed`);
      return ExitCode.usage;
    }
    const ok = n.declaredBy ? true : await approveBuild(n, s);
    if (!ok) {
      say(s, `${describeBuild(n)} needs a build: runs its code — withheld; nothing was installed`);
      say(s, `to allow it: safe-pip safe approve ${approveArg(n)} (then run again)`);
      return ExitCode.scriptsWithheld;
    }
    into.vetted.push(n.key);
    if (n.name && !n.url) into.noBinary.push(n.name);
    into.approvedBuilds.push(n);
  }
  return undefined;
}

/** Pre-approved (store), or approved at a TTY prompt. --safe-yes never approves a build. */
async function approveBuild(n: NeededBuild, s: PipSession): Promise<boolean> {
  const decisions = s.store.scriptDecisions('pypi');
  const name = n.name ? normalizePypiName(n.name) : undefined;
  if (name && decisions[name]?.decision === 'deny') return false;
  const keys = [name && n.version ? `${name}@${n.version}` : undefined, name, n.url ?? undefined].filter((k): k is string => Boolean(k));
  if (keys.some((k) => decisions[k]?.decision === 'allow')) {
    say(s, `building ${describeBuild(n)} (pre-approved; runs its code as ${s.owner?.name ?? 'you'})`);
    return true;
  }
  if (!s.deps.interactive) return false;
  say(s, `${describeBuild(n)} needs a build: runs its code (${n.why})`);
  return s.deps.prompts.confirm(`Build ${describeBuild(n)} now, running its code as ${s.owner?.name ?? 'you'}?`, false);
}

/** The builds a failed resolve needs: what the guard refused, or projects that only have source releases. */
export function buildsNeeded(code: number | 'refused', side: GuardSidecar, noBinary: readonly string[]): NeededBuild[] {
  if (code === 'refused') return (side.refused ?? []).map(neededFromRefusal);
  // Under --only-binary a project with only source releases makes resolution fail.
  const sourceOnly = Object.entries(side.sourceOnly ?? {}).filter(([name]) => (side.candidates?.[name] ?? []).length === 0 && !noBinary.includes(name));
  return sourceOnly.map(([name, versions]) => ({ key: name, name, version: versions.at(-1) ?? null, url: null, why: 'only a source distribution exists' }));
}

/** A wheel fetched from a URL some other distribution's metadata names (no build, but no index either): refused unless approved. */
export function refuseDeclaredUrls(items: readonly ReportItem[], s: PipSession): Outcome | undefined {
  for (const d of declaredUrlDependencies(items)) {
    if (urlApproved(d.item.url.split('#')[0]!, s) || urlApproved(d.url.split('#')[0]!, s)) continue;
    say(s, `${d.parent.name}==${d.parent.version} declares the dependency "${d.item.name} @ ${d.url}" in its own metadata: pip would fetch it from that URL, outside every index — refused, nothing was installed; if you trust that URL, run: safe-pip safe approve ${d.url.split('#')[0]} (then run again)`);
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
  return { key: r.name ?? r.url ?? '?', name: r.name, version: r.version, url: r.kind === 'index' ? null : r.url, why, editable: r.editable, kind: r.kind, declaredBy };
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
