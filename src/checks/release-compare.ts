/** Shared helpers for the "what changed since the previous version" checks (issue 5). */
import type { Check, PackageFacts, ReleaseFacts } from '../core/types.js';

export interface ReleasePair {
  /** `name@version` of the release that would be installed. */
  label: string;
  release: ReleaseFacts;
  previous: ReleaseFacts;
  /** The previous version and why it is the comparison point, e.g. "2.0.0, the version in your lockfile". */
  previousLabel: string;
}

/** Both sides, or undefined when either is missing (then these checks say nothing). */
export function releasePair(facts: PackageFacts): ReleasePair | undefined {
  const release = facts.release;
  const previous = facts.previousRelease;
  if (!release || !previous) return undefined;
  return { label: `${facts.name}${facts.ecosystem === 'pypi' ? '==' : '@'}${release.version}`, release, previous, previousLabel: describePrevious(previous.version, facts.previousReason) };
}

export function describePrevious(version: string, reason: PackageFacts['previousReason']): string {
  switch (reason) {
    case 'replaced': return `${version}, the version in your lockfile`;
    case 'previous-release': return `${version}, the previous release`;
    default: return version;
  }
}

/** Script text shortened for a one-line message; the details carry it in full. */
export function shortText(text: string, max = 100): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${trim(bytes / 1000)} kB`;
  return `${trim(bytes / 1_000_000)} MB`;
}

function trim(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1).replace(/\.0$/, '');
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/**
 * Takeovers are caught within hours or days; a change that has been public for longer than
 * `thresholds.recentReleaseDays` has been in everyone's installs since. Its findings stay, as info.
 */
export function onlyWhileRecent(check: Check): Check {
  return {
    ...check,
    run(facts, ctx) {
      const findings = check.run(facts, ctx);
      const published = facts.release?.publishedAt;
      if (!published) return findings;
      const ageDays = (ctx.now.getTime() - published.getTime()) / 86_400_000;
      if (ageDays < ctx.thresholds.recentReleaseDays) return findings;
      return findings.map((f) => (f.severity === 'warn' ? { ...f, severity: 'info' as const } : f));
    },
  };
}
