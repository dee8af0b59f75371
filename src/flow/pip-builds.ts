/** Build vetting: a source build pip needs runs code, so it is built only when pre-approved or approved at a prompt. */
import { normalizePypiName } from '../pypi/normalize-name.js';
import { type GuardRefusal } from '../pypi/pip-guard.js';
import type { FlowState, NeededBuild } from './pip-session.js';

export function describeBuild(n: NeededBuild): string {
  return n.name ? `${n.name}${n.version ? `==${n.version}` : ''}${n.url ? ` (${n.url})` : ''}` : n.url ?? 'a requirement';
}

export function neededFromRefusal(r: GuardRefusal): NeededBuild {
  const why = r.editable ? 'an editable install builds the project' : r.kind === 'index' ? 'only a source distribution was chosen' : r.kind === 'vcs' ? 'a VCS checkout is built from source' : r.kind === 'dir' ? 'a local folder is built from source' : 'a source archive is built';
  const declaredBy = r.declaredUrl && r.parent && r.kind !== 'index' ? `${r.parent}${r.parentVersion ? `==${r.parentVersion}` : ''}` : undefined;
  return { key: r.name ?? r.url ?? '?', name: r.name, version: r.version, url: r.kind === 'index' ? null : r.url, why, editable: r.editable, kind: r.kind, declaredBy };
}

/** What to pass to `safe-pip safe approve` for this build. */
export function approveArg(n: NeededBuild): string {
  if (n.url) return n.url;
  return `${n.name ?? '?'}${n.version ? `==${n.version}` : ''}`;
}

/** A direct URL the user pre-approved (safe-pip safe approve <URL>); never asked at a prompt. */
export function urlApproved(url: string | null, s: FlowState): boolean {
  return Boolean(url) && s.store.scriptDecisions('pypi')[url!]?.decision === 'allow';
}

/** Pre-approved (store), or approved at a TTY prompt. --safe-yes never approves a build. */
export async function vetBuild(n: NeededBuild, s: FlowState): Promise<boolean> {
  const decisions = s.store.scriptDecisions('pypi');
  const name = n.name ? normalizePypiName(n.name) : undefined;
  if (name && decisions[name]?.decision === 'deny') return false;
  const keys = [name && n.version ? `${name}@${n.version}` : undefined, name, n.url ?? undefined].filter((k): k is string => Boolean(k));
  if (keys.some((k) => decisions[k]?.decision === 'allow')) {
    s.io.stderr(`safe-pip: building ${describeBuild(n)} (pre-approved; runs its code as ${s.owner?.name ?? 'you'})\n`);
    return true;
  }
  if (!s.interactive) return false;
  const prompts = s.io.prompts ?? (await import('../ui/prompts.js')).inquirerPrompts;
  s.io.stderr(`safe-pip: ${describeBuild(n)} needs a build: runs its code (${n.why})\n`);
  return prompts.confirm(`Build ${describeBuild(n)} now, running its code as ${s.owner?.name ?? 'you'}?`, false);
}
