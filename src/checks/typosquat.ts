import type { Check, Finding, PackageFacts } from '../core/types.js';
import { ageInDays } from './age.js';

/**
 * A look-alike on the registry for at least this long is established: malicious packages live hours
 * or days before they are taken down (reference notes, detection.md section 1), so a squat cannot
 * fake a year.
 */
export const ESTABLISHED_DAYS = 365;
/** Versions an established look-alike has published (more than one: see establishedSince). */
export const ESTABLISHED_MIN_VERSIONS = 2;
/** When the registry's dates say nothing (none at all): this many versions and a repository stand in. */
export const ESTABLISHED_MIN_VERSIONS_WITHOUT_DATES = 10;

/**
 * A name that looks like a popular one (ctx.popular decides: see popular-names.ts). Blocks, with a
 * "did you mean" suggestion. Works offline. A popular name itself is never flagged, and neither is
 * a package that does not come from the registry (a git URL, a tarball, a folder has no name to squat).
 *
 * Online evidence decides (issue 11): a look-alike that is itself established (on the registry for
 * more than a year) is information only: a squat cannot fake a year. A mirror's copy dates still bound
 * the age from below; with no dates at all, many versions and a repository stand in. A look-alike that
 * does not exist is a free name one typo from the target.
 */
export const typosquat: Check = {
  id: 'typosquat',
  title: 'name looks like a popular package',
  needsNetwork: false,
  run(facts, ctx) {
    if (facts.source !== 'registry') return [];
    const found = ctx.popular.lookAlike(facts.name);
    if (!found) return [];
    const looks = `"${facts.name}" looks like the popular package "${found.target}" (${found.reason})`;
    const established = facts.exists === true && !facts.fetchError ? establishedSince(facts, ctx.now) : undefined;
    if (established) {
      return [{ check: 'typosquat', severity: 'info', message: `${looks}, but is an established package ${established}`, didYouMean: found.target }];
    }
    const finding: Finding = {
      check: 'typosquat',
      // A popular name plus generic words (`axios-http`), or its number changed (`bip30`), is also how some
      // forks, wrappers and standards are named: a warning.
      severity: found.weak ? 'warn' : 'block',
      message: facts.exists === false ? `"${facts.name}" does not exist: a free name ${found.weak ? 'that looks like' : 'one typo from'} the popular package "${found.target}" (${found.reason})` : looks,
      didYouMean: found.target,
    };
    return [finding];
  },
};

/**
 * Why the registry's answer makes this package established ("since 2014", or "with 23 versions and a
 * repository; the registry's dates are not reliable"), or undefined.
 */
export function establishedSince(facts: PackageFacts, now: Date): string | undefined {
  if (facts.version?.endsWith('-security')) return undefined; // npm's placeholder for a name taken down for malware
  const versions = facts.versionCount ?? 0;
  // `time.created` (or the oldest version stamp, on mirrors without it) bounds the age from below even
  // when the stamps are a mirror's copy dates out of version order: nothing was copied before it was published.
  const created = facts.packageCreatedAt;
  // Established is kept up over time: a name published once and left (a copy of its target, as
  // `reqeust` is of request) has only its age, and a squat can wait a year for its next version.
  if (created && ageInDays(created, now) >= ESTABLISHED_DAYS && versions >= ESTABLISHED_MIN_VERSIONS) {
    const count = `${versions} version${versions === 1 ? '' : 's'}`;
    if (facts.timeline === 'consistent') return `since ${created.getUTCFullYear()} (${count})`;
    // Too few versions to judge the dates, or a mirror's copy dates: they still say "at least this old".
    const why = facts.timeline === 'inconsistent' ? '; the registry\'s publish dates are out of version order, so only a lower bound' : '';
    return `on the registry since at least ${isoMonth(created)} (${count}${why})`;
  }
  if (!created && versions >= ESTABLISHED_MIN_VERSIONS_WITHOUT_DATES && typeof facts.repository === 'string') {
    return `with ${versions} versions and a repository (the registry gave no publish dates)`;
  }
  return undefined;
}

function isoMonth(d: Date): string {
  return d.toISOString().slice(0, 7);
}
